import { api, type Project } from '../lib/api';
import { ErrorMessage, formatTime, useLoad } from '../ui';

interface Pending { id: string; due: string; method: string; url: string; endpointId: string; requestId: string }
interface Attempt {
  id: string; at: string; endpointId: string; requestId: string; method: string; url: string; headers: Record<string, string>;
  bodyPreview?: string | null; status?: number | null; error?: string | null; durationMs: number; responseBodyPreview?: string | null;
}

/** The project's webhooks: those waiting for their delay, and the latest attempts with what the target answered. */
export function Webhooks({ project }: { project: Project }) {
  const log = useLoad(() => api<{ pending: Pending[]; items: Attempt[] }>('GET', `/api/v1/projects/${encodeURIComponent(project.id)}/webhooks`), [project.id]);
  const pending = log.data?.pending ?? [];
  const attempts = log.data?.items ?? [];
  return (
    <div className="stack">
      <p className="muted">A response can call other services after answering (its webhooks, in Raw JSON or through WireMock's serveEventListeners).</p>
      <div className="row"><button type="button" className="secondary small" onClick={() => log.reload()}>Refresh</button></div>
      <ErrorMessage error={log.error} />
      <h2>Waiting ({pending.length})</h2>
      {pending.length === 0 ? <p className="muted">None waiting.</p> : (
        <ul>{pending.map((p) => <li key={p.id}><span className="method">{p.method}</span> <code>{p.url}</code> due {formatTime(p.due)}</li>)}</ul>
      )}
      <h2>Sent ({attempts.length})</h2>
      {log.data && attempts.length === 0 && <p className="muted">No webhook sent yet.</p>}
      {attempts.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Webhook attempts">
            <thead><tr><th scope="col">When</th><th scope="col">Request</th><th scope="col">Answer</th><th scope="col">Time</th></tr></thead>
            <tbody>
              {attempts.map((a) => (
                <tr key={a.id}>
                  <td>{formatTime(a.at)}</td>
                  <td><span className="method">{a.method}</span> <code className="url">{a.url}</code></td>
                  <td>{a.status ? <span className="status">{a.status}</span> : <span className="error">{a.error}</span>}</td>
                  <td>{a.durationMs.toFixed(0)} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
