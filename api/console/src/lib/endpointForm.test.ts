import { describe, expect, it } from 'vitest';
import { conditionRows, definitionFromForm, emptyForm, emptyResponse, fieldOfProblem, formFromDefinition, prettyJson, type EndpointForm } from './endpointForm';

const form = (change: Partial<EndpointForm>, response: Partial<typeof emptyResponse> = {}): EndpointForm =>
  ({ ...emptyForm, ...change, responses: change.responses ?? [{ ...emptyResponse, ...response }] });

describe('the endpoint form', () => {
  it('builds a definition from the fields', () => {
    const { definition, errors } = definitionFromForm(form({ path: '/users/:id' }, { status: '201', headers: [{ name: 'X-A', value: '1' }, { name: '', value: '' }], delayMs: '50' }));
    expect(errors).toEqual({});
    expect(definition).toEqual({ method: 'GET', path: '/users/:id', response: { status: 201, headers: { 'X-A': '1' }, contentType: 'application/json', delayMs: 50, body: { ok: true } } });
  });

  it('names each invalid field, per response', () => {
    const { definition, errors } = definitionFromForm(form({
      path: 'users', priority: '0',
      responses: [{ ...emptyResponse, status: '99', delayMs: '-1' }, { ...emptyResponse, body: '{oops', headers: [{ name: 'bad name', value: 'x' }], newState: 'Paid' }],
      conditions: [{ where: 'header', name: '', operator: 'equalTo', value: 'x' }],
    }));
    expect(definition).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual([
      'conditions[0]', 'path', 'priority', 'responses[0].delayMs', 'responses[0].status', 'responses[1].body', 'responses[1].headers', 'responses[1].scenarioName',
    ]);
    expect(errors['responses[1].body']).toMatch(/^body is not valid JSON/);
  });

  it('sends text bodies as text and templates unparsed', () => {
    expect(definitionFromForm(form({}, { contentType: 'text/plain', body: 'hello' })).definition?.response).toMatchObject({ body: 'hello' });
    expect(definitionFromForm(form({}, { template: true, body: '{"id": {{request.path.id}}}' })).definition?.response)
      .toMatchObject({ body: '{"id": {{request.path.id}}}', template: true });
  });

  it('writes conditions, several responses, the mode, scenarios, weights and faults', () => {
    const { definition } = definitionFromForm(form({
      method: 'POST', path: '/orders', priority: '2', mode: 'random',
      conditions: [
        { where: 'query', name: 'page', operator: 'matches', value: '[0-9]+' },
        { where: 'header', name: 'X-Token', operator: 'absent', value: '' },
        { where: 'body', name: '', operator: 'equalToJson', value: '{"a":1}' },
      ],
      responses: [
        { ...emptyResponse, weight: '3', scenarioName: 'pay', requiredState: 'Started', newState: 'Paid' },
        { ...emptyResponse, status: '503', fault: 'EMPTY_RESPONSE', body: '' },
      ],
    }));
    expect(definition).toEqual({
      method: 'POST', path: '/orders', priority: 2, responseMode: 'random',
      request: { query: { page: { matches: '[0-9]+' } }, headers: { 'X-Token': { absent: true } }, body: [{ equalToJson: '{"a":1}' }] },
      responses: [
        { status: 200, headers: {}, contentType: 'application/json', delayMs: 0, body: { ok: true }, weight: 3, scenario: { name: 'pay', requiredState: 'Started', newState: 'Paid' } },
        { status: 503, headers: {}, contentType: 'application/json', delayMs: 0, fault: 'EMPTY_RESPONSE' },
      ],
    });
    // ... and reads them back into the same form
    const back = formFromDefinition(definition!);
    expect(back.conditions).toHaveLength(3);
    expect(back.conditionsEditable).toBe(true);
    expect(back.responses.map((r) => [r.status, r.weight, r.scenarioName, r.fault])).toEqual([['200', '3', 'pay', ''], ['503', '', '', 'EMPTY_RESPONSE']]);
    expect(back).toMatchObject({ priority: '2', mode: 'random' });
  });

  it('keeps what the form does not show', () => {
    const stored = {
      id: 'e1', revision: 3, method: 'POST', path: '/orders',
      request: { headers: { 'X-T': { equalTo: 'a', caseInsensitive: true } } },
      responses: [{ status: 200, body: { a: 1 }, contentType: 'application/json', when: { query: { v: { equalTo: '2' } } } }, { status: 500, proxy: { baseUrl: 'http://x' } }],
    };
    const read = formFromDefinition(stored);
    expect(read.conditionsEditable).toBe(false); // caseInsensitive: more than a row says
    const { definition } = definitionFromForm({ ...read, responses: [{ ...read.responses[0], status: '202' }, read.responses[1]] }, stored);
    expect(definition).toMatchObject({ request: stored.request });
    expect(definition).not.toHaveProperty('id');
    expect(definition).not.toHaveProperty('revision');
    expect((definition!.responses as unknown[])[0]).toMatchObject({ status: 202, when: { query: { v: { equalTo: '2' } } } });
    expect((definition!.responses as unknown[])[1]).toMatchObject({ status: 500, proxy: { baseUrl: 'http://x' } });
  });

  it('reads only conditions a row can show', () => {
    expect(conditionRows({ query: { a: { contains: 'x' } }, body: [{ matchesJsonPath: '$.a' }] })).toEqual([
      { where: 'query', name: 'a', operator: 'contains', value: 'x' }, { where: 'body', name: '', operator: 'matchesJsonPath', value: '$.a' },
    ]);
    expect(conditionRows({ body: [{ matchesJsonPath: { expression: '$.a', equalTo: '1' } }] })).toBeNull();
    expect(conditionRows(undefined)).toEqual([]);
  });

  it('pretty-prints JSON and says when it is not', () => {
    expect(prettyJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(prettyJson('{a')).toBeNull();
  });

  it('keeps a name, and never sends back what only the API says (warnings, revision)', () => {
    const stored = { id: 'e_1', revision: 2, name: 'old', warnings: ['responses[1..1] can never answer'], method: 'GET', path: '/a', response: { status: 200 } };
    const edited = { ...formFromDefinition(stored), name: '  variant A ' };
    expect(formFromDefinition(stored).name).toBe('old');
    const { definition } = definitionFromForm(edited, stored);
    expect(definition?.name).toBe('variant A');
    expect(definition).not.toHaveProperty('warnings');
    expect(definition).not.toHaveProperty('revision');
    expect(definitionFromForm({ ...edited, name: '' }, stored).definition).not.toHaveProperty('name');
  });

  it('finds the field a problem is about', () => {
    expect(fieldOfProblem("path must start with '/'")).toBe('path');
    expect(fieldOfProblem('response.status 150 is not a final HTTP status; use a code from 200 to 599')).toBe('responses[0].status');
    expect(fieldOfProblem('responses[1].delayMs must be between 0 and 60000')).toBe('responses[1].delayMs');
    expect(fieldOfProblem('endpoint e_1 already answers GET /a with the same priority and conditions')).toBe('path');
    expect(fieldOfProblem('request.query.a: bad regex')).toBe('conditions');
    expect(fieldOfProblem('something else')).toBeUndefined();
  });
});

describe('proxy responses', () => {
  it('round-trips a proxy target and keeps what the form does not show', () => {
    const stored = { method: 'GET', path: '/users', response: { status: 200, proxy: { baseUrl: 'https://api.example.com', stripPrefix: '/v1', headers: { 'X-Key': 'k' } } } };
    const edited = formFromDefinition(stored);
    expect(edited.responses[0].proxyUrl).toBe('https://api.example.com');
    const { definition } = definitionFromForm({ ...edited, responses: [{ ...edited.responses[0], proxyUrl: 'https://other.example.com' }] }, stored);
    expect((definition!.response as Record<string, unknown>).proxy).toEqual({ baseUrl: 'https://other.example.com', stripPrefix: '/v1', headers: { 'X-Key': 'k' } });
    const cleared = definitionFromForm({ ...edited, responses: [{ ...edited.responses[0], proxyUrl: '' }] }, stored).definition;
    expect((cleared!.response as Record<string, unknown>).proxy).toBeUndefined();
  });

  it('refuses a target that is not an http URL, by its field', () => {
    const { errors } = definitionFromForm(form({}, { proxyUrl: 'ftp://x' }), {});
    expect(errors['responses[0].proxy.baseUrl']).toContain('http');
    expect(fieldOfProblem('response.proxy.baseUrl must be an absolute http(s) URL')).toBe('responses[0].proxy.baseUrl');
  });
});
