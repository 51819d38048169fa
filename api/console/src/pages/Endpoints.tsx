import { useState, type FormEvent } from 'react';
import { api, ApiError, type Endpoint, type Project } from '../lib/api';
import { definitionFromForm, emptyForm, faults, fieldOfProblem, formFromDefinition, methods, prettyJson, type Definition, type EndpointForm } from '../lib/endpointForm';
import { ErrorMessage, Field, errorText, useConfirm, useLoad } from '../ui';

/** The project's endpoints: a list, and a form (or the raw definition) to create or edit one. */
export function Endpoints({ project }: { project: Project }) {
  const base = `/api/v1/projects/${encodeURIComponent(project.id)}/endpoints`;
  const list = useLoad(() => api<{ items: Endpoint[] }>('GET', base), [base]);
  const [editing, setEditing] = useState<Endpoint | 'new'>();
  const [error, setError] = useState<unknown>();
  const [confirm, dialog] = useConfirm();

  const remove = async (endpoint: Endpoint) => {
    if (!(await confirm(`Delete the endpoint ${endpoint.method} ${endpoint.path ?? endpoint.pathPattern}?`))) return;
    try {
      await api('DELETE', `${base}/${encodeURIComponent(endpoint.id)}`);
      list.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  if (editing) {
    return <EndpointEditor base={base} endpoint={editing === 'new' ? undefined : editing}
      onDone={() => { setEditing(undefined); list.reload(); }} onCancel={() => setEditing(undefined)} />;
  }
  const status = (e: Endpoint) => e.response?.status ?? e.responses?.[0]?.status ?? '';
  return (
    <div>
      <div className="row"><button type="button" onClick={() => setEditing('new')}>New endpoint</button></div>
      <ErrorMessage error={error ?? list.error} />
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Endpoints</caption>
          <thead><tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Status</th><th scope="col" className="hide-small">Name</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {(list.data?.items ?? []).map((endpoint) => (
              <tr key={endpoint.id}>
                <td><span className={`method m-${endpoint.method.toLowerCase()}`}>{endpoint.method}</span></td>
                <td><code>{endpoint.path ?? `~ ${endpoint.pathPattern}`}</code></td>
                <td>{status(endpoint)}{endpoint.responses && endpoint.responses.length > 1 ? ` (+${endpoint.responses.length - 1})` : ''}</td>
                <td className="hide-small">{endpoint.name ?? ''}</td>
                <td className="actions">
                  <button type="button" className="secondary small" onClick={() => setEditing(endpoint)} aria-label={`Edit ${endpoint.method} ${endpoint.path ?? ''}`}>Edit</button>
                  <button type="button" className="danger small" onClick={() => remove(endpoint)} aria-label={`Delete ${endpoint.method} ${endpoint.path ?? ''}`}>Delete</button>
                </td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 && <tr><td colSpan={5} className="muted">No endpoints yet.</td></tr>}
          </tbody>
        </table>
      </div>
      {dialog}
    </div>
  );
}

function EndpointEditor({ base, endpoint, onDone, onCancel }: { base: string; endpoint?: Endpoint; onDone: () => void; onCancel: () => void }) {
  const original = (endpoint ?? {}) as Definition;
  const [form, setForm] = useState<EndpointForm>(endpoint ? formFromDefinition(original) : emptyForm);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [rawMode, setRawMode] = useState(false);
  const [rawText, setRawText] = useState('');
  const set = <K extends keyof EndpointForm>(key: K, value: EndpointForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const send = async (definition: Definition) => {
    setError(undefined);
    try {
      if (endpoint) await api('PUT', `${base}/${encodeURIComponent(endpoint.id)}`, definition);
      else await api('POST', base, definition);
      onDone();
    } catch (caught) {
      const field = caught instanceof ApiError ? fieldOfProblem(caught.detail) : undefined;
      if (field && !rawMode) setErrors({ [field]: errorText(caught) });
      else setError(caught);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (rawMode) {
      try {
        await send(JSON.parse(rawText) as Definition);
      } catch (caught) {
        if (caught instanceof SyntaxError) setError(new Error(`the definition is not valid JSON: ${caught.message}`));
      }
      return;
    }
    const { definition, errors: found } = definitionFromForm(form, original);
    setErrors(found);
    if (definition) await send(definition);
  };

  const toRaw = () => {
    const { definition } = definitionFromForm(form, original);
    setRawText(JSON.stringify(definition ?? original, null, 2));
    setRawMode(true);
  };
  const toForm = () => {
    try {
      setForm(formFromDefinition(JSON.parse(rawText) as Definition));
      setRawMode(false);
      setError(undefined);
    } catch (caught) {
      setError(new Error(`the definition is not valid JSON: ${(caught as Error).message}`));
    }
  };

  return (
    <form onSubmit={submit} aria-label={endpoint ? 'Edit endpoint' : 'New endpoint'} className="stack">
      <h2>{endpoint ? `Edit ${endpoint.method} ${endpoint.path ?? ''}` : 'New endpoint'}</h2>
      <div className="row" role="group" aria-label="Editor">
        <button type="button" className={rawMode ? 'secondary small' : 'small'} aria-pressed={!rawMode} onClick={toForm} disabled={!rawMode}>Form</button>
        <button type="button" className={rawMode ? 'small' : 'secondary small'} aria-pressed={rawMode} onClick={toRaw} disabled={rawMode}>Raw JSON</button>
      </div>
      {rawMode ? (
        <Field label="Definition (JSON)" hint="Everything the API accepts: request conditions, several responses, mode, scenarios, templates, faults">
          {(id) => <textarea id={id} className="code" rows={22} spellCheck={false} value={rawText} onChange={(e) => setRawText(e.target.value)} />}
        </Field>
      ) : (
        <>
          <div className="row wrap">
            <Field label="Method" error={errors.method}>
              {(id, d) => <select id={id} aria-describedby={d} value={form.method} onChange={(e) => set('method', e.target.value)}>{methods.map((m) => <option key={m}>{m}</option>)}</select>}
            </Field>
            <Field label="Path" error={errors.path} hint="Parameters as /users/:id or /users/{id}">
              {(id, d) => <input id={id} aria-describedby={d} aria-invalid={!!errors.path} required value={form.path} onChange={(e) => set('path', e.target.value)} />}
            </Field>
            <Field label="Status" error={errors.status}>
              {(id, d) => <input id={id} aria-describedby={d} aria-invalid={!!errors.status} inputMode="numeric" className="narrow" value={form.status} onChange={(e) => set('status', e.target.value)} />}
            </Field>
            <Field label="Delay (ms)" error={errors.delayMs}>
              {(id, d) => <input id={id} aria-describedby={d} inputMode="numeric" className="narrow" value={form.delayMs} onChange={(e) => set('delayMs', e.target.value)} />}
            </Field>
          </div>
          <fieldset>
            <legend>Response headers</legend>
            {form.headers.map((row, i) => (
              <div className="row wrap" key={i}>
                <input aria-label={`Header ${i + 1} name`} placeholder="Name" value={row.name} onChange={(e) => set('headers', form.headers.map((r, j) => (j === i ? { ...r, name: e.target.value } : r)))} />
                <input aria-label={`Header ${i + 1} value`} placeholder="Value" value={row.value} onChange={(e) => set('headers', form.headers.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))} />
                <button type="button" className="secondary small" aria-label={`Remove header ${i + 1}`} onClick={() => set('headers', form.headers.filter((_, j) => j !== i))}>Remove</button>
              </div>
            ))}
            {errors.headers && <small className="field-error" role="alert">{errors.headers}</small>}
            <button type="button" className="secondary small" onClick={() => set('headers', [...form.headers, { name: '', value: '' }])}>Add header</button>
          </fieldset>
          <div className="row wrap">
            <Field label="Content type" error={errors.contentType}>
              {(id, d) => <input id={id} aria-describedby={d} list="content-types" value={form.contentType} onChange={(e) => set('contentType', e.target.value)} />}
            </Field>
            <datalist id="content-types"><option value="application/json" /><option value="text/plain; charset=utf-8" /><option value="text/html; charset=utf-8" /><option value="application/xml" /></datalist>
            <Field label="Fault" error={errors.fault}>
              {(id, d) => <select id={id} aria-describedby={d} value={form.fault} onChange={(e) => set('fault', e.target.value)}>{faults.map((f) => <option key={f} value={f}>{f || 'none'}</option>)}</select>}
            </Field>
            <label className="check"><input type="checkbox" checked={form.template} onChange={(e) => set('template', e.target.checked)} /> Template ({'{{request.path.id}}'} and helpers)</label>
          </div>
          <Field label="Body" error={errors.body}>
            {(id, d) => <textarea id={id} aria-describedby={d} aria-invalid={!!errors.body} className="code" rows={10} spellCheck={false} value={form.body} onChange={(e) => set('body', e.target.value)} />}
          </Field>
          <div className="row">
            <button type="button" className="secondary small" onClick={() => {
              const pretty = prettyJson(form.body);
              if (pretty === null) setErrors({ ...errors, body: 'body is not valid JSON' }); else { set('body', pretty); setErrors({ ...errors, body: '' }); }
            }}>Format JSON</button>
          </div>
        </>
      )}
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit">{endpoint ? 'Save endpoint' : 'Create endpoint'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
