// The API tester's request as a person builds it: URL with a query table, headers table, body as raw text, a form or
// a GraphQL query with variables, and {{variables}} from an environment.

export interface Row {
  enabled: boolean;
  name: string;
  value: string;
}

export type BodyKind = 'none' | 'raw' | 'form' | 'multipart' | 'graphql';

/** A part of a multipart body: a text field, or a file (its bytes in base64, read from the file picker). */
export interface Part {
  enabled: boolean;
  name: string;
  value: string;
  file?: { name: string; type: string; data: string; size: number };
}

export interface TesterDraft {
  method: string;
  url: string;
  params: Row[];
  headers: Row[];
  bodyKind: BodyKind;
  raw: string;
  rawType: string;
  form: Row[];
  parts: Part[];
  graphqlQuery: string;
  graphqlVariables: string;
}

export const emptyDraft: TesterDraft = {
  method: 'GET', url: '', params: [], headers: [], bodyKind: 'none', raw: '', rawType: 'application/json', form: [], parts: [], graphqlQuery: '', graphqlVariables: '',
};

/** `{{name}}` replaced by the environment's value; unknown names stay as written (the server substitutes its own). */
export function substitute(text: string, variables: Record<string, string>): string {
  return text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (whole, name: string) => (name in variables ? variables[name] : whole));
}

/** The URL without its query, and its query as rows (what the params table shows). */
export function splitUrl(url: string): { base: string; params: Row[] } {
  const question = url.indexOf('?');
  if (question < 0) return { base: url, params: [] };
  const params = url.slice(question + 1).split('&').filter((p) => p.length > 0).map((pair) => {
    const equals = pair.indexOf('=');
    const decode = (s: string) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; } };
    return equals < 0
      ? { enabled: true, name: decode(pair), value: '' }
      : { enabled: true, name: decode(pair.slice(0, equals)), value: decode(pair.slice(equals + 1)) };
  });
  return { base: url.slice(0, question), params };
}

/** The URL with the enabled rows of the params table as its query. `{{variables}}` are kept unencoded. */
export function joinUrl(base: string, params: Row[]): string {
  const encode = (s: string) => s.split(/(\{\{[^}]*\}\})/).map((part, i) => (i % 2 === 1 ? part : encodeURIComponent(part))).join('');
  const query = params.filter((p) => p.enabled && p.name !== '').map((p) => `${encode(p.name)}=${encode(p.value)}`).join('&');
  return query ? `${base}?${query}` : base;
}

/** The body and content type the draft sends, or an error to show by the body editor. */
export function bodyOf(draft: TesterDraft): { body?: string; contentType?: string; error?: string } {
  switch (draft.bodyKind) {
    case 'raw':
      return { body: draft.raw, contentType: draft.rawType || undefined };
    case 'form':
      return {
        body: draft.form.filter((r) => r.enabled && r.name !== '').map((r) => `${encodeURIComponent(r.name)}=${encodeURIComponent(r.value)}`).join('&'),
        contentType: 'application/x-www-form-urlencoded',
      };
    case 'graphql': {
      let variables: unknown = undefined;
      if (draft.graphqlVariables.trim() !== '') {
        try {
          variables = JSON.parse(draft.graphqlVariables);
        } catch (error) {
          return { error: `variables are not valid JSON: ${(error as Error).message}` };
        }
      }
      return { body: JSON.stringify(variables === undefined ? { query: draft.graphqlQuery } : { query: draft.graphqlQuery, variables }), contentType: 'application/json' };
    }
    default:
      return {};
  }
}

/**
 * What POST /api/v1/tester/send takes for the draft. `{{variables}}` are left for the server, which substitutes the
 * chosen environment (and keeps its secrets out of the history); <paramref name="variables"/> only check the URL.
 */
export function sendRequest(draft: TesterDraft, variables: Record<string, string>, environmentId?: string): { request?: Record<string, unknown>; error?: string } {
  const { body, contentType, error } = bodyOf(draft);
  if (error) return { error };
  const url = joinUrl(draft.url.trim(), draft.params);
  if (!/^https?:\/\//i.test(substitute(url, variables))) return { error: 'the URL must start with http:// or https://' };
  const headers: Record<string, string> = {};
  for (const row of draft.headers) {
    if (row.enabled && row.name.trim() !== '') headers[row.name.trim()] = row.value;
  }
  if (draft.bodyKind === 'multipart') {
    // The server builds the body and its Content-Type (with the boundary).
    const multipart = draft.parts.filter((p) => p.enabled && p.name !== '').map((p) => (p.file
      ? { name: p.name, filename: p.file.name, contentType: p.file.type || 'application/octet-stream', data: p.file.data }
      : { name: p.name, value: p.value }));
    return { request: { method: draft.method, url, headers, multipart, environment: environmentId || undefined } };
  }
  if (contentType && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = contentType;
  return { request: { method: draft.method, url, headers, body, environment: environmentId || undefined } };
}

/** A size in bytes as a person reads it. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
