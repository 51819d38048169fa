// Speed of definitions: how fast a test suite can create stubs in one project.
//   node bench/definitions.mjs <base URL> [count]
// 1. <count> WireMock mappings created one at a time by one client (POST /m/{p}/__admin/mappings)
// 2. the same count in one POST /m/{p}/__admin/mappings/import
// 3. baseline in the same run: <count / 5> endpoints one at a time through our own API (POST /api/v1/projects/{p}/endpoints)
// Each acknowledged write is durable (the project grain's state is stored before the answer).
const [base, countText] = process.argv.slice(2);
const count = Number(countText ?? 1000);
const json = { 'content-type': 'application/json' };
const post = async (path, body, headers = {}) => {
  const response = await fetch(base + path, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
};
const email = `defs-${Date.now()}@example.com`;
await post('/api/v1/auth/register', { email, password: 'bench password' });
const { token } = await post('/api/v1/auth/login', { email, password: 'bench password' });
const auth = { authorization: `Bearer ${token}` };
const project = async (slug) => (await post('/api/v1/projects', { name: slug, slug }, auth)).slug;
const mapping = (i) => ({ request: { method: 'GET', urlPath: `/items/${i}` }, response: { status: 200, jsonBody: { id: i } } });
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const report = (name, n, ms, latencies) => {
  const sorted = latencies ? [...latencies].sort((a, b) => a - b) : null;
  console.log(`| ${name} | ${n} | ${(ms / 1000).toFixed(2)} s | ${Math.round(n / (ms / 1000))}/s | ${sorted ? `${percentile(sorted, 0.5).toFixed(1)} / ${percentile(sorted, 0.95).toFixed(1)} / ${percentile(sorted, 0.99).toFixed(1)}` : '-'} |`);
};
console.log('| what | count | total | rate | p50 / p95 / p99 ms |');
console.log('|---|---|---|---|---|');

const one = await project(`defs-one-${Date.now()}`);
let latencies = [];
let started = performance.now();
for (let i = 0; i < count; i++) {
  const t = performance.now();
  await post(`/m/${one}/__admin/mappings`, mapping(i), auth);
  latencies.push(performance.now() - t);
}
report('WireMock mappings, one at a time', count, performance.now() - started, latencies);

const bulk = await project(`defs-bulk-${Date.now()}`);
started = performance.now();
await post(`/m/${bulk}/__admin/mappings/import`, { mappings: Array.from({ length: count }, (_, i) => mapping(i)) }, auth);
report('WireMock import, one request', count, performance.now() - started);
const check = await fetch(`${base}/m/${bulk}/items/${count - 1}`);
if ((await check.json()).id !== count - 1) throw new Error('the imported mappings do not answer');

const baseline = await project(`defs-api-${Date.now()}`);
const few = Math.max(1, Math.floor(count / 5));
latencies = [];
started = performance.now();
for (let i = 0; i < few; i++) {
  const t = performance.now();
  await post(`/api/v1/projects/${baseline}/endpoints`, { method: 'GET', path: `/items/${i}`, response: { status: 200, body: { id: i } } }, auth);
  latencies.push(performance.now() - t);
}
report('baseline: our API, one at a time', few, performance.now() - started, latencies);
