import { useState } from 'react';
import { api, canEdit, type Project, type Scenario } from '../lib/api';
import { ErrorMessage, useConfirm, useLoad } from '../ui';
import { SessionPicker, withSession } from './Sessions';

/** The project's scenarios: the state each is in, moved by hand, and a reset of all (sequences too). */
export function Scenarios({ project }: { project: Project }) {
  const base = `/api/v1/projects/${encodeURIComponent(project.id)}/scenarios`;
  const [session, setSession] = useState('');
  const scenarios = useLoad(() => api<{ items: Scenario[] }>('GET', withSession(base, session)), [base, session]);
  const [error, setError] = useState<unknown>();
  const [confirm, dialog] = useConfirm();

  const move = async (name: string, state: string) => {
    setError(undefined);
    try {
      await api('PUT', withSession(`${base}/${encodeURIComponent(name)}/state`, session), { state });
      scenarios.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  const reset = async () => {
    if (!(await confirm(`Put every scenario back in "Started" and every sequence at its first response${session ? ` in test session ${session}` : ''}?`))) return;
    setError(undefined);
    try {
      await api('POST', withSession(`${base}/reset`, session));
      scenarios.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  const items = scenarios.data?.items ?? [];
  return (
    <div className="stack">
      <p className="muted">A response names a scenario and the state it needs; answering it can move the scenario on. Every scenario starts in "Started".</p>
      <SessionPicker project={project} value={session} onChange={setSession} />
      <ErrorMessage error={scenarios.error ?? error} />
      {scenarios.loading && !scenarios.data && <p aria-busy="true">Loading…</p>}
      {scenarios.data && items.length === 0 && <p>No scenarios yet: give a response a scenario name in the endpoint editor.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Scenarios">
            <thead><tr><th scope="col">Scenario</th><th scope="col">State</th><th scope="col">Move to</th></tr></thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.name}>
                  <th scope="row">{s.name}</th>
                  <td data-testid={`state-${s.name}`}>{s.state}</td>
                  <td>
                    <select aria-label={`State of ${s.name}`} value={s.state} disabled={!canEdit(project)} onChange={(e) => void move(s.name, e.target.value)}>
                      {s.possibleStates.map((state) => <option key={state} value={state}>{state}</option>)}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit(project) && <div className="row"><button type="button" className="secondary" onClick={reset}>Reset scenarios and sequences</button></div>}
      {dialog}
    </div>
  );
}
