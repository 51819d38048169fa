// The endpoint form: what a person edits (method, path, priority, request conditions, one or more responses with
// their mode, scenario steps, templates and faults) converted to and from the API's endpoint definition, keeping
// everything the form does not show (a response's own `when`, delay distributions, proxying, chunked dribbles...).

export interface HeaderRow {
  name: string;
  value: string;
}

export type Where = 'query' | 'header' | 'cookie' | 'body';
export type Operator = 'equalTo' | 'contains' | 'doesNotContain' | 'matches' | 'doesNotMatch' | 'absent' | 'equalToJson' | 'matchesJsonPath';

export interface ConditionRow {
  where: Where;
  name: string;
  operator: Operator;
  value: string;
}

export interface ResponseForm {
  status: string;
  headers: HeaderRow[];
  body: string;
  contentType: string;
  delayMs: string;
  template: boolean;
  fault: string;
  weight: string;
  scenarioName: string;
  requiredState: string;
  newState: string;
  /** A real API this response forwards to (the mock answers with its answer); empty: the response is the body above. */
  proxyUrl: string;
}

export interface EndpointForm {
  /** A name telling variants of one path apart (optional). */
  name: string;
  method: string;
  path: string;
  priority: string;
  mode: 'first' | 'sequence' | 'random';
  conditions: ConditionRow[];
  /** False when the stored conditions say more than the rows can (several operators on one value, case-insensitivity): they are kept as they are. */
  conditionsEditable: boolean;
  responses: ResponseForm[];
}

export type Definition = Record<string, unknown>;

export const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];
export const faults = ['', 'CONNECTION_RESET_BY_PEER', 'EMPTY_RESPONSE', 'MALFORMED_RESPONSE_CHUNK', 'RANDOM_DATA_THEN_CLOSE'];
export const valueOperators: Operator[] = ['equalTo', 'contains', 'doesNotContain', 'matches', 'doesNotMatch', 'absent'];
export const bodyOperators: Operator[] = ['equalTo', 'contains', 'matches', 'equalToJson', 'matchesJsonPath'];

export const emptyResponse: ResponseForm = {
  status: '200', headers: [], body: '{\n  "ok": true\n}', contentType: 'application/json', delayMs: '0', template: false, fault: '', weight: '',
  scenarioName: '', requiredState: '', newState: '', proxyUrl: '',
};

export const emptyForm: EndpointForm = { name: '', method: 'GET', path: '/', priority: '', mode: 'first', conditions: [], conditionsEditable: true, responses: [emptyResponse] };

function isJsonType(contentType: string): boolean {
  return contentType.trim() === '' || /[/+]json\b/i.test(contentType);
}

function responseForm(response: Definition): ResponseForm {
  const contentType = (response.contentType as string | undefined) ?? 'application/json';
  const body = response.body;
  const scenario = (response.scenario as Definition | undefined) ?? {};
  return {
    status: String(response.status ?? 200),
    headers: Object.entries((response.headers as Record<string, string> | undefined) ?? {}).map(([name, value]) => ({ name, value })),
    body: body === undefined ? '' : typeof body === 'string' && (!isJsonType(contentType) || response.template === true) ? body : JSON.stringify(body, null, 2),
    contentType,
    delayMs: String(response.delayMs ?? 0),
    template: response.template === true,
    fault: (response.fault as string | undefined) ?? '',
    weight: response.weight === undefined || response.weight === 1 ? '' : String(response.weight),
    scenarioName: (scenario.name as string | undefined) ?? '',
    requiredState: (scenario.requiredState as string | undefined) ?? '',
    newState: (scenario.newState as string | undefined) ?? '',
    proxyUrl: ((response.proxy as Definition | undefined)?.baseUrl as string | undefined) ?? '',
  };
}

