import { useEffect, useState } from 'react';
import { api, canEdit, stream, type LogEntry, type Project } from '../lib/api';
import { SseParser } from '../lib/sse';
import { ErrorMessage, formatTime, useConfirm } from '../ui';
import { SessionPicker, withSession } from './Sessions';

const keep = 200;

/** The project's recent mock requests, updating live from the server's event stream. */
export function RequestLog({ project }: { project: Project }) {
  const [session, setSession] = useState('');
  const base = `/api/v1/projects/${encodeURIComponent(project.id)}/requests`;
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<unknown>();
  const [confirm, dialog] = useConfirm();

  useEffect(() => {
    const abort = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = async () => {
      try {
        const first = await api<{ items: LogEntry[] }>('GET', withSession(`${base}?limit=50`, session));
        if (abort.signal.aborted) return;
        setEntries(first.items);
        setError(undefined);
        const parser = new SseParser();
        setLive(true);
        await stream(withSession(`${base}/stream`, session), (chunk) => {
          if (abort.signal.aborted) return; // another session was chosen meanwhile
          const added = parser.push(chunk).filter((e) => e.event === 'request').map((e) => JSON.parse(e.data) as LogEntry);
          if (added.length > 0) {
            setEntries((current) => {
              const known = new Set(current.map((c) => c.id));
              return [...added.reverse().filter((a) => !known.has(a.id)), ...current].slice(0, keep);
            });
          }
        }, abort.signal);
      } catch (caught) {
        if (abort.signal.aborted) return;
        setError(caught);
      }
      setLive(false);
      if (!abort.signal.aborted) retry = setTimeout(connect, 3000); // the stream ended (or failed): reconnect
    };
    connect();
    return () => { abort.abort(); clearTimeout(retry); };
  }, [base, session]);

  const clear = async () => {
    if (!(await confirm(session ? `Clear the requests of test session ${session}?` : 'Clear the request log of this project?'))) return;
    try { await api('DELETE', withSession(base, session)); setEntries([]); } catch (caught) { setError(caught); }
  };

  return (
    <section aria-labelledby="log-title" className="stack">
      <div className="row wrap">
        <h2 id="log-title">Request log</h2>
        <span className={live ? 'badge live' : 'badge'} role="status">{live ? 'Live' : 'Connecting…'}</span>
        {canEdit(project) && <button type="button" className="secondary small" onClick={clear}>Clear</button>}
      </div>
      <p className="muted">Calls to <code>{project.mockUrl}</code> appear here as they happen.</p>
      <SessionPicker project={project} value={session} onChange={(next) => { setEntries([]); setSession(next); }} />
      <ErrorMessage error={error} />
      <ol className="log" aria-label="Requests, newest first" aria-live="polite">
        {entries.map((entry) => (
          <li key={entry.id} className={entry.miss ? 'miss' : ''}>
            <details>
              <summary>
                <span className={`method m-${entry.method.toLowerCase()}`}>{entry.method}</span>{' '}
                <code className="path">{entry.path}{entry.query ? (entry.query.startsWith('?') ? entry.query : `?${entry.query}`) : ''}</code>{' '}
                <span className={`status s${String(entry.status)[0]}`}>{entry.status}</span>{' '}
                <span className="muted">{formatTime(entry.at)} · {entry.servedMs} ms</span>
              </summary>
              <dl>
                <dt>Answered by</dt>
                <dd>{entry.miss ? 'no endpoint' : entry.endpointId ? `endpoint ${entry.endpointId}${entry.responseIndex ? `, response ${entry.responseIndex + 1}` : ''}` : 'a resource or the proxy'}</dd>
                {entry.miss && (<><dt>Why not matched</dt><dd>{entry.miss}</dd></>)}
                {entry.contractViolation && (<><dt>Breaks the OpenAPI document</dt><dd>{entry.contractViolation}</dd></>)}
                <dt>Request headers</dt>
                <dd>
                  <table className="kv"><tbody>
                    {Object.entries(entry.headers).map(([name, value]) => <tr key={name}><th scope="row">{name}</th><td>{value}</td></tr>)}
                  </tbody></table>
                </dd>
                {entry.bodyPreview && (<><dt>Request body</dt><dd><pre>{entry.bodyPreview}</pre></dd></>)}
              </dl>
            </details>
          </li>
        ))}
        {entries.length === 0 && <li className="muted">No requests yet.</li>}
      </ol>
      {dialog}
    </section>
  );
}
