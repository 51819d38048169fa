// Speed of definitions: how fast a test suite can create stubs in one project.
//   node bench/definitions.mjs <OrleansMock base URL> [count] [--wiremock <WireMock base URL>] [--warmup <n>]
// On OrleansMock, for one new project each:
// 1. <count> WireMock mappings created one at a time by one client (POST /m/{p}/__admin/mappings), on one keep-alive
//    connection (node:http, as WireMock's own Java client keeps its connection)
// 2. the same with fetch() (undici): the same server work, a heavier client (about 0.6 ms more per call here)
// 3. the same count in one POST /m/{p}/__admin/mappings/import
// 4. <count / 5> endpoints one at a time through our own API (POST /api/v1/projects/{p}/endpoints)
// With --wiremock, steps 1-3 also run against WireMock standalone (its /__admin, reset before each step) in the same
// invocation: the baseline the ratios are against. Before measuring, each server creates <warmup> mappings (default
// 2 x count, <count> per project, every other <count> through fetch(), thrown away; their times are printed too): a JIT
// (.NET's, the JVM's, and Node's own for the client) reaches its steady code only after a few thousand calls.
// Every acknowledged OrleansMock write is durable (on disk before the answer); WireMock keeps mappings in memory.
import http from 'node:http';

const args = process.argv.slice(2);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : undefined; };
const wiremock = option('--wiremock');
const warmupText = option('--warmup');
const [base, countText] = args;
const count = Number(countText ?? 1000);
const warmup = Number(warmupText ?? count * 2);

/** One keep-alive HTTP/1.1 connection per base URL: answers [status, body]. */
const client = (baseUrl) => {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (method, path, body, headers = {}) => new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request({ host: url.hostname, port: url.port, method, path: url.pathname.replace(/\/$/, '') + path, agent,
      headers: text === undefined ? headers : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers } },
    (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve([response.statusCode, Buffer.concat(chunks).toString()]));
    });
    request.on('error', reject);
    request.end(text);
  });
};
const expect = async (call, status) => {
  const [got, body] = await call;
  if (got !== status) throw new Error(`expected ${status}, got ${got}: ${body}`);
  return body;
};
const fetchPost = async (url, body, headers) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
};

const mapping = (i) => ({ request: { method: 'GET', urlPath: `/items/${i}` }, response: { status: 200, jsonBody: { id: i } } });
const importBody = { mappings: Array.from({ length: count }, (_, i) => mapping(i)) };
/** The steps run on both servers, as named in the table and the ratios. */
const ONE = 'WireMock mappings, one at a time', FETCH = 'the same with fetch()', IMPORT = 'WireMock import, one request';
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const results = [];
const report = (server, name, n, ms, latencies) => {
  const sorted = latencies ? [...latencies].sort((a, b) => a - b) : null;
  results.push({ server, name, ms });
  console.log(`| ${server} | ${name} | ${n} | ${(ms / 1000).toFixed(2)} s | ${Math.round(n / (ms / 1000))}/s | ${sorted ? `${percentile(sorted, 0.5).toFixed(2)} / ${percentile(sorted, 0.95).toFixed(2)} / ${percentile(sorted, 0.99).toFixed(2)}` : '-'} |`);
};
/** Creates n mappings one at a time through create(i); the time and each call's latency. */
const oneAtATime = async (n, create) => {
  const latencies = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await create(i);
    latencies.push(performance.now() - t);
  }
  return [performance.now() - started, latencies];
};

// ---- OrleansMock ----------------------------------------------------------------------------------------------------
const ours = client(base);
const email = `defs-${Date.now()}@example.com`;
await expect(ours('POST', '/api/v1/auth/register', { email, password: 'bench password' }), 201);
const { token } = JSON.parse(await expect(ours('POST', '/api/v1/auth/login', { email, password: 'bench password' }), 200));
const auth = { authorization: `Bearer ${token}` };
let projects = 0;
const project = async () => {
  const slug = `defs-${Date.now()}-${projects++}`;
  return JSON.parse(await expect(ours('POST', '/api/v1/projects', { name: slug, slug }, auth), 201)).slug;
};
const createIn = (slug) => (i) => expect(ours('POST', `/m/${slug}/__admin/mappings`, mapping(i), auth), 201);
const fetchIn = (slug) => (i) => fetchPost(`${base}/m/${slug}/__admin/mappings`, mapping(i), auth);

