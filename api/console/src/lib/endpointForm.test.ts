import { describe, expect, it } from 'vitest';
import { definitionFromForm, emptyForm, fieldOfProblem, formFromDefinition, prettyJson } from './endpointForm';

describe('the endpoint form', () => {
  it('builds a definition from the fields', () => {
    const { definition, errors } = definitionFromForm({ ...emptyForm, path: '/users/:id', status: '201', headers: [{ name: 'X-A', value: '1' }, { name: '', value: '' }], delayMs: '50' });
    expect(errors).toEqual({});
    expect(definition).toEqual({ method: 'GET', path: '/users/:id', response: { status: 201, headers: { 'X-A': '1' }, contentType: 'application/json', delayMs: 50, body: { ok: true } } });
  });

  it('names each invalid field', () => {
    const { definition, errors } = definitionFromForm({ ...emptyForm, path: 'users', status: '99', delayMs: '-1', body: '{oops', headers: [{ name: 'bad name', value: 'x' }] });
    expect(definition).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual(['body', 'delayMs', 'headers', 'path', 'status']);
    expect(errors.body).toMatch(/^body is not valid JSON/);
  });

  it('sends text bodies as text and templates unparsed', () => {
    expect(definitionFromForm({ ...emptyForm, contentType: 'text/plain', body: 'hello' }).definition?.response).toMatchObject({ body: 'hello' });
    expect(definitionFromForm({ ...emptyForm, template: true, body: '{"id": {{request.path.id}}}' }).definition?.response)
      .toMatchObject({ body: '{"id": {{request.path.id}}}', template: true });
  });

  it('keeps what the form does not show and round-trips what it does', () => {
    const stored = {
      id: 'e1', revision: 3, method: 'POST', path: '/orders', priority: 2, request: { headers: { 'X-T': { equalTo: '1' } } },
      responseMode: 'sequence', responses: [{ status: 200, body: { a: 1 }, contentType: 'application/json', scenario: { name: 's' } }, { status: 500 }],
    };
    const form = formFromDefinition(stored);
    expect(form).toMatchObject({ method: 'POST', path: '/orders', status: '200', body: '{\n  "a": 1\n}' });
    const { definition } = definitionFromForm({ ...form, status: '202' }, stored);
    expect(definition).toMatchObject({ priority: 2, request: stored.request, responseMode: 'sequence' });
    expect(definition).not.toHaveProperty('id');
    expect(definition).not.toHaveProperty('revision');
    expect((definition!.responses as unknown[])[0]).toMatchObject({ status: 202, scenario: { name: 's' } });
    expect((definition!.responses as unknown[])[1]).toEqual({ status: 500 });
  });

  it('pretty-prints JSON and says when it is not', () => {
    expect(prettyJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(prettyJson('{a')).toBeNull();
  });

  it('finds the field a problem is about', () => {
    expect(fieldOfProblem("path must start with '/'")).toBe('path');
    expect(fieldOfProblem('response.status must be from 100 to 599')).toBe('status');
    expect(fieldOfProblem('endpoint e_1 already answers GET /a with the same priority and conditions')).toBe('path');
    expect(fieldOfProblem('something else')).toBeUndefined();
  });
});
