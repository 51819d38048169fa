import { useState, type FormEvent } from 'react';
import { api, canEdit, problemOf, raw, type Project, type Resource } from '../lib/api';
import { cellText, columnsOf, nextSort, recordsQuery, type TableQuery } from '../lib/records';
import { prettyJson } from '../lib/endpointForm';
import { ErrorMessage, Field, useConfirm, useLoad } from '../ui';

/** The project's resources (json-server style collections): define them, then browse and edit their records. */
export function Resources({ project }: { project: Project }) {
  const base = `/api/v1/projects/${encodeURIComponent(project.id)}/resources`;
  const list = useLoad(() => api<{ items: Resource[] }>('GET', base), [base]);
  const [selected, setSelected] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [confirm, dialog] = useConfirm();
  const [name, setName] = useState('');
  const [schema, setSchema] = useState('');
  const [seed, setSeed] = useState('');
  const [idField, setIdField] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const errors: Record<string, string> = {};
    const parse = (text: string, field: string) => {
      if (text.trim() === '') return undefined;
      try { return JSON.parse(text); } catch (caught) { errors[field] = `not valid JSON: ${(caught as Error).message}`; return undefined; }
    };
    const body = { name, schema: parse(schema, 'schema'), seed: parse(seed, 'seed'), idField: idField.trim() || undefined };
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    try {
      await api('POST', base, body);
      setName(''); setSchema(''); setSeed(''); setIdField('');
      setSelected(body.name);
      list.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  const remove = async (resource: Resource) => {
    if (!(await confirm(`Delete the resource "${resource.name}" and all its records?`))) return;
    try {
      await api('DELETE', `${base}/${encodeURIComponent(resource.name)}`);
      if (selected === resource.name) setSelected(undefined);
      list.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  const current = list.data?.items.find((r) => r.name === selected);
  return (
    <div>
      <ErrorMessage error={error ?? list.error} />
      <div className="row wrap" role="list" aria-label="Resources">
        {(list.data?.items ?? []).map((resource) => (
          <span role="listitem" key={resource.name} className="chip">
            <button type="button" className={selected === resource.name ? 'small' : 'secondary small'} aria-pressed={selected === resource.name}
              onClick={() => setSelected(resource.name)}>{resource.name}</button>
            {canEdit(project) && <button type="button" className="danger small" aria-label={`Delete resource ${resource.name}`} onClick={() => remove(resource)}>×</button>}
          </span>
        ))}
        {list.data && list.data.items.length === 0 && <span role="listitem" className="muted">No resources yet.</span>}
      </div>
      {current && <Records key={current.name} project={project} resource={current} base={base} onError={setError} />}
      {canEdit(project) && <details open={list.data?.items.length === 0}>
        <summary>New resource</summary>
        <form onSubmit={create} aria-label="New resource" className="stack">
          <div className="row wrap">
            <Field label="Name" hint="Served at /m/slug/name">{(id) => <input id={id} required value={name} onChange={(e) => setName(e.target.value)} />}</Field>
            <Field label="Id field (optional)" hint="Default: id">{(id) => <input id={id} value={idField} onChange={(e) => setIdField(e.target.value)} />}</Field>
          </div>
          <Field label="JSON Schema (optional)" error={fieldErrors.schema}>{(id, d) => <textarea id={id} aria-describedby={d} className="code" rows={5} value={schema} onChange={(e) => setSchema(e.target.value)} />}</Field>
          <Field label="Seed (optional): an array of records, or one object for a singular resource" error={fieldErrors.seed}>
            {(id, d) => <textarea id={id} aria-describedby={d} className="code" rows={5} value={seed} onChange={(e) => setSeed(e.target.value)} />}
          </Field>
          <div className="row"><button type="submit">Create resource</button></div>
        </form>
      </details>}
      {dialog}
    </div>
  );
}

type Row = Record<string, unknown>;

function Records({ project, resource, base, onError }: { project: Project; resource: Resource; base: string; onError: (error: unknown) => void }) {
  // Shown to copy; the table reads and writes through the management API (not logged or counted as mock traffic).
  const url = `/m/${encodeURIComponent(project.slug)}/${encodeURIComponent(resource.name)}`;
  const records = `${base}/${encodeURIComponent(resource.name)}/records`;
  const idField = resource.idField ?? 'id';
  const [query, setQuery] = useState<TableQuery>({ page: 1, limit: 10, filter: '' });
  const [filterText, setFilterText] = useState('');
  const [editing, setEditing] = useState<{ key?: unknown; text: string }>();
  const [editError, setEditError] = useState<string>();
  const { search, error: filterError } = recordsQuery(query);
  const page = useLoad(async () => {
    if (filterError) return { rows: [] as Row[], total: 0 };
    const response = await raw('GET', records + search);
    if (response.status >= 400) throw problemOf(response);
    const body = JSON.parse(response.text) as Row[] | Row;
    return Array.isArray(body) ? { rows: body, total: Number(response.headers.get('X-Total-Count') ?? body.length) } : { rows: [body], total: 1, single: true };
  }, [records, search]);
  const singular = resource.kind === 'singular';
  const editable = canEdit(project);
  const rows = page.data?.rows ?? [];
  const columns = columnsOf(rows, idField);
  const pages = Math.max(1, Math.ceil((page.data?.total ?? 0) / query.limit));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    let record: unknown;
    try { record = JSON.parse(editing.text); } catch (caught) { setEditError(`not valid JSON: ${(caught as Error).message}`); return; }
    const target = singular ? records : editing.key === undefined ? records : `${records}/${encodeURIComponent(String(editing.key))}`;
    const response = await raw(singular || editing.key !== undefined ? 'PUT' : 'POST', target, record);
    if (response.status >= 400) { setEditError(problemOf(response).message); return; }
    setEditing(undefined);
    setEditError(undefined);
    page.reload();
  };
  const remove = async (row: Row) => {
    const response = await raw('DELETE', `${records}/${encodeURIComponent(String(row[idField]))}`);
    if (response.status >= 400) onError(problemOf(response)); else page.reload();
  };
  const reset = async () => {
    try { await api('POST', `${base}/${encodeURIComponent(resource.name)}/reset`); page.reload(); } catch (caught) { onError(caught); }
  };

  return (
    <section aria-label={`Records of ${resource.name}`} className="stack">
      <div className="row wrap">
        <h2>{resource.name}</h2>
        <code className="url">{url}</code>
        {editable && <>
          <button type="button" className="secondary small" onClick={reset}>Reset to seed</button>
          <button type="button" className="small" onClick={() => { setEditing({ text: singular ? JSON.stringify(rows[0] ?? {}, null, 2) : '{\n  \n}' }); setEditError(undefined); }}>
            {singular ? 'Edit' : 'Add record'}
          </button>
        </>}
      </div>
      {!singular && (
        <form className="row wrap" onSubmit={(e) => { e.preventDefault(); setQuery({ ...query, filter: filterText, page: 1 }); }} role="search" aria-label="Filter records">
          <Field label="Filter" error={filterError} hint="json-server syntax: title_like=rest views_gte=10 author.name=ann, or words to search">
            {(id, d) => <input id={id} aria-describedby={d} className="wide" value={filterText} onChange={(e) => setFilterText(e.target.value)} />}
          </Field>
          <button type="submit" className="secondary">Apply</button>
        </form>
      )}
      {editing && (
        <form onSubmit={save} aria-label={editing.key === undefined ? 'New record' : 'Edit record'} className="stack">
          <Field label={editing.key === undefined ? 'New record (JSON)' : `Record ${String(editing.key)} (JSON)`} error={editError}>
            {(id, d) => <textarea id={id} aria-describedby={d} className="code" rows={8} spellCheck={false} value={editing.text} onChange={(e) => setEditing({ ...editing, text: e.target.value })} />}
          </Field>
          <div className="row">
            <button type="submit">Save record</button>
            <button type="button" className="secondary" onClick={() => { const p = prettyJson(editing.text); if (p) setEditing({ ...editing, text: p }); }}>Format JSON</button>
            <button type="button" className="secondary" onClick={() => setEditing(undefined)}>Cancel</button>
          </div>
        </form>
      )}
      <ErrorMessage error={page.error} />
      <div className="table-wrap">
        <table className="records">
          <caption className="visually-hidden">Records of {resource.name}</caption>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column} scope="col" aria-sort={query.sort === column ? (query.order === 'desc' ? 'descending' : 'ascending') : 'none'}>
                  {singular ? column : <button type="button" className="link" onClick={() => setQuery(nextSort(query, column))}>
                    {column}{query.sort === column ? (query.order === 'desc' ? ' ↓' : ' ↑') : ''}
                  </button>}
                </th>
              ))}
              {!singular && editable && <th scope="col"><span className="visually-hidden">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={String(row[idField] ?? i)}>
                {columns.map((column) => <td key={column}>{cellText(row[column])}</td>)}
                {!singular && editable && (
                  <td className="actions">
                    <button type="button" className="secondary small" aria-label={`Edit record ${cellText(row[idField])}`}
                      onClick={() => { setEditing({ key: row[idField], text: JSON.stringify(row, null, 2) }); setEditError(undefined); }}>Edit</button>
                    <button type="button" className="danger small" aria-label={`Delete record ${cellText(row[idField])}`} onClick={() => remove(row)}>Delete</button>
                  </td>
                )}
              </tr>
            ))}
            {page.data && rows.length === 0 && <tr><td colSpan={columns.length + 1} className="muted">No records.</td></tr>}
          </tbody>
        </table>
      </div>
      {!singular && (
        <div className="row">
          <button type="button" className="secondary" disabled={query.page <= 1} onClick={() => setQuery({ ...query, page: query.page - 1 })}>Previous</button>
          <span aria-live="polite">Page {query.page} of {pages} ({page.data?.total ?? 0} records)</span>
          <button type="button" className="secondary" disabled={query.page >= pages} onClick={() => setQuery({ ...query, page: query.page + 1 })}>Next</button>
        </div>
      )}
    </section>
  );
}
