import { useState, type FormEvent } from 'react';
import { api, canEdit, type Endpoint, type Project } from '../lib/api';
import { ErrorMessage, Field, useLoad } from '../ui';

interface GraphQlDefinition {
  schema: string;
  values?: Record<string, unknown>;
}

const exampleSchema = `type Query {
  user(id: ID!): User
  users: [User!]!
}

type User {
  id: ID!
  name: String!
  email: String
}`;

const graphqlOf = (endpoint: Endpoint) => (endpoint.response as { graphql?: GraphQlDefinition } | undefined)?.graphql;

/**
 * GraphQL APIs of the project: a schema (SDL) and the values its fields answer (the rest is generated from the
 * types), and a panel to try an operation against the mock.
 */
export function GraphQl({ project }: { project: Project }) {
  const base = `/api/v1/projects/${encodeURIComponent(project.id)}/endpoints`;
  const endpoints = useLoad(() => api<{ items: Endpoint[] }>('GET', `${base}?limit=500`), [base]);
  const apis = (endpoints.data?.items ?? []).filter((e) => graphqlOf(e));
  const [editing, setEditing] = useState<Endpoint>();
  const [path, setPath] = useState('/graphql');
  const [schema, setSchema] = useState(exampleSchema);
  const [values, setValues] = useState('{\n  "Query.user": { "id": "{{args.id}}", "name": "Ada Lovelace" }\n}');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState('');
  const [query, setQuery] = useState('query GetUser($id: ID!) {\n  user(id: $id) { id name email }\n}');
  const [variables, setVariables] = useState('{ "id": "7" }');
  const [answer, setAnswer] = useState<string>();

  const open = (endpoint?: Endpoint) => {
    setEditing(endpoint);
    setSaved('');
    setError(undefined);
    const definition = endpoint ? graphqlOf(endpoint) : undefined;
    setPath(endpoint?.path ?? '/graphql');
    setSchema(definition?.schema ?? exampleSchema);
    setValues(JSON.stringify(definition?.values ?? {}, null, 2));
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSaved('');
    let parsed: unknown;
    try {
      parsed = values.trim() ? JSON.parse(values) : undefined;
    } catch {
      setError(new Error('Values must be JSON: an object keyed "Type.field", for example {"Query.user": {"name": "Ada"}}'));
      return;
    }
    const body = { method: 'ANY', path, graphql: { schema, values: parsed } };
    try {
      const endpoint = editing
        ? await api<Endpoint>('PUT', `${base}/${encodeURIComponent(editing.id)}`, body)
        : await api<Endpoint>('POST', base, body);
      setEditing(endpoint);
      setSaved(`Saved: ${project.mockUrl}${path}`);
      endpoints.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  const run = async (event: FormEvent) => {
    event.preventDefault();
    setAnswer(undefined);
    let vars: unknown;
    try {
      vars = variables.trim() ? JSON.parse(variables) : undefined;
    } catch {
      setAnswer('Variables must be a JSON object.');
      return;
    }
    try {
      const result = await api<unknown>('POST', `/m/${encodeURIComponent(project.slug)}${path}`, { query, variables: vars });
      setAnswer(JSON.stringify(result, null, 2));
    } catch (caught) {
      setAnswer(caught instanceof Error ? caught.message : String(caught));
    }
  };

  return (
    <div className="stack">
      <p className="muted">
        A GraphQL API from its schema: operations are checked against it, introspection works (GraphiQL, Apollo, graphql-request), fields
        answer the values given here (<code>"Type.field"</code>; <code>{'{{args.id}}'}</code> and <code>{'{{variables.id}}'}</code> are replaced) or data
        generated from their types, the same for the same query.
      </p>
      <ErrorMessage error={endpoints.error} />
      <div className="row wrap">
        {apis.map((e) => (
          <button key={e.id} type="button" className={editing?.id === e.id ? 'small' : 'secondary small'} onClick={() => open(e)}>{e.path}</button>
        ))}
        {canEdit(project) && <button type="button" className="secondary small" onClick={() => open(undefined)}>New GraphQL API</button>}
      </div>
      <form onSubmit={save} aria-label="GraphQL API" className="stack">
        <Field label="Path">{(id) => <input id={id} required value={path} onChange={(e) => setPath(e.target.value)} />}</Field>
        <Field label="Schema (SDL)">{(id) => <textarea id={id} className="code" rows={12} required value={schema} onChange={(e) => setSchema(e.target.value)} spellCheck={false} />}</Field>
        <Field label="Values" hint='A JSON object keyed "Type.field"; fields not given are generated from their types.'>
          {(id, describedBy) => <textarea id={id} className="code" rows={6} value={values} aria-describedby={describedBy} onChange={(e) => setValues(e.target.value)} spellCheck={false} />}
        </Field>
        <ErrorMessage error={error} />
        {saved && <p role="status">{saved}</p>}
        {canEdit(project) && <div className="row"><button type="submit">{editing ? 'Save GraphQL API' : 'Create GraphQL API'}</button></div>}
      </form>
      <form onSubmit={run} aria-label="Try an operation" className="stack">
        <h2>Try it</h2>
        <Field label="Operation">{(id) => <textarea id={id} className="code" rows={6} value={query} onChange={(e) => setQuery(e.target.value)} spellCheck={false} />}</Field>
        <Field label="Variables">{(id) => <textarea id={id} className="code" rows={3} value={variables} onChange={(e) => setVariables(e.target.value)} spellCheck={false} />}</Field>
        <div className="row"><button type="submit">Run</button></div>
        {answer !== undefined && <pre className="answer" data-testid="graphql-answer" tabIndex={0}>{answer}</pre>}
      </form>
    </div>
  );
}
