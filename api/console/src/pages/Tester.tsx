import { useState, type FormEvent } from 'react';
import { api, type Project } from '../lib/api';
import { emptyDraft, formatSize, sendRequest, splitUrl, type BodyKind, type Part, type Row, type TesterDraft } from '../lib/tester';
import { prettyJson } from '../lib/endpointForm';
import { ErrorMessage, Field, formatTime, useConfirm, useLoad } from '../ui';
import { Collections, type CollectionItem } from './Collections';
import { Environments, type Environment } from './Environments';

export interface SendResult {
  historyId: string;
  status: number | null;
  headers: Record<string, string>;
  body: string | null;
  bodyEncoding: string;
  size: number;
  truncated: boolean;
  timings: { dnsMs: number; connectMs: number; tlsMs: number | null; firstByteMs: number; totalMs: number };
  redirects: string[];
  error: { kind: string; message: string } | null;
}

interface HistoryItem { id: string; at: string; method: string; url: string; status?: number | null; totalMs: number }

/** The API tester: build a request, send it through the server's guarded client, read the answer; history and collections beside. */
export function Tester() {
  const [draft, setDraft] = useState<TesterDraft>(emptyDraft);
  const [environmentId, setEnvironmentId] = useState('');
  const [result, setResult] = useState<SendResult>();
  const [error, setError] = useState<unknown>();
  const [sending, setSending] = useState(false);
  const [side, setSide] = useState<'history' | 'collections' | 'environments'>('history');
  const environments = useLoad(() => api<{ items: Environment[] }>('GET', '/api/v1/environments'), []);
  const history = useLoad(() => api<{ items: HistoryItem[]; nextCursor?: string }>('GET', '/api/v1/tester/history?limit=30'), []);
  const [confirm, dialog] = useConfirm();
  const variables = environments.data?.items.find((e) => e.id === environmentId)?.variables ?? {};

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const { request, error: invalid } = sendRequest(draft, variables, environmentId);
    if (invalid) { setError(new Error(invalid)); return; }
    setSending(true);
    setError(undefined);
    try {
      setResult(await api<SendResult>('POST', '/api/v1/tester/send', request));
      history.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setSending(false);
    }
  };

  const reopen = async (id: string) => {
    try {
      type HistoryPart = { name: string; value?: string; filename?: string; contentType?: string; size?: number; data?: string | null };
      const entry = await api<{ request: { method: string; url: string; headers?: Record<string, string>; body?: string | null; multipart?: HistoryPart[] | null }; response: SendResult }>(
        'GET', `/api/v1/tester/history/${encodeURIComponent(id)}`);
      // A file the history kept without its bytes (a large one) comes back as a part to pick again.
      const parts = (entry.request.multipart ?? []).map((p) => (p.filename !== undefined && p.data
        ? { enabled: true, name: p.name, value: '', file: { name: p.filename, type: p.contentType ?? '', data: p.data, size: p.size ?? 0 } }
        : { enabled: true, name: p.name, value: p.value ?? '' }));
      const { base, params } = splitUrl(entry.request.url);
      setDraft({
        ...emptyDraft, method: entry.request.method, url: base, params,
        headers: Object.entries(entry.request.headers ?? {}).map(([name, value]) => ({ enabled: true, name, value })),
        bodyKind: parts.length > 0 ? 'multipart' : entry.request.body ? 'raw' : 'none', raw: entry.request.body ?? '', parts,
        rawType: Object.entries(entry.request.headers ?? {}).find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? 'application/json',
      });
      setResult({ ...entry.response, historyId: id });
    } catch (caught) {
      setError(caught);
    }
  };

  const openItem = (item: CollectionItem) => {
    const { base, params } = splitUrl(item.url);
    const graphql = item.kind === 'graphql';
    setDraft({
      ...emptyDraft, method: graphql ? 'POST' : item.method ?? 'GET', url: base, params,
      headers: Object.entries(item.headers ?? {}).map(([name, value]) => ({ enabled: true, name, value })),
      bodyKind: graphql ? 'graphql' : item.body ? 'raw' : 'none', raw: item.body ?? '',
      graphqlQuery: item.query ?? '', graphqlVariables: item.variables ? JSON.stringify(item.variables, null, 2) : '',
    });
  };

  const set = <K extends keyof TesterDraft>(key: K, value: TesterDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const [tab, setTab] = useState<'params' | 'headers' | 'body'>('params');

  return (
    <div className="tester">
      <section aria-labelledby="tester-title" className="stack">
        <h1 id="tester-title">API tester</h1>
        <form onSubmit={send} className="row wrap" aria-label="Request">
          <label className="visually-hidden" htmlFor="tester-method">Method</label>
          <select id="tester-method" value={draft.method} onChange={(e) => set('method', e.target.value)}>
            {['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => <option key={m}>{m}</option>)}
          </select>
          <label className="visually-hidden" htmlFor="tester-url">URL</label>
          <input id="tester-url" className="grow" placeholder="https://api.example.com/users or {{base}}/users" value={draft.url}
            onChange={(e) => {
              const { base, params } = splitUrl(e.target.value);
              setDraft((d) => ({ ...d, url: base, params: e.target.value.includes('?') ? params : d.params }));
            }} />
          <label className="visually-hidden" htmlFor="tester-environment">Environment</label>
          <select id="tester-environment" value={environmentId} onChange={(e) => setEnvironmentId(e.target.value)}>
            <option value="">No environment</option>
            {(environments.data?.items ?? []).map((env) => <option key={env.id} value={env.id}>{env.name}</option>)}
          </select>
          <button type="submit" disabled={sending}>{sending ? 'Sending…' : 'Send'}</button>
        </form>
        <div className="tabs" role="tablist" aria-label="Request parts">
          {(['params', 'headers', 'body'] as const).map((t) => (
            <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? 'tab active' : 'tab'} onClick={() => setTab(t)}>
              {t === 'params' ? `Params (${draft.params.length})` : t === 'headers' ? `Headers (${draft.headers.length})` : 'Body'}
            </button>
          ))}
        </div>
        <div role="tabpanel">
          {tab === 'params' && <Rows label="Query parameter" rows={draft.params} onChange={(rows) => set('params', rows)} />}
          {tab === 'headers' && <Rows label="Header" rows={draft.headers} onChange={(rows) => set('headers', rows)} />}
          {tab === 'body' && <BodyEditor draft={draft} set={set} />}
        </div>
        <ErrorMessage error={error} />
        {result && <ResponseView result={result} />}
        {result?.historyId && <SaveAsEndpoint historyId={result.historyId} />}
      </section>
      <aside className="stack" aria-label="History, collections and environments">
        <div className="tabs" role="tablist">
          {(['history', 'collections', 'environments'] as const).map((s) => (
            <button key={s} type="button" role="tab" aria-selected={side === s} className={side === s ? 'tab active' : 'tab'} onClick={() => setSide(s)}>
              {s[0].toUpperCase() + s.slice(1)}
            </button>
          ))}
        </div>
        {side === 'history' && (
          <div className="stack">
            <ErrorMessage error={history.error} />
            <div className="row">
              <button type="button" className="secondary small" onClick={async () => {
                if (await confirm('Forget every request in the history?')) { await api('DELETE', '/api/v1/tester/history'); history.reload(); }
              }}>Clear history</button>
            </div>
            <ol className="history" aria-label="Sent requests, newest first">
              {(history.data?.items ?? []).map((item) => (
                <li key={item.id} className="row">
                  <button type="button" className="link grow left" onClick={() => reopen(item.id)} aria-label={`Open ${item.method} ${item.url}`}>
                    <span className={`method m-${item.method.toLowerCase()}`}>{item.method}</span> <span className="url">{item.url}</span>
                    <br /><small className="muted">{item.status ?? 'no answer'} · {Math.round(item.totalMs)} ms · {formatTime(item.at)}</small>
                  </button>
                  <button type="button" className="danger small" aria-label={`Delete ${item.method} ${item.url} from history`}
                    onClick={async () => { await api('DELETE', `/api/v1/tester/history/${encodeURIComponent(item.id)}`); history.reload(); }}>×</button>
                </li>
              ))}
              {history.data && history.data.items.length === 0 && <li className="muted">Nothing sent yet.</li>}
            </ol>
          </div>
        )}
        {side === 'collections' && <Collections draft={draft} environmentId={environmentId} onOpen={openItem} onRun={(r) => { setResult(r); history.reload(); }} />}
        {side === 'environments' && <Environments list={environments} />}
      </aside>
      {dialog}
    </div>
  );
}

function Rows({ label, rows, onChange }: { label: string; rows: Row[]; onChange: (rows: Row[]) => void }) {
  const update = (i: number, row: Partial<Row>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...row } : r)));
  return (
    <div className="stack">
      {rows.map((row, i) => (
        <div className="row wrap" key={i}>
          <input type="checkbox" aria-label={`${label} ${i + 1} enabled`} checked={row.enabled} onChange={(e) => update(i, { enabled: e.target.checked })} />
          <input aria-label={`${label} ${i + 1} name`} placeholder="Name" value={row.name} onChange={(e) => update(i, { name: e.target.value })} />
          <input aria-label={`${label} ${i + 1} value`} placeholder="Value" className="grow" value={row.value} onChange={(e) => update(i, { value: e.target.value })} />
          <button type="button" className="secondary small" aria-label={`Remove ${label.toLowerCase()} ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>Remove</button>
        </div>
      ))}
      <div className="row"><button type="button" className="secondary small" onClick={() => onChange([...rows, { enabled: true, name: '', value: '' }])}>Add {label.toLowerCase()}</button></div>
    </div>
  );
}

/** Reads a picked file as base64 (what the tester's multipart parts carry). */
function readFile(file: File): Promise<{ name: string; type: string; data: string; size: number }> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve({ name: file.name, type: file.type, data: url.slice(url.indexOf(',') + 1), size: file.size });
    };
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** The parts of a multipart body: each a text field or a file from the picker. */
function Parts({ parts, onChange }: { parts: Part[]; onChange: (parts: Part[]) => void }) {
  const update = (i: number, part: Partial<Part>) => onChange(parts.map((p, j) => (j === i ? { ...p, ...part } : p)));
  return (
    <div className="stack">
      {parts.map((part, i) => (
        <div className="row wrap" key={i}>
          <input type="checkbox" aria-label={`Part ${i + 1} enabled`} checked={part.enabled} onChange={(e) => update(i, { enabled: e.target.checked })} />
          <input aria-label={`Part ${i + 1} name`} placeholder="Name" value={part.name} onChange={(e) => update(i, { name: e.target.value })} />
          {part.file
            ? <span className="grow">{part.file.name} <span className="muted">({formatSize(part.file.size)})</span></span>
            : <input aria-label={`Part ${i + 1} value`} placeholder="Value" className="grow" value={part.value} onChange={(e) => update(i, { value: e.target.value })} />}
          <input type="file" aria-label={`Part ${i + 1} file`}
            onChange={async (e) => { const file = e.target.files?.[0]; update(i, { file: file ? await readFile(file) : undefined }); }} />
          <button type="button" className="secondary small" aria-label={`Remove part ${i + 1}`} onClick={() => onChange(parts.filter((_, j) => j !== i))}>Remove</button>
        </div>
      ))}
      <div className="row"><button type="button" className="secondary small" onClick={() => onChange([...parts, { enabled: true, name: '', value: '' }])}>Add part</button></div>
    </div>
  );
}

function BodyEditor({ draft, set }: { draft: TesterDraft; set: <K extends keyof TesterDraft>(key: K, value: TesterDraft[K]) => void }) {
  return (
    <div className="stack">
      <div className="row wrap" role="radiogroup" aria-label="Body kind">
        {(['none', 'raw', 'form', 'multipart', 'graphql'] as BodyKind[]).map((kind) => (
          <label key={kind} className="check"><input type="radio" name="body-kind" checked={draft.bodyKind === kind} onChange={() => set('bodyKind', kind)} /> {kind === 'graphql' ? 'GraphQL' : kind}</label>
        ))}
      </div>
      {draft.bodyKind === 'raw' && (
        <>
          <Field label="Content type">{(id) => <input id={id} value={draft.rawType} onChange={(e) => set('rawType', e.target.value)} />}</Field>
          <Field label="Body">{(id) => <textarea id={id} className="code" rows={8} spellCheck={false} value={draft.raw} onChange={(e) => set('raw', e.target.value)} />}</Field>
        </>
      )}
      {draft.bodyKind === 'form' && <Rows label="Form field" rows={draft.form} onChange={(rows) => set('form', rows)} />}
      {draft.bodyKind === 'multipart' && <Parts parts={draft.parts} onChange={(parts) => set('parts', parts)} />}
      {draft.bodyKind === 'graphql' && (
        <>
          <Field label="Query">{(id) => <textarea id={id} className="code" rows={8} spellCheck={false} value={draft.graphqlQuery} onChange={(e) => set('graphqlQuery', e.target.value)} />}</Field>
          <Field label="Variables (JSON)">{(id) => <textarea id={id} className="code" rows={4} spellCheck={false} value={draft.graphqlVariables} onChange={(e) => set('graphqlVariables', e.target.value)} />}</Field>
        </>
      )}
    </div>
  );
}

/** The answer: status, time breakdown, size, headers, and the body pretty, raw, or (HTML) previewed in a sandboxed frame. */
export function ResponseView({ result }: { result: SendResult }) {
  const contentType = Object.entries(result.headers ?? {}).find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
  const text = result.body === null ? '' : result.bodyEncoding === 'base64' ? `(binary, ${formatSize(result.size)}, base64)\n${result.body}` : result.body;
  const pretty = /json/i.test(contentType) ? prettyJson(text) : null;
  const isHtml = /html/i.test(contentType);
  const [view, setView] = useState<'pretty' | 'raw' | 'preview'>('pretty');
  const t = result.timings;
  return (
    <section aria-label="Response" className="stack response">
      {result.error ? (
        <p className="error" role="alert">No answer ({result.error.kind}): {result.error.message}</p>
      ) : (
        <div className="row wrap" role="status">
          <span className={`status s${String(result.status)[0]}`} data-testid="response-status">{result.status}</span>
          <span>{Math.round(t.totalMs)} ms</span>
          <span>{formatSize(result.size)}{result.truncated ? ' (cut)' : ''}</span>
        </div>
      )}
      <p className="muted small-text">DNS {t.dnsMs.toFixed(1)} ms · connect {t.connectMs.toFixed(1)} ms{t.tlsMs !== null ? ` · TLS ${t.tlsMs.toFixed(1)} ms` : ''} · first byte {t.firstByteMs.toFixed(1)} ms · total {t.totalMs.toFixed(1)} ms</p>
      {result.redirects.length > 0 && <p className="muted">Redirected through: {result.redirects.join(' → ')}</p>}
      {!result.error && (
        <>
          <div className="tabs" role="tablist" aria-label="Body view">
            <button type="button" role="tab" aria-selected={view === 'pretty'} className={view === 'pretty' ? 'tab active' : 'tab'} onClick={() => setView('pretty')}>Pretty</button>
            <button type="button" role="tab" aria-selected={view === 'raw'} className={view === 'raw' ? 'tab active' : 'tab'} onClick={() => setView('raw')}>Raw</button>
            {isHtml && <button type="button" role="tab" aria-selected={view === 'preview'} className={view === 'preview' ? 'tab active' : 'tab'} onClick={() => setView('preview')}>Preview</button>}
          </div>
          {view === 'preview' && isHtml
            ? <iframe title="HTML preview (scripts disabled)" sandbox="" srcDoc={text} className="preview" referrerPolicy="no-referrer" />
            : <pre className="body" data-testid="response-body" tabIndex={0}>{view === 'pretty' && pretty !== null ? pretty : text}</pre>}
          <details>
            <summary>Headers ({Object.keys(result.headers ?? {}).length})</summary>
            <table className="kv"><tbody>
              {Object.entries(result.headers ?? {}).map(([name, value]) => <tr key={name}><th scope="row">{name}</th><td>{value}</td></tr>)}
            </tbody></table>
          </details>
        </>
      )}
    </section>
  );
}

/** Turns the answer just received (a real request and its real answer, from the history) into an endpoint of a project. */
function SaveAsEndpoint({ historyId }: { historyId: string }) {
  const projects = useLoad(() => api<{ items: Project[] }>('GET', '/api/v1/projects?limit=100'), []);
  const [projectId, setProjectId] = useState('');
  const [saved, setSaved] = useState<{ project: Project; method: string; path: string }>();
  const [error, setError] = useState<unknown>();
  const items = projects.data?.items ?? [];
  const chosen = items.find((p) => p.id === projectId) ?? items[0];

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen) return;
    setError(undefined);
    setSaved(undefined);
    try {
      const endpoint = await api<{ method: string; path?: string; pathPattern?: string }>('POST',
        `/api/v1/projects/${encodeURIComponent(chosen.id)}/endpoints/from-history/${encodeURIComponent(historyId)}`, {});
      setSaved({ project: chosen, method: endpoint.method, path: endpoint.path ?? endpoint.pathPattern ?? '' });
    } catch (caught) {
      setError(caught);
    }
  };

  if (projects.data && items.length === 0) return null;
  return (
    <form onSubmit={save} className="row wrap" aria-label="Save this answer as a mock endpoint">
      <label htmlFor="save-project">Save this answer as an endpoint of</label>
      <select id="save-project" value={chosen?.id ?? ''} onChange={(e) => setProjectId(e.target.value)}>
        {items.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
      </select>
      <button type="submit" className="secondary small" disabled={!chosen}>Save as endpoint</button>
      <ErrorMessage error={error ?? projects.error} />
      {saved && (
        <p role="status">
          Saved <span className="method">{saved.method}</span> <code>{saved.path}</code> in{' '}
          <a href={`#/projects/${encodeURIComponent(saved.project.slug)}/endpoints`}>{saved.project.name}</a>.
        </p>
      )}
    </form>
  );
}
