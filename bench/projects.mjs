// Memory per active project: creates <projects> projects of 5 endpoints each (one user per 100 projects, through the
// management API, 8 at a time) and prints their slugs as a Lua table for bench/projects.lua.
//   node bench/projects.mjs <OrleansMock base URL> <projects> [slug prefix, default p] > slugs.lua
const [base, countText, prefix = 'p'] = process.argv.slice(2);
const count = Number(countText ?? 1000);
const json = async (method, path, body, token) => {
  const response = await fetch(base + path, { method, body: body && JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
};
const slugs = [];
for (let user = 0; user * 100 < count; user++) {
  const email = `projects-${Date.now()}-${user}@example.com`;
  await json('POST', '/api/v1/auth/register', { email, password: 'bench password' });
  const { token } = await json('POST', '/api/v1/auth/login', { email, password: 'bench password' });
  const mine = Array.from({ length: Math.min(100, count - user * 100) }, (_, i) => `${prefix}${user * 100 + i}`);
  for (let i = 0; i < mine.length; i += 8) {
    await Promise.all(mine.slice(i, i + 8).map(async (slug) => {
      await json('POST', '/api/v1/projects', { name: slug, slug }, token);
      for (let e = 0; e < 5; e++) {
        await json('POST', `/api/v1/projects/${slug}/endpoints`, { method: 'GET', path: `/items${e}/{id}`,
          response: { body: { id: '{{request.path.id}}', kind: `item ${e}`, tags: ['a', 'b'], price: 12.5 }, template: e === 4 && process.env.BENCH_TEMPLATES !== '0' } }, token);
      }
    }));
  }
  slugs.push(...mine);
}
process.stdout.write(`return {${slugs.map((s) => `"${s}"`).join(',')}}\n`);
