// A stand-in for the server a session is exported to: a plain-http listener on 127.0.0.1
// (an ephemeral port; plain http is what the app allows to loopback only) that keeps every
// request it gets and answers 200 with a small JSON reply. Left out: TLS (the app's https
// path needs a certificate it trusts, which a test cannot give it).

import { createServer } from 'node:http';

/** Starts the receiver; `bearer` is the token it expects. Resolves to {url, requests, close}. */
export async function startReceiver({ path = '/sessions', bearer = null } = {}) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const authorized = bearer === null || req.headers.authorization === `Bearer ${bearer}`;
      const status = req.method !== 'POST' || req.url !== path ? 404 : authorized ? 200 : 401;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { stored: true, bytes: body.length } : { error: status }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
