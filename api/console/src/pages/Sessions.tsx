import { useState } from 'react';
import { api, canEdit, type MockSession, type Project } from '../lib/api';
import { CopyButton, ErrorMessage, formatTime, useConfirm, useLoad } from '../ui';

const sessionsOf = (project: Project) => `/api/v1/projects/${encodeURIComponent(project.id)}/sessions`;

/** A management URL for one test session's slice (the project's own when <code>session</code> is empty). */
export function withSession(url: string, session: string): string {
  return session ? `${url}${url.includes('?') ? '&' : '?'}session=${encodeURIComponent(session)}` : url;
}

/** Chooses whose state a tab shows: the project's own, or one live test session's. */
export function SessionPicker({ project, value, onChange }: { project: Project; value: string; onChange: (session: string) => void }) {
  const sessions = useLoad(() => api<{ items: MockSession[] }>('GET', sessionsOf(project)), [project.id]);
  const items = sessions.data?.items ?? [];
  return (
    <div className="row wrap">
      <label>
        Test session{' '}
        <select aria-label="Test session" value={value} onChange={(e) => onChange(e.target.value)} onFocus={() => sessions.reload()}>
          <option value="">The project's own (no session)</option>
          {value && !items.some((s) => s.id === value) && <option value={value}>{value}</option>}
          {items.map((s) => <option key={s.id} value={s.id}>{s.id}</option>)}
        </select>
      </label>
    </div>
  );
}

/** The project's live test sessions: how to start one, when each was used, and a delete that resets it. */
export function Sessions({ project }: { project: Project }) {
  const base = sessionsOf(project);
  const sessions = useLoad(() => api<{ items: MockSession[] }>('GET', base), [base]);
  const [error, setError] = useState<unknown>();
  const [confirm, dialog] = useConfirm();
  const pathForm = project.mockUrl.includes('/m/') ? `${project.mockUrl}~ci-42` : null;

  const remove = async (id: string) => {
    if (!(await confirm(`Delete test session ${id}? Its scenario states, sequence positions, records and requests go; its next request starts it afresh.`))) return;
    setError(undefined);
    try {
      await api('DELETE', `${base}/${encodeURIComponent(id)}`);
      sessions.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  const items = sessions.data?.items ?? [];
  return (
    <div className="stack">
      <p className="muted">
        A request with the header <code>X-Mock-Session: ci-42</code>{pathForm && <> (or to <code>{pathForm}/…</code>)</>} runs in test session
        "ci-42": the project's endpoints and resources, with scenario states, sequence positions, records and a request log of its own. Parallel
        test runs each use their own session; the project's own state is never touched by them. A session ends when deleted or when idle.
      </p>
      <div className="row wrap">
        <code className="url">X-Mock-Session: ci-42</code>
        <CopyButton text="X-Mock-Session: ci-42" label="Copy header" />
      </div>
      <ErrorMessage error={sessions.error ?? error} />
      {sessions.loading && !sessions.data && <p aria-busy="true">Loading…</p>}
      {sessions.data && items.length === 0 && <p>No live test sessions.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Test sessions">
            <thead><tr><th scope="col">Session</th><th scope="col">Started</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"></th></tr></thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <th scope="row"><code>{s.id}</code></th>
                  <td>{formatTime(s.createdAt)}</td>
                  <td>{formatTime(s.lastUsedAt)}</td>
                  <td>{formatTime(s.expiresAt)}</td>
                  <td>{canEdit(project) && <button type="button" className="secondary small" onClick={() => void remove(s.id)} aria-label={`Delete session ${s.id}`}>Delete</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="row"><button type="button" className="secondary" onClick={() => sessions.reload()}>Refresh</button></div>
      {dialog}
    </div>
  );
}
