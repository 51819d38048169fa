import { useState, type FormEvent } from 'react';
import { api, canEdit, ApiError, type Endpoint, type Project } from '../lib/api';
import {
  bodyOperators, definitionFromForm, emptyForm, emptyResponse, faults, fieldOfProblem, formFromDefinition, methods, prettyJson, valueOperators,
  type ConditionRow, type Definition, type EndpointForm, type Operator, type ResponseForm, type Where,
} from '../lib/endpointForm';
import { ErrorMessage, Field, errorText, useConfirm, useLoad } from '../ui';

/** The project's endpoints: a list, and a form (or the raw definition) to create or edit one. */
export function Endpoints({ project }: { project: Project }) {
  const readOnly = !canEdit(project);
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
  const conditionCount = (e: Endpoint) =>
    Object.values(e.request ?? {}).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : Object.keys(v ?? {}).length), 0);
  const status = (e: Endpoint) => e.response?.status ?? e.responses?.[0]?.status ?? '';
  return (
    <div>
      {!readOnly && <div className="row"><button type="button" onClick={() => setEditing('new')}>New endpoint</button></div>}
      <ErrorMessage error={error ?? list.error} />
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Endpoints</caption>
          <thead><tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Status</th><th scope="col" className="hide-small">Name and notes</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {(list.data?.items ?? []).map((endpoint) => (
              <tr key={endpoint.id}>
                <td><span className={`method m-${endpoint.method.toLowerCase()}`}>{endpoint.method}</span></td>
                <td><code>{endpoint.path ?? `~ ${endpoint.pathPattern}`}</code></td>
                <td>{status(endpoint)}{endpoint.responses && endpoint.responses.length > 1 ? ` (+${endpoint.responses.length - 1})` : ''}</td>
                <td className="hide-small">
                  {endpoint.name ?? ''}
                  {conditionCount(endpoint) > 0 && <span className="muted">{endpoint.name ? ' · ' : ''}{conditionCount(endpoint)} condition{conditionCount(endpoint) === 1 ? '' : 's'}</span>}
                  {endpoint.warnings?.length ? <span className="warning" title={endpoint.warnings.join('\n')}> ⚠ {endpoint.warnings.length === 1 ? 'a response can never answer' : `${endpoint.warnings.length} warnings`}</span> : null}
                </td>
                <td className="actions">
                  {!readOnly && <button type="button" className="secondary small" onClick={() => setEditing(endpoint)} aria-label={`Edit ${endpoint.method} ${endpoint.path ?? ''}`}>Edit</button>}
                  {!readOnly && <button type="button" className="danger small" onClick={() => remove(endpoint)} aria-label={`Delete ${endpoint.method} ${endpoint.path ?? ''}`}>Delete</button>}
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
  const setResponse = (i: number, change: Partial<ResponseForm>) =>
    setForm((f) => ({ ...f, responses: f.responses.map((r, j) => (j === i ? { ...r, ...change } : r)) }));
  const setCondition = (i: number, change: Partial<ConditionRow>) =>
    setForm((f) => ({ ...f, conditions: f.conditions.map((c, j) => (j === i ? { ...c, ...change } : c)) }));

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
      {endpoint?.warnings?.map((warning) => <p key={warning} role="note" className="warning">Warning: {warning}</p>)}
      <div className="row" role="group" aria-label="Editor">
        <button type="button" className={rawMode ? 'secondary small' : 'small'} aria-pressed={!rawMode} onClick={toForm} disabled={!rawMode}>Form</button>
        <button type="button" className={rawMode ? 'small' : 'secondary small'} aria-pressed={rawMode} onClick={toRaw} disabled={rawMode}>Raw JSON</button>
      </div>
      {rawMode ? (
        <Field label="Definition (JSON)" hint="Everything the API accepts, including what the form does not show (a response's own conditions, delay distributions, a proxy's headers)">
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
            <Field label="Priority" error={errors.priority} hint="Lower wins; default 5">
              {(id, d) => <input id={id} aria-describedby={d} inputMode="numeric" className="narrow" value={form.priority} onChange={(e) => set('priority', e.target.value)} />}
            </Field>
            <Field label="Name" error={errors.name} hint="Optional: tells variants of one path apart">
              {(id, d) => <input id={id} aria-describedby={d} value={form.name} onChange={(e) => set('name', e.target.value)} />}
            </Field>
          </div>
          <fieldset>
            <legend>Request conditions</legend>
            {!form.conditionsEditable && <p className="muted">These conditions say more than this form shows; they are kept as they are. Edit them in Raw JSON.</p>}
            {form.conditionsEditable && form.conditions.map((row, i) => (
              <div className="row wrap" key={i}>
                <select aria-label={`Condition ${i + 1} on`} value={row.where}
                  onChange={(e) => setCondition(i, { where: e.target.value as Where, operator: e.target.value === 'body' ? 'equalToJson' : 'equalTo' })}>
                  <option value="query">query parameter</option><option value="header">header</option><option value="cookie">cookie</option><option value="body">body</option>
                </select>
                {row.where !== 'body' && <input aria-label={`Condition ${i + 1} name`} placeholder="name" value={row.name} onChange={(e) => setCondition(i, { name: e.target.value })} />}
                <select aria-label={`Condition ${i + 1} test`} value={row.operator} onChange={(e) => setCondition(i, { operator: e.target.value as Operator })}>
                  {(row.where === 'body' ? bodyOperators : valueOperators).map((op) => <option key={op} value={op}>{op}</option>)}
                </select>
                {row.operator !== 'absent' && <input aria-label={`Condition ${i + 1} value`} className="grow" placeholder="value" value={row.value} onChange={(e) => setCondition(i, { value: e.target.value })} />}
                <button type="button" className="secondary small" aria-label={`Remove condition ${i + 1}`} onClick={() => set('conditions', form.conditions.filter((_, j) => j !== i))}>Remove</button>
                {errors[`conditions[${i}]`] && <small className="field-error" role="alert">{errors[`conditions[${i}]`]}</small>}
              </div>
            ))}
            {errors.conditions && <small className="field-error" role="alert">{errors.conditions}</small>}
            {form.conditionsEditable && (
              <div className="row"><button type="button" className="secondary small" onClick={() => set('conditions', [...form.conditions, { where: 'query', name: '', operator: 'equalTo', value: '' }])}>Add condition</button></div>
            )}
          </fieldset>
          {form.responses.length > 1 && (
            <Field label="Several responses: which one answers" hint="first: the first whose scenario state allows; sequence: in turn; random: by weight">
              {(id) => <select id={id} value={form.mode} onChange={(e) => set('mode', e.target.value as EndpointForm['mode'])}>
                <option value="first">first</option><option value="sequence">sequence</option><option value="random">random</option>
              </select>}
            </Field>
          )}
          {form.responses.map((response, i) => (
            <ResponseEditor key={i} index={i} count={form.responses.length} response={response} mode={form.mode} errors={errors}
              onChange={(change) => setResponse(i, change)}
              onRemove={() => set('responses', form.responses.filter((_, j) => j !== i))} />
          ))}
          {errors.responses && <small className="field-error" role="alert">{errors.responses}</small>}
          <div className="row"><button type="button" className="secondary small" onClick={() => set('responses', [...form.responses, { ...emptyResponse }])}>Add response</button></div>
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

function ResponseEditor({ index, count, response, mode, errors, onChange, onRemove }: {
  index: number; count: number; response: ResponseForm; mode: EndpointForm['mode']; errors: Record<string, string>;
  onChange: (change: Partial<ResponseForm>) => void; onRemove: () => void;
}) {
  const err = (name: string) => errors[`responses[${index}].${name}`];
  const one = count === 1;
  const label = (text: string) => (one ? text : `${text} (response ${index + 1})`);
  return (
    <fieldset>
      <legend>{one ? 'Response' : `Response ${index + 1}`}</legend>
      <div className="row wrap">
        <Field label={label('Status')} error={err('status')}>
          {(id, d) => <input id={id} aria-describedby={d} aria-invalid={!!err('status')} inputMode="numeric" className="narrow" value={response.status} onChange={(e) => onChange({ status: e.target.value })} />}
        </Field>
        <Field label={label('Delay (ms)')} error={err('delayMs')}>
          {(id, d) => <input id={id} aria-describedby={d} inputMode="numeric" className="narrow" value={response.delayMs} onChange={(e) => onChange({ delayMs: e.target.value })} />}
        </Field>
        <Field label={label('Content type')} error={err('contentType')}>
          {(id, d) => <input id={id} aria-describedby={d} list="content-types" value={response.contentType} onChange={(e) => onChange({ contentType: e.target.value })} />}
        </Field>
        <datalist id="content-types"><option value="application/json" /><option value="text/plain; charset=utf-8" /><option value="text/html; charset=utf-8" /><option value="application/xml" /></datalist>
        <Field label={label('Fault')} error={err('fault')}>
          {(id, d) => <select id={id} aria-describedby={d} value={response.fault} onChange={(e) => onChange({ fault: e.target.value })}>{faults.map((f) => <option key={f} value={f}>{f || 'none'}</option>)}</select>}
        </Field>
        {mode === 'random' && !one && (
          <Field label={label('Weight')} error={err('weight')}>
            {(id, d) => <input id={id} aria-describedby={d} inputMode="numeric" className="narrow" placeholder="1" value={response.weight} onChange={(e) => onChange({ weight: e.target.value })} />}
          </Field>
        )}
        <label className="check"><input type="checkbox" checked={response.template} onChange={(e) => onChange({ template: e.target.checked })} /> Template ({'{{request.path.id}}'} and helpers)</label>
      </div>
      <details open={!!(response.proxyUrl || err('proxy.baseUrl'))}>
        <summary>Proxy to a real API</summary>
        <Field label={label('Proxy to (base URL)')} error={err('proxy.baseUrl')} hint="The request is forwarded there (its path appended) and the real answer is sent back; the body above is not used">
          {(id, d) => <input id={id} aria-describedby={d} type="url" placeholder="https://api.example.com" value={response.proxyUrl} onChange={(e) => onChange({ proxyUrl: e.target.value })} />}
        </Field>
      </details>
      <details open={!!(response.scenarioName || err('scenarioName'))}>
        <summary>Scenario</summary>
        <div className="row wrap">
          <Field label={label('Scenario name')} error={err('scenarioName')}>{(id, d) => <input id={id} aria-describedby={d} value={response.scenarioName} onChange={(e) => onChange({ scenarioName: e.target.value })} />}</Field>
          <Field label={label('Only in state')} hint="Started is the first state">{(id) => <input id={id} value={response.requiredState} onChange={(e) => onChange({ requiredState: e.target.value })} />}</Field>
          <Field label={label('Then move to state')}>{(id) => <input id={id} value={response.newState} onChange={(e) => onChange({ newState: e.target.value })} />}</Field>
        </div>
      </details>
      <fieldset>
        <legend>Headers</legend>
        {response.headers.map((row, i) => (
          <div className="row wrap" key={i}>
            <input aria-label={label(`Header ${i + 1} name`)} placeholder="Name" value={row.name} onChange={(e) => onChange({ headers: response.headers.map((r, j) => (j === i ? { ...r, name: e.target.value } : r)) })} />
            <input aria-label={label(`Header ${i + 1} value`)} placeholder="Value" value={row.value} onChange={(e) => onChange({ headers: response.headers.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)) })} />
            <button type="button" className="secondary small" aria-label={label(`Remove header ${i + 1}`)} onClick={() => onChange({ headers: response.headers.filter((_, j) => j !== i) })}>Remove</button>
          </div>
        ))}
        {err('headers') && <small className="field-error" role="alert">{err('headers')}</small>}
        <div className="row"><button type="button" className="secondary small" onClick={() => onChange({ headers: [...response.headers, { name: '', value: '' }] })}>Add header</button></div>
      </fieldset>
      <Field label={label('Body')} error={err('body')}>
        {(id, d) => <textarea id={id} aria-describedby={d} aria-invalid={!!err('body')} className="code" rows={8} spellCheck={false} value={response.body} onChange={(e) => onChange({ body: e.target.value })} />}
      </Field>
      <div className="row">
        <button type="button" className="secondary small" onClick={() => {
          const pretty = prettyJson(response.body);
          if (pretty !== null) onChange({ body: pretty });
        }}>Format JSON</button>
        {!one && <button type="button" className="danger small" onClick={onRemove}>Remove response {index + 1}</button>}
      </div>
    </fieldset>
  );
}
