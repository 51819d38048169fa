import { describe, expect, it } from 'vitest';
import { bodyOf, emptyDraft, formatSize, joinUrl, sendRequest, splitUrl, substitute } from './tester';
import { SseParser } from './sse';

describe('the tester request', () => {
  it('splits a pasted URL into the params table and joins it back', () => {
    const { base, params } = splitUrl('https://api.test/users?page=2&q=a%20b&flag');
    expect(base).toBe('https://api.test/users');
    expect(params.map((p) => [p.name, p.value])).toEqual([['page', '2'], ['q', 'a b'], ['flag', '']]);
    expect(joinUrl(base, params)).toBe('https://api.test/users?page=2&q=a%20b&flag=');
    expect(joinUrl(base, [{ enabled: false, name: 'x', value: '1' }])).toBe(base);
    expect(joinUrl('{{base}}/x', [{ enabled: true, name: 'k', value: '{{token}}' }])).toBe('{{base}}/x?k={{token}}');
  });

  it('substitutes known variables only', () => {
    expect(substitute('{{base}}/u/{{ id }}/{{missing}}', { base: 'http://h', id: '7' })).toBe('http://h/u/7/{{missing}}');
  });

  it('builds raw, form and GraphQL bodies', () => {
    expect(bodyOf({ ...emptyDraft, bodyKind: 'form', form: [{ enabled: true, name: 'a b', value: 'c&d' }, { enabled: false, name: 'x', value: 'y' }] }))
      .toEqual({ body: 'a%20b=c%26d', contentType: 'application/x-www-form-urlencoded' });
    expect(bodyOf({ ...emptyDraft, bodyKind: 'graphql', graphqlQuery: '{ me { id } }', graphqlVariables: '{"a":1}' }))
      .toEqual({ body: '{"query":"{ me { id } }","variables":{"a":1}}', contentType: 'application/json' });
    expect(bodyOf({ ...emptyDraft, bodyKind: 'graphql', graphqlVariables: '{' }).error).toMatch(/^variables are not valid JSON/);
    expect(bodyOf({ ...emptyDraft, bodyKind: 'none' })).toEqual({});
  });

  it('sends the draft with its content type, leaving variables for the server', () => {
    const draft = { ...emptyDraft, method: 'POST', url: '{{base}}/items', bodyKind: 'raw' as const, raw: '{"t":"{{name}}"}', headers: [{ enabled: true, name: 'X-K', value: '{{key}}' }] };
    expect(sendRequest(draft, { base: 'http://127.0.0.1:1' }, 'env1').request).toEqual({
      method: 'POST', url: '{{base}}/items', headers: { 'X-K': '{{key}}', 'Content-Type': 'application/json' }, body: '{"t":"{{name}}"}', environment: 'env1',
    });
    expect(sendRequest(draft, {}).error).toContain('http://');
  });

  it('sends multipart parts for the server to build, fields and files, and no Content-Type of its own', () => {
    const draft = {
      ...emptyDraft, method: 'POST', url: 'https://api.test/upload', bodyKind: 'multipart' as const,
      parts: [
        { enabled: true, name: 'note', value: 'hi' },
        { enabled: true, name: 'file', value: '', file: { name: 'a.png', type: 'image/png', data: 'iVBORw==', size: 4 } },
        { enabled: false, name: 'off', value: 'x' },
      ],
    };
    const { request } = sendRequest(draft, {});
    expect(request?.multipart).toEqual([{ name: 'note', value: 'hi' }, { name: 'file', filename: 'a.png', contentType: 'image/png', data: 'iVBORw==' }]);
    expect(request?.body).toBeUndefined();
    expect(request?.headers).toEqual({});
  });

  it('formats sizes', () => {
    expect(formatSize(12)).toBe('12 B');
    expect(formatSize(2048)).toBe('2.0 KiB');
  });
});

describe('server-sent events', () => {
  it('reads events split anywhere across chunks, skipping comments', () => {
    const parser = new SseParser();
    expect(parser.push(': hello\n\nid: 4\nevent: req')).toEqual([]);
    expect(parser.push('uest\ndata: {"a":1}\n\nda')).toEqual([{ id: '4', event: 'request', data: '{"a":1}' }]);
    expect(parser.push('ta: x\r\ndata: y\r\n\r\n')).toEqual([{ event: 'message', data: 'x\ny' }]);
  });
});
