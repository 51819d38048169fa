// Small building blocks every page uses. Every user-controlled string is rendered as React text (escaped), never as HTML.
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError } from './lib/api';

export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const more = error.errors && error.errors.length > 0 ? `: ${error.errors.join('; ')}` : '';
    return `${error.detail ?? error.title}${more}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return <p className="error" role="alert">{errorText(error)}</p>;
}

/** A labelled control with its error underneath, tied together for screen readers. */
export function Field({ label, error, children, hint }: { label: string; error?: string; hint?: string; children: (id: string, describedBy?: string) => ReactNode }) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, error ? errorId : undefined)}
      {hint && !error && <small className="hint">{hint}</small>}
      {error && <small id={errorId} className="field-error" role="alert">{error}</small>}
    </div>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button type="button" className="secondary small" aria-label={`${label}: ${text}`}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        } catch {
          setCopied(false);
        }
      }}>
      {copied ? 'Copied' : label}
    </button>
  );
}

/** A modal confirmation (the platform's dialog element: focus trapped, Escape closes). */
export function useConfirm(): [(message: string) => Promise<boolean>, ReactNode] {
  const ref = useRef<HTMLDialogElement>(null);
  const [message, setMessage] = useState('');
  const resolver = useRef<(answer: boolean) => void>(() => {});
  const ask = useCallback((text: string) => {
    setMessage(text);
    ref.current?.showModal();
    return new Promise<boolean>((resolve) => { resolver.current = resolve; });
  }, []);
  const close = (answer: boolean) => {
    ref.current?.close();
    resolver.current(answer);
  };
  const dialog = (
    <dialog ref={ref} aria-labelledby="confirm-text" onCancel={() => resolver.current(false)}>
      <p id="confirm-text">{message}</p>
      <div className="row end">
        <button type="button" className="secondary" onClick={() => close(false)}>Cancel</button>
        <button type="button" className="danger" onClick={() => close(true)}>Confirm</button>
      </div>
    </dialog>
  );
  return [ask, dialog];
}

/** Loads data once (and again on reload()); keeps the error to show. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: unknown; loading: boolean; reload: () => void; set: (value: T) => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then((data) => live && setState({ data, loading: false }), (error) => live && setState({ error, loading: false }));
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, version]);
  return { ...state, reload: () => setVersion((v) => v + 1), set: (data: T) => setState({ data, loading: false }) };
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
