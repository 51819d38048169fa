import { useState, type FormEvent } from 'react';
import { api } from '../lib/api';
import { ErrorMessage, Field, useConfirm } from '../ui';

export interface Environment { id: string; name: string; variables: Record<string, string>; secrets?: string[] }

interface Loaded { data?: { items: Environment[] }; error?: unknown; reload: () => void }

interface VariableRow { name: string; value: string; secret: boolean }

/** Environments of {{variables}}: create, edit (secret ones are sent but kept out of the history), delete. */
export function Environments({ list }: { list: Loaded }) {
  const [editing, setEditing] = useState<{ id?: string; name: string; rows: VariableRow[] }>();
  const [error, setError] = useState<unknown>();
  const [confirm, dialog] = useConfirm();

  const open = (env?: Environment) => setEditing(env
    ? { id: env.id, name: env.name, rows: Object.entries(env.variables).map(([name, value]) => ({ name, value, secret: env.secrets?.includes(name) ?? false })) }
    : { name: '', rows: [{ name: '', value: '', secret: false }] });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    const rows = editing.rows.filter((r) => r.name.trim() !== '');
    const body = { name: editing.name, variables: Object.fromEntries(rows.map((r) => [r.name.trim(), r.value])), secrets: rows.filter((r) => r.secret).map((r) => r.name.trim()) };
    setError(undefined);
    try {
      if (editing.id) await api('PUT', `/api/v1/environments/${encodeURIComponent(editing.id)}`, body);
      else await api('POST', '/api/v1/environments', body);
      setEditing(undefined);
      list.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  const update = (i: number, row: Partial<VariableRow>) => editing && setEditing({ ...editing, rows: editing.rows.map((r, j) => (j === i ? { ...r, ...row } : r)) });
  return (
    <div className="stack">
      <ErrorMessage error={error ?? list.error} />
      <ul className="plain">
        {(list.data?.items ?? []).map((env) => (
          <li key={env.id} className="row">
            <button type="button" className="link grow left" onClick={() => open(env)}>{env.name}</button>
            <span className="muted">{Object.keys(env.variables).length} variables</span>
            <button type="button" className="danger small" aria-label={`Delete environment ${env.name}`} onClick={async () => {
              if (await confirm(`Delete the environment "${env.name}"?`)) {
                try { await api('DELETE', `/api/v1/environments/${encodeURIComponent(env.id)}`); list.reload(); } catch (caught) { setError(caught); }
              }
            }}>×</button>
          </li>
        ))}
      </ul>
      {!editing && <div className="row"><button type="button" className="secondary small" onClick={() => open()}>New environment</button></div>}
      {editing && (
        <form onSubmit={save} className="stack" aria-label="Environment">
          <Field label="Environment name">{(id) => <input id={id} required value={editing.name} onChange={(e) => setEditing({ ...editing, name: e.target.value })} />}</Field>
          {editing.rows.map((row, i) => (
            <div key={i} className="row wrap">
              <input aria-label={`Variable ${i + 1} name`} placeholder="name" value={row.name} onChange={(e) => update(i, { name: e.target.value })} />
              <input aria-label={`Variable ${i + 1} value`} placeholder="value" type={row.secret ? 'password' : 'text'} value={row.value} onChange={(e) => update(i, { value: e.target.value })} />
              <label className="check"><input type="checkbox" checked={row.secret} onChange={(e) => update(i, { secret: e.target.checked })} /> secret</label>
            </div>
          ))}
          <div className="row wrap">
            <button type="button" className="secondary small" onClick={() => setEditing({ ...editing, rows: [...editing.rows, { name: '', value: '', secret: false }] })}>Add variable</button>
            <button type="submit" className="small">Save environment</button>
            <button type="button" className="secondary small" onClick={() => setEditing(undefined)}>Cancel</button>
          </div>
        </form>
      )}
      {dialog}
    </div>
  );
}
