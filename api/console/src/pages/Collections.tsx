import { useState, type FormEvent } from 'react';
import { api, download, sendText } from '../lib/api';
import { bodyOf, joinUrl, type TesterDraft } from '../lib/tester';
import { ErrorMessage, Field, useConfirm, useLoad } from '../ui';
import type { SendResult } from './Tester';

export interface CollectionItem {
  id: string;
  kind: string;
  name: string;
  method?: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  query?: string;
  variables?: unknown;
  operationName?: string;
}

interface Collection { id: string; name: string; items: CollectionItem[] }

/** Saved requests in collections: create, rename, add the current request, reorder, open or run an item. */
export function Collections({ draft, environmentId, onOpen, onRun }: { draft: TesterDraft; environmentId: string; onOpen: (item: CollectionItem) => void; onRun: (result: SendResult) => void }) {
  const list = useLoad(() => api<{ items: Collection[] }>('GET', '/api/v1/collections'), []);
  const [name, setName] = useState('');
  const [naming, setNaming] = useState<{ collection: Collection; mode: 'add' | 'rename'; value: string }>();
  const [error, setError] = useState<unknown>();
  const [confirm, dialog] = useConfirm();
  const act = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try { await action(); list.reload(); } catch (caught) { setError(caught); }
  };

  const create = (event: FormEvent) => {
    event.preventDefault();
    act(async () => { await api('POST', '/api/v1/collections', { name }); setName(''); });
  };

  const addCurrent = (collection: Collection, itemName: string) => act(async () => {
    const graphql = draft.bodyKind === 'graphql';
    const headers = Object.fromEntries(draft.headers.filter((h) => h.enabled && h.name).map((h) => [h.name, h.value]));
    let variables: unknown = undefined;
    if (graphql && draft.graphqlVariables.trim()) variables = JSON.parse(draft.graphqlVariables);
    const body = graphql ? undefined : bodyOf(draft);
    if (body?.contentType && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = body.contentType;
    await api('POST', `/api/v1/collections/${encodeURIComponent(collection.id)}/items`, {
      kind: graphql ? 'graphql' : 'rest', name: itemName, method: graphql ? undefined : draft.method, url: joinUrl(draft.url, draft.params),
      headers, body: body?.body, query: graphql ? draft.graphqlQuery : undefined, variables,
    });
  });

  const move = (collection: Collection, index: number, by: number) => act(async () => {
    const ids = collection.items.map((i) => i.id);
    const [moved] = ids.splice(index, 1);
    ids.splice(index + by, 0, moved);
    await api('POST', `/api/v1/collections/${encodeURIComponent(collection.id)}/reorder`, { itemIds: ids });
  });

  const run = (collection: Collection, item: CollectionItem) => act(async () => {
    const query = environmentId ? `?environment=${encodeURIComponent(environmentId)}` : '';
    onRun(await api<SendResult>('POST', `/api/v1/collections/${encodeURIComponent(collection.id)}/items/${encodeURIComponent(item.id)}/run${query}`));
  });

  const importPostman = (file: File | undefined) => file && act(async () => {
    await sendText('POST', '/api/v1/collections/import', await file.text(), 'application/json');
  });

  const exportPostman = (collection: Collection) => act(async () => {
    const exported = await api<unknown>('GET', `/api/v1/collections/${encodeURIComponent(collection.id)}/export?format=postman`);
    download(`${collection.name.replace(/[^\w.-]+/g, '_')}.postman_collection.json`, JSON.stringify(exported, null, 2));
  });

  const saveName = (event: FormEvent) => {
    event.preventDefault();
    if (!naming) return;
    const { collection, mode, value } = naming;
    setNaming(undefined);
    if (mode === 'add') addCurrent(collection, value);
    else act(() => api('PATCH', `/api/v1/collections/${encodeURIComponent(collection.id)}`, { name: value }));
  };

  return (
    <div className="stack">
      <form onSubmit={create} className="row wrap" aria-label="New collection">
        <Field label="New collection">{(id) => <input id={id} required value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <button type="submit" className="small">Create</button>
      </form>
      <Field label="Import a Postman collection (v2.1 or v2.0)">
        {(id) => <input id={id} type="file" accept=".json,application/json" onChange={(e) => { importPostman(e.target.files?.[0]); e.target.value = ''; }} />}
      </Field>
      <ErrorMessage error={error ?? list.error} />
      <ul className="tree" aria-label="Collections">
        {(list.data?.items ?? []).map((collection) => (
          <li key={collection.id}>
            <details open>
              <summary>{collection.name} <span className="muted">({collection.items.length})</span></summary>
              <div className="row wrap">
                <button type="button" className="secondary small"
                  onClick={() => setNaming({ collection, mode: 'add', value: `${draft.method} ${draft.url}`.slice(0, 100) })}>Add current request</button>
                <button type="button" className="secondary small" onClick={() => setNaming({ collection, mode: 'rename', value: collection.name })}>Rename</button>
                <button type="button" className="secondary small" aria-label={`Export ${collection.name} for Postman`} onClick={() => exportPostman(collection)}>Export</button>
                <button type="button" className="danger small" onClick={async () => {
                  if (await confirm(`Delete the collection "${collection.name}"?`)) act(() => api('DELETE', `/api/v1/collections/${encodeURIComponent(collection.id)}`));
                }}>Delete</button>
              </div>
              {naming?.collection.id === collection.id && (
                <form onSubmit={saveName} className="row wrap" aria-label={naming.mode === 'add' ? 'Save the current request' : 'Rename the collection'}>
                  <Field label={naming.mode === 'add' ? 'Name of the saved request' : 'New name'}>
                    {(id) => <input id={id} required autoFocus maxLength={200} value={naming.value} onChange={(e) => setNaming({ ...naming, value: e.target.value })} />}
                  </Field>
                  <button type="submit" className="small">Save</button>
                  <button type="button" className="secondary small" onClick={() => setNaming(undefined)}>Cancel</button>
                </form>
              )}
              <ol>
                {collection.items.map((item, i) => (
                  <li key={item.id} className="row wrap">
                    <button type="button" className="link grow left" onClick={() => onOpen(item)} aria-label={`Open ${item.name}`}>
                      <span className={`method m-${(item.method ?? 'post').toLowerCase()}`}>{item.kind === 'graphql' ? 'GQL' : item.method}</span> {item.name}
                    </button>
                    <button type="button" className="secondary small" aria-label={`Run ${item.name}`} onClick={() => run(collection, item)}>Run</button>
                    <button type="button" className="secondary small" aria-label={`Move ${item.name} up`} disabled={i === 0} onClick={() => move(collection, i, -1)}>↑</button>
                    <button type="button" className="secondary small" aria-label={`Move ${item.name} down`} disabled={i === collection.items.length - 1} onClick={() => move(collection, i, 1)}>↓</button>
                    <button type="button" className="danger small" aria-label={`Delete ${item.name}`}
                      onClick={() => act(() => api('DELETE', `/api/v1/collections/${encodeURIComponent(collection.id)}/items/${encodeURIComponent(item.id)}`))}>×</button>
                  </li>
                ))}
              </ol>
            </details>
          </li>
        ))}
      </ul>
      {dialog}
    </div>
  );
}
