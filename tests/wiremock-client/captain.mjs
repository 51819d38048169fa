// A real WireMock client against one OrleansMock project: node captain.mjs <project base URL ending in "/"> <API key>
// wiremock-captain sends no credentials of its own, so its fetch is given the project owner's API key.
import assert from 'node:assert/strict';
import { WireMock } from 'wiremock-captain';

const [base, key] = process.argv.slice(2);
const plainFetch = globalThis.fetch;
globalThis.fetch = (url, init = {}) => plainFetch(url, { ...init, headers: { ...(init.headers ?? {}), 'X-Api-Key': key } });
const call = (path, init) => plainFetch(new URL(path, base), init);

const mock = new WireMock(base);
await mock.clearAll();

const stub = await mock.register(
  { method: 'POST', endpoint: '/users', body: { name: 'ada' } },
  { status: 201, body: { id: 7, name: 'ada' } },
);
assert.ok(stub.id, 'register answers the mapping with its id');

const created = await call('users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ada' }) });
assert.equal(created.status, 201);
assert.deepEqual(await created.json(), { id: 7, name: 'ada' });
const miss = await call('users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bob' }) });
assert.equal(miss.status, 404, 'a body the stub does not match is not served');

const calls = await mock.getRequestsForAPI('POST', '/users');
assert.equal(calls.length, 2, 'both calls are in the journal');
const unmatched = await mock.getUnmatchedRequests();
assert.equal(unmatched.length, 1);
assert.equal(JSON.parse(unmatched[0].body).name, 'bob'); // a logged request, as WireMock's jar answers (no serve-event wrapper)

const mappings = await mock.getAllMappings();
assert.deepEqual(mappings.map(m => m.id), [stub.id]);
assert.equal((await mock.getMapping(stub.id)).response.status, 201);

await mock.register(
  { method: 'GET', endpoint: '/order' },
  { status: 200, body: { state: 'placed' } },
  { scenario: { scenarioName: 'order', requiredScenarioState: 'Started', newScenarioState: 'shipped' } },
);
assert.equal((await (await call('order')).json()).state, 'placed');
const scenarios = await mock.getAllScenarios();
assert.equal(scenarios.find(s => s.name === 'order').state, 'shipped');
await mock.resetAllScenarios();
assert.equal((await mock.getAllScenarios()).find(s => s.name === 'order').state, 'Started');

await mock.deleteMapping(stub.id);
assert.equal((await call('users', { method: 'POST', body: '{"name":"ada"}' })).status, 404, 'a deleted mapping no longer answers');
await mock.clearAll();
assert.equal((await mock.getAllMappings()).length, 0);
assert.equal((await mock.getAllRequests()).length, 0);
console.log('wiremock-captain: ok');
