// A Java-style verification flow through a second WireMock client (npm wiremock-rest-client): stub, call, then
// count, find, unmatched, near misses and scenarios. Run against a WireMock server or an OrleansMock project (usage:
// node verify.mjs <base url ending in /> [api key]); prints what the client read, in a form both can be compared by.
import { WireMockRestClient } from 'wiremock-rest-client';

const [base, key] = process.argv.slice(2);
const client = new WireMockRestClient(base, { headers: key ? { 'X-Api-Key': key } : {}, logLevel: 'warn' });
const call = (path, init = {}) => fetch(new URL(path, base), init).then(r => r.status);
const json = body => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

await client.global.resetAll();
await client.mappings.createMapping({
  request: { method: 'POST', urlPath: '/orders', bodyPatterns: [{ matchesJsonPath: '$.id' }] },
  response: { status: 201, jsonBody: { ok: true } },
});
await client.mappings.createMapping({
  scenarioName: 'checkout', requiredScenarioState: 'Started', newScenarioState: 'Paid',
  request: { method: 'POST', url: '/pay' }, response: { status: 204 },
});
const statuses = [
  await call('orders', json({ id: 1 })), await call('orders', json({ name: 'no id' })),
  await call('orders'), await call('other?q=1'), await call('pay', { method: 'POST' }),
];
const logged = n => [n.request.loggedDate, n.request.method, n.request.url, n.request.body].join(' ');
const request = r => ({ method: r.method, url: r.url, body: r.body });
const count = await client.requests.getCount({ method: 'POST', urlPath: '/orders' });
const found = await client.requests.findRequests({ method: 'POST', urlPath: '/orders', bodyPatterns: [{ matchesJsonPath: '$.id' }] });
const unmatched = await client.requests.getUnmatchedRequests();
const nearUnmatched = await client.requests.getUnmatchedNearMisses();
// wiremock-rest-client posts this one to requests/near-misses/..., which WireMock does not serve: the path the Java
// client's verify() uses is sent directly.
const nearPattern = await fetch(new URL('__admin/near-misses/request-pattern', base), {
  ...json({ method: 'POST', urlPath: '/orders', bodyPatterns: [{ equalToJson: { id: 2 } }] }),
  headers: { 'content-type': 'application/json', ...(key ? { 'X-Api-Key': key } : {}) },
}).then(r => r.json());
const scenarios = await client.scenarios.getAllScenarios();
console.log(JSON.stringify({
  statuses,
  count: count.count,
  found: found.requests.map(request),
  unmatched: unmatched.requests.map(request),
  // The nearest stub of each unmatched request (WireMock lists every stub under its distance threshold, nearest first).
  nearUnmatched: nearUnmatched.nearMisses.filter((n, i, all) => i === 0 || logged(all[i - 1]) !== logged(n))
    .map(n => ({ request: n.request.url, stub: n.stubMapping.request.urlPath ?? n.stubMapping.request.url })),
  nearPattern: nearPattern.nearMisses.map(n => n.request.url + ' ' + n.request.body),
  scenarios: scenarios.scenarios.map(s => ({ name: s.name, state: s.state })),
}, null, 1));
