// The engine's HTTP port serving the web console: content types, the SPA fallback for console
// routes, 404 for missing assets, no way out of the console's folder, and /api left alone.
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { HttpApi } from '../../engine/api/http.js';
import { StaticFiles } from '../../engine/api/static-files.js';

const dir = mkdtempSync(join(tmpdir(), 'console-files-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const root = join(dir, 'console');
mkdirSync(join(root, 'assets'), { recursive: true });
writeFileSync(join(root, 'index.html'), '<!doctype html><title>console</title>');
writeFileSync(join(root, 'assets', 'app-1234.js'), 'console.log(1)');
writeFileSync(join(root, 'assets', 'app-1234.css'), 'body{}');
writeFileSync(join(dir, 'secret.txt'), 'outside the root');

const api = new HttpApi({ 'GET /api/ping': () => ({ pong: true }) }, pino({ level: 'silent' }));
api.serveFiles(new StaticFiles(root));
await api.listen(0, '127.0.0.1');
t.teardown(() => api.close());

/** A GET with the path sent exactly as written (fetch would normalise the dots away). */
function get(path: string, method = 'GET'): Promise<{ status: number; type: string; body: string; cache: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: api.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body, cache: String(res.headers['cache-control']) }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('files with their content types; hashed assets cached for good, index.html never', async (t) => {
  const index = await get('/');
  t.equal(index.status, 200);
  t.match(index.type, /^text\/html/);
  t.match(index.body, /<title>console/);
  t.equal(index.cache, 'no-cache');
  const js = await get('/assets/app-1234.js');
  t.match(js.type, /^text\/javascript/);
  t.equal(js.body, 'console.log(1)');
  t.match(js.cache, /immutable/);
  t.match((await get('/assets/app-1234.css')).type, /^text\/css/);
  const head = await get('/assets/app-1234.js', 'HEAD');
  t.equal(head.status, 200);
  t.equal(head.body, '');
});

t.test('console routes get index.html; a missing asset is a 404', async (t) => {
  for (const path of ['/agent', '/supervisor', '/wallboard?x=1', '/login']) {
    const r = await get(path);
    t.equal(r.status, 200, path);
    t.match(r.body, /<title>console/, path);
  }
  t.equal((await get('/assets/missing.js')).status, 404);
});

t.test('no path leaves the console folder', async (t) => {
  for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/index.html%00.js', '/%E0%A4%A']) {
    const r = await get(path);
    t.not(r.body, 'outside the root', path);
    t.equal(r.status, 404, path);
  }
});

t.test('/api stays the API: JSON answers and JSON 404s, and only GET/HEAD reach the files', async (t) => {
  t.same(JSON.parse((await get('/api/ping')).body), { pong: true });
  const missing = await get('/api/nothing');
  t.equal(missing.status, 404);
  t.match(missing.type, /application\/json/);
  t.equal((await get('/agent', 'POST')).status, 404);
});