console.log(`${count} stubs per step; ${warmup} thrown-away stubs first on each server`);
console.log('| server | what | count | total | rate | p50 / p95 / p99 ms |');
console.log('|---|---|---|---|---|---|');
/** Thrown-away chunks of at most <count>, every other one through fetch(): the client's own JIT warms up too. */
const warmUp = async (next) => {
  const times = [];
  for (let done = 0, k = 0; done < warmup; done += count, k++) {
    const [ms] = await oneAtATime(Math.min(count, warmup - done), await next(k % 2 === 1));
    times.push(`${(ms / 1000).toFixed(2)} s${k % 2 === 1 ? ' (fetch)' : ''}`);
  }
  return times;
};
const warm = await warmUp(async (viaFetch) => (viaFetch ? fetchIn : createIn)(await project()));

let [ms, latencies] = await oneAtATime(count, createIn(await project()));
report('OrleansMock', ONE, count, ms, latencies);

const viaFetch = await project();
[ms, latencies] = await oneAtATime(count, fetchIn(viaFetch));
report('OrleansMock', FETCH, count, ms, latencies);

const bulk = await project();
let started = performance.now();
await expect(ours('POST', `/m/${bulk}/__admin/mappings/import`, importBody, auth), 200);
report('OrleansMock', IMPORT, count, performance.now() - started);
const [status, answer] = await ours('GET', `/m/${bulk}/items/${count - 1}`);
if (status !== 200 || JSON.parse(answer).id !== count - 1) throw new Error(`the imported mappings do not answer: ${status} ${answer}`);

const ownApi = await project();
const few = Math.max(1, Math.floor(count / 5));
[ms, latencies] = await oneAtATime(few, (i) =>
  expect(ours('POST', `/api/v1/projects/${ownApi}/endpoints`, { method: 'GET', path: `/items/${i}`, response: { status: 200, body: { id: i } } }, auth), 201));
report('OrleansMock', 'our own API, one at a time', few, ms, latencies);

if (!wiremock) console.log(`\nWarm-up, ${count} at a time (thrown away): ${warm.join(', ')}`);

// ---- WireMock, the baseline -----------------------------------------------------------------------------------------
if (wiremock) {
  const theirs = client(wiremock);
  const reset = () => expect(theirs('POST', '/__admin/reset'), 200);
  const create = (i) => expect(theirs('POST', '/__admin/mappings', mapping(i)), 201);
  const createViaFetch = (i) => fetchPost(`${wiremock}/__admin/mappings`, mapping(i), {});
  const theirWarm = await warmUp(async (viaFetch) => {
    await reset();
    return viaFetch ? createViaFetch : create;
  });
  await reset();
  [ms, latencies] = await oneAtATime(count, create);
  report('WireMock', ONE, count, ms, latencies);
  await reset();
  [ms, latencies] = await oneAtATime(count, createViaFetch);
  report('WireMock', FETCH, count, ms, latencies);
  await reset();
  started = performance.now();
  await expect(theirs('POST', '/__admin/mappings/import', importBody), 200);
  report('WireMock', IMPORT, count, performance.now() - started);
  await reset();
  console.log(`\nWarm-up, ${count} at a time (thrown away): OrleansMock ${warm.join(', ')}; WireMock ${theirWarm.join(', ')}`);
  for (const name of [ONE, FETCH, IMPORT]) {
    const [a, b] = ['OrleansMock', 'WireMock'].map((server) => results.find((r) => r.server === server && r.name === name).ms);
    console.log(`- ${name}: OrleansMock takes ${(a / b).toFixed(2)}x WireMock's time`);
  }
}
process.exit(0);