/** The condition rows for a stored request match, or null when a matcher says more than one row can. */
export function conditionRows(request: Definition | undefined): ConditionRow[] | null {
  const rows: ConditionRow[] = [];
  for (const [where, key] of [['query', 'query'], ['header', 'headers'], ['cookie', 'cookies']] as const) {
    for (const [name, matcher] of Object.entries((request?.[key] as Record<string, Definition> | undefined) ?? {})) {
      const set = Object.entries(matcher).filter(([, v]) => v !== null && v !== undefined && v !== false);
      if (set.length !== 1 || !valueOperators.includes(set[0][0] as Operator)) return null;
      const [operator, value] = set[0];
      rows.push({ where, name, operator: operator as Operator, value: operator === 'absent' ? '' : String(value) });
    }
  }
  for (const matcher of (request?.body as Definition[] | undefined) ?? []) {
    const set = Object.entries(matcher).filter(([, v]) => v !== null && v !== undefined && v !== false);
    if (set.length !== 1 || !bodyOperators.includes(set[0][0] as Operator) || typeof set[0][1] !== 'string') return null;
    rows.push({ where: 'body', name: '', operator: set[0][0] as Operator, value: set[0][1] as string });
  }
  return rows;
}

/** The form for an endpoint definition. */
export function formFromDefinition(definition: Definition): EndpointForm {
  const responses = ((definition.responses as Definition[] | undefined)?.length ? definition.responses : [definition.response ?? {}]) as Definition[];
  const rows = conditionRows(definition.request as Definition | undefined);
  return {
    name: (definition.name as string | undefined) ?? '',
    method: (definition.method as string | undefined) ?? 'GET',
    path: (definition.path as string | undefined) ?? (definition.pathPattern as string | undefined) ?? '/',
    priority: definition.priority === undefined || definition.priority === 5 ? '' : String(definition.priority),
    mode: ((definition.responseMode as string | undefined) ?? 'first') as EndpointForm['mode'],
    conditions: rows ?? [],
    conditionsEditable: rows !== null,
    responses: responses.map(responseForm),
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

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function wholeNumber(text: string, min: number, max: number): number | null {
  const value = Number(text);
  return text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

function responseDefinition(form: ResponseForm, previous: Definition, field: string, errors: Record<string, string>): Definition {
  const status = wholeNumber(form.status, 200, 599);
  if (status === null) errors[`${field}.status`] = 'status must be a final HTTP status, from 200 to 599';
  const delay = wholeNumber(form.delayMs || '0', 0, 600_000);
  if (delay === null) errors[`${field}.delayMs`] = 'delay must be a whole number of milliseconds, 0 or more';
  const weight = form.weight.trim() === '' ? 1 : wholeNumber(form.weight, 0, 1_000_000);
  if (weight === null) errors[`${field}.weight`] = 'weight must be a whole number, 0 or more';
  const headers: Record<string, string> = {};
  for (const row of form.headers) {
    if (row.name.trim() === '' && row.value.trim() === '') continue;
    if (!headerName.test(row.name.trim())) {
      errors[`${field}.headers`] = `'${row.name}' is not a header name`;
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
        errors[`${field}.body`] = `body is not valid JSON: ${(error as Error).message}`;
      }
    } else {
      body = form.body;
    }
  }
  const proxyUrl = form.proxyUrl.trim();
  if (proxyUrl && !/^https?:\/\/[^/\s]+/i.test(proxyUrl)) errors[`${field}.proxy.baseUrl`] = 'the proxy target must be an http:// or https:// URL';
  if ((form.requiredState.trim() || form.newState.trim()) && !form.scenarioName.trim()) {
    errors[`${field}.scenarioName`] = 'name the scenario the states belong to';
  }
  const response: Definition = { ...previous, status, headers, contentType: form.contentType.trim() || undefined, delayMs: delay };
  const set = (key: string, value: unknown) => { if (value === undefined) delete response[key]; else response[key] = value; };
  set('body', proxyUrl ? undefined : body); // a proxy answers with the real API's body
  set('template', form.template ? true : undefined);
  set('fault', form.fault || undefined);
  set('weight', weight === 1 ? undefined : weight);
  // Headers and a prefix to strip set through the API or the raw JSON stay with the target.
  set('proxy', proxyUrl ? { ...((previous.proxy as Definition | undefined) ?? {}), baseUrl: proxyUrl } : undefined);
  set('scenario', form.scenarioName.trim()
    ? { name: form.scenarioName.trim(), requiredState: form.requiredState.trim() || undefined, newState: form.newState.trim() || undefined }
    : undefined);
  return response;
}

function requestDefinition(rows: ConditionRow[], errors: Record<string, string>): Definition | undefined {
  const request: Record<string, unknown> = {};
  const body: Definition[] = [];
  rows.forEach((row, i) => {
    if (row.where === 'body') {
      if (row.operator === 'equalToJson' && prettyJson(row.value) === null) errors[`conditions[${i}]`] = 'the JSON to compare with is not valid JSON';
      body.push({ [row.operator]: row.value });
      return;
    }
    if (row.name.trim() === '') {
      errors[`conditions[${i}]`] = `name the ${row.where} the condition is about`;
      return;
    }
    const key = row.where === 'query' ? 'query' : row.where === 'header' ? 'headers' : 'cookies';
    const group = (request[key] ??= {}) as Record<string, unknown>;
    group[row.name.trim()] = row.operator === 'absent' ? { absent: true } : { [row.operator]: row.value };
  });
  if (body.length > 0) request.body = body;
  return Object.keys(request).length > 0 ? request : undefined;
}

/**
 * The definition the form describes, merged into <paramref name="base"/> (what the form does not show stays as it
 * was), or the errors per field (`path`, `priority`, `conditions[1]`, `responses[0].status`, ...).
 */
export function definitionFromForm(form: EndpointForm, base: Definition = {}): { definition?: Definition; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!form.path.startsWith('/')) errors.path = 'path must start with /';
  const priority = form.priority.trim() === '' ? 5 : wholeNumber(form.priority, 1, 1_000_000);
  if (priority === null) errors.priority = 'priority must be a whole number, 1 or more (lower wins)';
  if (form.responses.length === 0) errors.responses = 'an endpoint needs a response';
  const previous = ((base.responses as Definition[] | undefined)?.length ? base.responses : base.response ? [base.response] : []) as Definition[];
  const responses = form.responses.map((r, i) => responseDefinition(r, previous[i] ?? {}, `responses[${i}]`, errors));
  const request = form.conditionsEditable ? requestDefinition(form.conditions, errors) : (base.request as Definition | undefined);
  if (Object.keys(errors).length > 0) return { errors };

  const definition: Definition = { ...base, method: form.method, path: form.path };
  for (const key of ['id', 'revision', 'createdAt', 'updatedAt', 'validated', 'warnings', 'name', 'response', 'responses', 'responseMode', 'priority', 'request']) delete definition[key];
  if (form.name.trim() !== '') definition.name = form.name.trim();
  if (definition.pathPattern !== undefined && form.path !== base.path) delete definition.pathPattern;
  if (priority !== 5) definition.priority = priority;
  if (request) definition.request = request;
  if (responses.length === 1) definition.response = responses[0];
  else definition.responses = responses;
  if (form.mode !== 'first') definition.responseMode = form.mode;
  return { definition, errors };
}

/**
 * Which form field a problem's detail is about (the API names the field first: "path must ...",
 * "responses[1].status ..."), or undefined. A single response's `response.x` is `responses[0].x` here.
 */
export function fieldOfProblem(detail: string | undefined): string | undefined {
  if (!detail) return undefined;
  const text = detail.replace(/^response\./, 'responses[0].');
  const response = /^responses\[(\d+)\]\.(status|headers?|body|contenttype|delayms|delay|fault|weight|scenario|proxy)\b/i.exec(text);
  if (response) {
    const part = response[2].toLowerCase();
    const field = part.startsWith('header') ? 'headers' : part === 'contenttype' ? 'contentType' : part.startsWith('delay') ? 'delayMs'
      : part === 'scenario' ? 'scenarioName' : part === 'proxy' ? 'proxy.baseUrl' : part;
    return `responses[${response[1]}].${field}`;
  }
  const single = /^(status|headers?|body|contentType|delayMs|fault)\b/.exec(text);
  if (single) return `responses[0].${single[1].startsWith('header') ? 'headers' : single[1]}`;
  if (/^request\b/.test(text)) return 'conditions';
  if (/^priority\b/.test(text)) return 'priority';
  if (/^method\b/.test(text)) return 'method';
  if (/^(path|pathPattern)\b|already answers/.test(text)) return 'path';
  return undefined;
}
