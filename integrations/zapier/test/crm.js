'use strict';

/**
 * The CRM the tests run against: the local stack at CRM_API_URL (`make test` starts one; or
 * your own `make run` at http://127.0.0.1:8000). Each run creates its own CRM, signs in its
 * admin and creates the API keys Zapier would be given, so nothing depends on the demo data.
 */

const crypto = require('node:crypto');
const http = require('node:http');

const BASE = (process.env.CRM_API_URL || 'http://127.0.0.1:8000').replace(/\/+$/, '');

const call = async (method, path, { body, token, key } = {}) => {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (key) headers['X-Api-Key'] = key;
  const response = await fetch(`${BASE}/v1${path}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
};

const must = async (method, path, options) => {
  const reply = await call(method, path, options);
  if (reply.status >= 300) throw new Error(`${method} ${path} -> ${reply.status} ${JSON.stringify(reply.json)}`);
  return reply.json;
};

/** A fresh CRM with its admin signed in and an "api" key (plus a "forms" key and a slow key). */
const newCrm = async () => {
  const suffix = crypto.randomBytes(4).toString('hex');
  const admin = { name: 'Zoe Admin', email: `zoe-${suffix}@example.com`, password: 'zapier-test-pass', extension: '100' };
  const created = await must('POST', '/crms', { body: { name: `Zapier Test ${suffix}`, admin } });
  const session = await must('POST', '/auth/login', {
    body: { crm: created.crm.slug, email: admin.email, password: admin.password },
  });
  const token = session.access_token;
  const key = async (name, scope, extra = {}) =>
    (await must('POST', '/api-keys', { token, body: { name, scope, ...extra } })).key;
  return {
    token,
    admin: session.user,
    apiKey: await key('Zapier', 'api'),
    formsKey: await key('Website', 'forms'),
    slowKey: await key('Slow', 'api', { rate_limit: 2 }),
  };
};

/** A loopback HTTP server standing in for Zapier's hook URLs; it keeps every request it gets. */
const receiver = async () => {
  const received = [];
  const waiting = [];
  const server = http.createServer((request, response) => {
    let content = '';
    request.on('data', (chunk) => (content += chunk));
    request.on('end', () => {
      received.push({ path: request.url, headers: request.headers, content });
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
      for (const wake of waiting.splice(0)) wake();
    });
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const url = (path) => `http://127.0.0.1:${server.address().port}${path}`;
  /** The first delivery to `path` matching `test`, waiting up to `seconds`. */
  const next = async (path, test = () => true, seconds = 60) => {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const found = received.find((r) => r.path === path && test(JSON.parse(r.content)));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no delivery to ${path} within ${seconds} s`);
      await new Promise((done) => {
        waiting.push(done);
        setTimeout(done, 500);
      });
    }
  };
  return { url, next, received, close: () => new Promise((done) => server.close(done)) };
};

module.exports = { BASE, call, must, newCrm, receiver };
