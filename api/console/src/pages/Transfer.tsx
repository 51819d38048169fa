import { useState, type FormEvent } from 'react';
import { api, canEdit, download, sendText, type ImportPlanItem, type ImportResult, type Project } from '../lib/api';
import { ErrorMessage, Field } from '../ui';

/** JSON or YAML by what the text starts with (the server recognises both; the type only has to be one of them). */
const typeOf = (text: string) => (/^\s*[{[]/.test(text) ? 'application/json' : 'application/yaml');

/** Imports into the project (OpenAPI with a plan shown first, WireMock mappings) and exports it as WireMock mappings. */
export function Transfer({ project }: { project: Project }) {
  return (
    <div className="stack">
      {canEdit(project) && <OpenApiImport project={project} />}
      <WireMockMappings project={project} />
    </div>
  );
}

function OpenApiImport({ project }: { project: Project }) {
  const [source, setSource] = useState<'file' | 'url'>('file');
  const [fileText, setFileText] = useState<string>();
  const [fileName, setFileName] = useState('');
  const [url, setUrl] = useState('');
  const [validate, setValidate] = useState(false);
  const [plan, setPlan] = useState<ImportResult>();
  const [applied, setApplied] = useState<ImportResult>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const run = async (dryRun: boolean) => {
    setError(undefined);
    setBusy(true);
    try {
      const path = `/api/v1/projects/${encodeURIComponent(project.id)}/imports/openapi?dryRun=${dryRun}&validate=${validate}`;
      const result = source === 'url'
        ? await api<ImportResult>('POST', path, { url })
        : await sendText<ImportResult>('POST', path, fileText ?? '', typeOf(fileText ?? ''));
      if (dryRun) {
        setPlan(result);
        setApplied(undefined);
      } else {
        setApplied(result);
        setPlan(undefined);
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const preview = (event: FormEvent) => {
    event.preventDefault();
    void run(true);
  };

  const ready = source === 'url' ? url.trim().length > 0 : fileText !== undefined;
  return (
    <section aria-labelledby="openapi-import">
      <h2 id="openapi-import">Import an OpenAPI document</h2>
      <p className="muted">OpenAPI 3.0, 3.1 or Swagger 2.0, JSON or YAML. Each operation becomes an endpoint; importing again updates what changed and keeps endpoints made by hand.</p>
      <form onSubmit={preview} aria-label="Import an OpenAPI document" className="stack">
        <fieldset className="row wrap">
          <legend>Source</legend>
          <label className="check"><input type="radio" name="openapi-source" checked={source === 'file'} onChange={() => setSource('file')} /> A file</label>
          <label className="check"><input type="radio" name="openapi-source" checked={source === 'url'} onChange={() => setSource('url')} /> A URL</label>
        </fieldset>
        {source === 'file' ? (
          <Field label="OpenAPI file" hint={fileName || undefined}>
            {(id) => <input id={id} type="file" accept=".json,.yaml,.yml,application/json,application/yaml" onChange={async (e) => {
              const file = e.target.files?.[0];
              setPlan(undefined);
              setFileName(file?.name ?? '');
              setFileText(file ? await file.text() : undefined);
            }} />}
          </Field>
        ) : (
          <Field label="Document URL">{(id) => <input id={id} type="url" value={url} placeholder="https://example.com/openapi.json" onChange={(e) => { setUrl(e.target.value); setPlan(undefined); }} />}</Field>
        )}
        <label className="check"><input type="checkbox" checked={validate} onChange={(e) => { setValidate(e.target.checked); setPlan(undefined); }} /> Validate requests against the document (as Prism does: 400/422/415/401 for what breaks it)</label>
        <ErrorMessage error={error} />
        <div className="row">
          <button type="submit" className="secondary" disabled={!ready || busy}>Preview</button>
          <button type="button" disabled={!plan || busy} onClick={() => void run(false)}>Import</button>
        </div>
      </form>
      {plan && <Plan result={plan} heading={`What importing "${plan.title}" ${plan.version} would do`} />}
      {applied && (
        <div role="status" className="notice">
          <p>Imported "{applied.title}" {applied.version}: {applied.plan.create.length} created, {applied.plan.update.length} updated, {applied.plan.unchanged.length} unchanged, {applied.plan.delete.length} deleted.</p>
        </div>
      )}
    </section>
  );
}

function Plan({ result, heading }: { result: ImportResult; heading: string }) {
  const groups: [string, ImportPlanItem[]][] = [
    ['Create', result.plan.create], ['Update', result.plan.update], ['Delete', result.plan.delete], ['Unchanged', result.plan.unchanged],
  ];
  return (
    <section aria-label="Import plan" className="card">
      <h3>{heading}</h3>
      {groups.map(([label, items]) => (
        <div key={label}>
          <h4>{label}: {items.length}</h4>
          {items.length > 0 && label !== 'Unchanged' && (
            <ul className="small-text">
              {items.map((item) => <li key={item.id}><span className="method">{item.method}</span> <code>{item.path}</code>{item.name ? ` — ${item.name}` : ''}</li>)}
            </ul>
          )}
        </div>
      ))}
    </section>
  );
}

function WireMockMappings({ project }: { project: Project }) {
  const admin = `/m/${encodeURIComponent(project.slug)}/__admin/mappings`;
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();

  const importFile = async (file: File | undefined) => {
    if (!file) return;
    setError(undefined);
    setDone(undefined);
    try {
      const text = await file.text();
      // A file of {"mappings":[...]} (what export writes, and WireMock's own export) or one mapping.
      const parsed = JSON.parse(text) as { mappings?: unknown[] };
      if (Array.isArray(parsed.mappings)) {
        await sendText(`POST`, `${admin}/import`, text, 'application/json');
        setDone(`Imported ${parsed.mappings.length} mapping${parsed.mappings.length === 1 ? '' : 's'} from ${file.name}.`);
      } else {
        await sendText('POST', admin, text, 'application/json');
        setDone(`Imported 1 mapping from ${file.name}.`);
      }
    } catch (caught) {
      setError(caught instanceof SyntaxError ? new Error(`${file.name} is not JSON: ${caught.message}`) : caught);
    }
  };

  const exportMappings = async () => {
    setError(undefined);
    try {
      const mappings = await api<unknown>('GET', admin);
      download(`${project.slug}-wiremock-mappings.json`, JSON.stringify(mappings, null, 2));
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section aria-labelledby="wiremock-mappings">
      <h2 id="wiremock-mappings">WireMock mappings</h2>
      <p className="muted">The project's endpoints as WireMock stub mappings: a file WireMock itself (or this project, or another) can load.</p>
      {canEdit(project) && <Field label="Import a mappings file">{(id) => <input id={id} type="file" accept=".json,application/json" onChange={(e) => void importFile(e.target.files?.[0])} />}</Field>}
      <ErrorMessage error={error} />
      {done && <p role="status">{done}</p>}
      <div className="row"><button type="button" className="secondary" onClick={() => void exportMappings()}>Export mappings</button></div>
    </section>
  );
}
