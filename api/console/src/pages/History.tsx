import { useState } from 'react';
import { api, type Project } from '../lib/api';
import { ErrorMessage, formatTime, useConfirm, useLoad } from '../ui';

interface Change {
  id: string;
  at: string;
  actor: { userId: string; email?: string };
  action: string;
  target?: string;
  before: unknown;
  after: unknown;
}

const describe: Record<string, string> = {
  'endpoint.created': 'created endpoint',
  'endpoint.changed': 'changed endpoint',
  'endpoint.deleted': 'deleted endpoint',
  'endpoints.changed': 'changed',
  'resource.created': 'created resource',
  'resource.changed': 'changed resource',
  'resource.deleted': 'deleted resource',
  'resources.changed': 'changed',
  'definitions.changed': 'changed',
  'project.changed': 'changed the settings:',
  'project.transferred': 'moved the project to team',
};

/** Lines of two pretty JSON texts, each marked kept, removed or added (a plain line diff, enough to read a change). */
function diff(before: string, after: string): { kind: ' ' | '-' | '+'; text: string }[] {
  const a = before ? before.split('\n') : [];
  const b = after ? after.split('\n') : [];
  // Longest common subsequence over lines (definitions are small: a few hundred lines at most).
  const n = a.length, m = b.length;
  const table = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  const lines: { kind: ' ' | '-' | '+'; text: string }[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { lines.push({ kind: ' ', text: a[i] }); i++; j++; }
    else if (i < n && (j === m || table[i + 1][j] >= table[i][j + 1])) { lines.push({ kind: '-', text: a[i] }); i++; }
    else { lines.push({ kind: '+', text: b[j] }); j++; }
  }
  return lines;
}

const pretty = (value: unknown) => (value === null || value === undefined || (Array.isArray(value) && value.length === 0) ? '' : JSON.stringify(value, null, 2));

/** Every change of the project (endpoints, resources, settings): who, when, what, a diff of before and after, and a restore that undoes it. */
export function History({ project, canEdit }: { project: Project; canEdit: boolean }) {
  const base = `/api/v1/projects/${encodeURIComponent(project.id)}/history`;
  const history = useLoad(() => api<{ items: Change[]; nextCursor?: string }>('GET', `${base}?limit=100`), [base]);
  const [error, setError] = useState<unknown>();
  const [restored, setRestored] = useState('');
  const [confirm, dialog] = useConfirm();

  const restore = async (change: Change) => {
    if (!(await confirm(`Undo this change (${describe[change.action] ?? change.action} ${change.target ?? ''})? What it deleted or changed comes back; what it created goes.`))) return;
    setError(undefined);
    try {
      const result = await api<{ items: unknown[]; resources: unknown[]; project?: unknown }>('POST', `${base}/${encodeURIComponent(change.id)}/restore`);
      const parts = [
        result.items.length > 0 || result.resources.length === 0 ? `${result.items.length} endpoint${result.items.length === 1 ? '' : 's'}` : '',
        result.resources.length > 0 ? `${result.resources.length} resource${result.resources.length === 1 ? '' : 's'}` : '',
        result.project ? 'the settings' : '',
      ].filter((p) => p);
      setRestored(`Restored: ${parts.join(', ')} changed back.`);
      history.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  const items = history.data?.items ?? [];
  return (
    <div className="stack">
      <p className="muted">Every change of the endpoints, resources and settings, newest first. An import or a reset is one change; undoing a change is a change too.</p>
      <ErrorMessage error={history.error ?? error} />
      {restored && <p role="status">{restored}</p>}
      {history.data && items.length === 0 && <p>No changes yet.</p>}
      <ol className="log" aria-label="Changes, newest first">
        {items.map((change) => (
          <li key={change.id}>
            <details>
              <summary>
                <span className="muted">{formatTime(change.at)}</span>{' '}
                <strong>{change.actor.email ?? change.actor.userId}</strong> {describe[change.action] ?? change.action} <code>{change.target}</code>
              </summary>
              <pre className="diff" aria-label={`Difference of change ${change.id}`} tabIndex={0}>
                {diff(pretty(change.before), pretty(change.after)).map((line, i) => (
                  <span key={i} className={line.kind === '+' ? 'added' : line.kind === '-' ? 'removed' : undefined}>{`${line.kind} ${line.text}\n`}</span>
                ))}
              </pre>
              {canEdit && change.action !== 'project.transferred' && <button type="button" className="secondary small" onClick={() => void restore(change)}>Restore</button>}
            </details>
          </li>
        ))}
      </ol>
      {dialog}
    </div>
  );
}
