// The endpoint form: what a person edits (method, path, status, headers, body, content type, delay, template, fault)
// converted to and from the API's endpoint definition, keeping everything the form does not show.

export interface HeaderRow {
  name: string;
  value: string;
}

export interface EndpointForm {
  method: string;
  path: string;
  status: string;
  headers: HeaderRow[];
  body: string;
  contentType: string;
  delayMs: string;
  template: boolean;
  fault: string;
}

export type Definition = Record<string, unknown>;

export const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];
export const faults = ['', 'CONNECTION_RESET_BY_PEER', 'EMPTY_RESPONSE', 'MALFORMED_RESPONSE_CHUNK', 'RANDOM_DATA_THEN_CLOSE'];

export const emptyForm: EndpointForm = {
  method: 'GET', path: '/', status: '200', headers: [], body: '{\n  "ok": true\n}', contentType: 'application/json', delayMs: '0', template: false, fault: '',
};

function isJsonType(contentType: string): boolean {
  return contentType.trim() === '' || /[/+]json\b/i.test(contentType);
}

/** The form for an endpoint definition (its first response). */
export function formFromDefinition(definition: Definition): EndpointForm {
  const responses = definition.responses as Definition[] | undefined;
  const response = ((definition.response as Definition | undefined) ?? responses?.[0] ?? {}) as Definition;
  const contentType = (response.contentType as string | undefined) ?? 'application/json';
  const body = response.body;
  return {
    method: (definition.method as string | undefined) ?? 'GET',
    path: (definition.path as string | undefined) ?? (definition.pathPattern as string | undefined) ?? '/',
    status: String(response.status ?? 200),
    headers: Object.entries((response.headers as Record<string, string> | undefined) ?? {}).map(([name, value]) => ({ name, value })),
    body: body === undefined ? '' : typeof body === 'string' && !isJsonType(contentType) ? body : JSON.stringify(body, null, 2),
    contentType,
    delayMs: String(response.delayMs ?? 0),
    template: response.template === true,
    fault: (response.fault as string | undefined) ?? '',
  };
}

/** Pretty-printed JSON, or null when the text is not JSON. */
export function prettyJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

/**
 * The definition the form describes, merged into <paramref name="base"/> (request conditions, further responses,
 * scenarios and the rest stay as they were), or the errors per field.
 */
export function definitionFromForm(form: EndpointForm, base: Definition = {}): { definition?: Definition; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!form.path.startsWith('/')) errors.path = 'path must start with /';
  const status = Number(form.status);
  if (!Number.isInteger(status) || status < 100 || status > 599) errors.status = 'status must be a whole number from 100 to 599';
  const delay = Number(form.delayMs);
  if (!Number.isInteger(delay) || delay < 0) errors.delayMs = 'delay must be a whole number of milliseconds, 0 or more';
  const headers: Record<string, string> = {};
  for (const row of form.headers) {
    if (row.name.trim() === '' && row.value.trim() === '') continue;
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(row.name.trim())) {
      errors.headers = `'${row.name}' is not a header name`;
      break;
    }
    headers[row.name.trim()] = row.value;
  }
  let body: unknown = undefined;
  if (form.body.trim() !== '') {
    if (isJsonType(form.contentType) && !form.template) {
      try {
        body = JSON.parse(form.body);
      } catch (error) {
        errors.body = `body is not valid JSON: ${(error as Error).message}`;
      }
    } else {
      body = form.body;
    }
  }
  if (Object.keys(errors).length > 0) return { errors };
  const previous = ((base.response as Definition | undefined) ?? (base.responses as Definition[] | undefined)?.[0] ?? {}) as Definition;
  const response: Definition = { ...previous, status, headers, contentType: form.contentType.trim() || undefined, delayMs: delay };
  if (body === undefined) delete response.body; else response.body = body;
  if (form.template) response.template = true; else delete response.template;
  if (form.fault) response.fault = form.fault; else delete response.fault;
  const definition: Definition = { ...base, method: form.method, path: form.path };
  for (const key of ['id', 'revision', 'createdAt', 'updatedAt', 'validated']) delete definition[key];
  const responses = base.responses as Definition[] | undefined;
  if (responses && responses.length > 0) {
    definition.responses = [response, ...responses.slice(1)];
    delete definition.response;
  } else {
    definition.response = response;
  }
  if (definition.pathPattern !== undefined && form.path !== base.path) delete definition.pathPattern;
  return { definition, errors };
}

/** Which form field a problem's detail is about (the API names the field first: "path must ..."), or undefined. */
export function fieldOfProblem(detail: string | undefined): keyof EndpointForm | undefined {
  if (!detail) return undefined;
  const text = detail.toLowerCase();
  const fields: [RegExp, keyof EndpointForm][] = [
    [/^(response\.|responses\[0\]\.)?status\b/, 'status'],
    [/^(response\.|responses\[0\]\.)?headers?\b/, 'headers'],
    [/^(response\.|responses\[0\]\.)?body\b/, 'body'],
    [/^(response\.|responses\[0\]\.)?contenttype\b/, 'contentType'],
    [/^(response\.|responses\[0\]\.)?(delayms|delay)\b/, 'delayMs'],
    [/^(response\.|responses\[0\]\.)?fault\b/, 'fault'],
    [/^method\b/, 'method'],
    [/^(path|pathpattern)\b|already answers/, 'path'],
  ];
  return fields.find(([pattern]) => pattern.test(text))?.[1];
}
