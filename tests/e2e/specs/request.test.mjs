// Issue 16 on the real app: a server asks for a session with `warden request create` and
// waits with `warden request wait`; the desktop opens the warden://request link with Warden
// (a second launch with the link as its argument, handed over to the running app), which
// shows it on the Sessions screen. The owner sees who asks and their justification as text,
// lowers the ETH limit, approves in the approval window (which says who asked), and the
// answer reaches the waiting server, which checks it and writes the credentials. With its
// own key added, the server's `warden call` works within the lowered limit and is refused
// above it. The request is single use: opening it again is refused with the reason.
// Then the loopback intake: off by default; turned on, a wrong pairing code and a web page's
// Origin are refused, the right code queues the request, the owner declines, and the
// server's `request wait` ends with the decline.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { launch, writeArtifact } from '../lib/harness.mjs';
import { createOwnerKey, fundFromFaucet } from '../lib/flows.mjs';
import { balanceOf, nodeUrl, randomAddress, toHex } from '../lib/devnet.mjs';
import { answerApproval, approvalView, findApprovalWindow } from '../lib/grant.mjs';
import { show, warden } from '../lib/cli.mjs';
import { HEX_ADDRESS, HEX_KEY } from '../lib/keys.mjs';

const E15 = 10n ** 15n;

/** Runs `bin ARGS` with `env` until it exits; resolves to {code, stderr}. */
function runToExit(bin, args, env, timeout = 60000) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? `signal ${signal}`, stderr });
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

test('a server asks, the owner lowers a limit and approves in the app, the server receives working credentials', async () => {
  const app = await launch('request');
  try {
    await app.byLabel('Create owner key');
    await createOwnerKey(app, 'Main');
    await fundFromFaucet(app);
    const node = await nodeUrl(app);
    const recipient = randomAddress();

    // ---- the server asks: 0.01 ETH to one recipient, for a day, adjustable ----
    const perms = join(app.dirs.root, 'perms.json');
    writeFileSync(perms, JSON.stringify([
      { type: 'native-token-transfer', data: { allowance: toHex(10n * E15) } },
      { type: 'contract-access', data: { address: recipient } },
    ]));
    const port = await freePort();
    const req = join(app.dirs.root, 'req.json');
    const created = await warden('request', [
      'request', 'create', '--permissions', perms, '--expiry', '1d', '--key', HEX_ADDRESS,
      '--justification', 'Pays the <b>feed</b> operator\nonce a day', '--name', 'E2E feed',
      '--answer-to', `http://127.0.0.1:${port}/answer`, '--allow-adjust', '--out', req,
    ]);
    assert.equal(created.code, 0, show(created));
    const link = created.stderr.trim().split('\n').find((l) => l.startsWith('warden://request?d='));
    assert.ok(link, show(created));
    const creds = join(app.dirs.root, 'from-request.json');
    const waiting = warden('request', ['request', 'wait', '--request', req, '--listen', `127.0.0.1:${port}`, '--out', creds, '--timeout', '300'], { timeout: 320000 });

    // ---- the desktop opens the link with Warden: a second launch, which hands it over ----
    await app.click('Account');
    const second = await runToExit(app.binary, [link], app.env);
    writeArtifact('request-second-launch.txt', `exit ${second.code}\n${second.stderr}`);
    assert.equal(second.code, 0, `the launch with the link hands over and exits 0: ${second.stderr}`);
    const dialog = await app.byLabel('Session requested by E2E feed', { timeout: 30000 });
    assert.match((await app.textOf('#sessions-title')) ?? '', /Sessions/, 'shown on the Sessions screen');
    const words = await app.textOf('[data-testid="justification"]', { within: dialog });
    assert.equal(words, 'Pays the <b>feed</b> operator\nonce a day', 'their words, as text');
    assert.equal(await app.textOf('[data-testid="answer-to"]', { within: dialog }), `http://127.0.0.1:${port}/answer`);
    assert.equal(await app.valueOf('Limit for “ETH spending limit” (ETH)'), '0.01');
    await app.fill('Limit for “ETH spending limit” (ETH)', '0.005', { within: dialog });
    await app.screenshot('request-review');

    const main = await app.session.windowHandle();
    await app.click('Continue to approval', { within: dialog });
    const handles = { main, approval: await findApprovalWindow(app, main) };
    const shown = await approvalView(app);
    writeArtifact('request-approval.json', JSON.stringify(shown, null, 2));
    assert.match(shown.body, /Requested by\s+E2E feed \(127\.0\.0\.1:\d+\)/, shown.body);
    assert.match(shown.body, /0\.005 ETH/, 'the lowered limit is what is signed');
    assert.match(shown.body, /held by the server/, shown.body);
    await answerApproval(app, handles, 'Approve', () => app.screenshot('request-approved'));

    const outcome = await app.until('the answer to be sent', async () => {
      const t = await app.textOf('[data-testid="request-outcome"]');
      return t && /Approved and sent|did not reach/.test(t) ? t : null;
    }, { timeout: 60000 });
    await app.screenshot('request-answered');
    assert.match(outcome, /Approved and sent\. 127\.0\.0\.1:\d+ received the answer/, outcome);

    // ---- the server checked the answer and wrote the credentials ----
    const waited = await waiting;
    assert.equal(waited.code, 0, show(waited));
    const doc = JSON.parse(readFileSync(creds, 'utf8'));
    assert.deepEqual(JSON.parse(JSON.stringify(doc.permissions).toLowerCase()), [
      { type: 'native-token-transfer', data: { allowance: toHex(5n * E15) } },
      { type: 'contract-access', data: { address: recipient.toLowerCase() } },
    ], 'the lowered limit, the rest as asked');
    assert.equal(doc.key.publicKey.toLowerCase(), HEX_ADDRESS.toLowerCase());
    assert.equal(doc.secret, undefined, 'the server holds its key: no secret travels');

    // ---- with its own key, the server acts within the lowered limit, not above it ----
    const withKey = join(app.dirs.root, 'with-key.json');
    writeFileSync(withKey, JSON.stringify({ ...doc, secret: { type: 'plaintext', privateKey: HEX_KEY } }), { mode: 0o600 });
    const ok = await warden('request', ['call', '--credentials', withKey, '--to', recipient, '--value', '0.004ether']);
    assert.equal(ok.code, 0, show(ok));
    assert.equal(await balanceOf(node, recipient), 4n * E15);
    const over = await warden('request', ['call', '--credentials', withKey, '--to', recipient, '--value', '0.002ether']);
    assert.equal(over.code, 3, show(over));
    assert.match(over.stderr, /native-token-transfer/, show(over));
    assert.equal(await balanceOf(node, recipient), 4n * E15, 'nothing more moved');

    // ---- the owner's list keeps the session (to revoke it); the request is single use ----
    const sessions = (await app.invoke('sessions_list')).value;
    const granted = sessions.find((s) => s.label === 'E2E feed');
    assert.ok(granted, JSON.stringify(sessions));
    assert.equal(granted.keyHeldByWarden, false);
    const again = await app.invoke('request_open', { text: link });
    assert.equal(again.ok, false);
    assert.equal(again.error.code, 'verification_failed', JSON.stringify(again));
    assert.match(again.error.message, /already answered/);
  } finally {
    await app.close();
  }
});

test('a server on this computer sends its request to the loopback intake; the owner declines and the server hears it', async () => {
  const app = await launch('intake');
  try {
    await app.byLabel('Create owner key');
    await createOwnerKey(app, 'Main');
    const recipient = randomAddress();
    const perms = join(app.dirs.root, 'perms.json');
    writeFileSync(perms, JSON.stringify([{ type: 'contract-access', data: { address: recipient } }]));
    const port = await freePort();
    const req = join(app.dirs.root, 'req.json');
    const created = await warden('intake', [
      'request', 'create', '--permissions', perms, '--expiry', '1h', '--key', HEX_ADDRESS,
      '--justification', 'Reads prices', '--name', 'Intake feed', '--answer-to', `http://127.0.0.1:${port}/answer`, '--out', req,
    ]);
    assert.equal(created.code, 0, show(created));
    const document = readFileSync(req, 'utf8');
    const waiting = warden('intake', ['request', 'wait', '--request', req, '--listen', `127.0.0.1:${port}`, '--out', join(app.dirs.root, 'creds.json'), '--timeout', '300'], { timeout: 320000 });

    // Off by default: nothing listens. Turned on: an address and a pairing code.
    assert.equal((await app.invoke('intake_status')).value.listening, false);
    const on = await app.invoke('intake_start', { port: 0 });
    assert.equal(on.ok, true, JSON.stringify(on));
    const { url, pairingCode } = on.value;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1\/requests$/);
    const send = (headers) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: document });

    // A wrong code and a web page's Origin are refused; nothing opens.
    const wrong = await send({ authorization: 'Bearer AAAA-AAAA-AAAA-AAAA' });
    assert.equal(wrong.status, 401, await wrong.text());
    const page = await send({ authorization: `Bearer ${pairingCode}`, origin: 'https://example.com' });
    assert.equal(page.status, 403, await page.text());
    assert.equal((await app.invoke('request_take_incoming')).value, null, 'nothing was queued');

    // The right code: queued, and the app shows it.
    const ok = await send({ authorization: `Bearer ${pairingCode}` });
    assert.equal(ok.status, 202, await ok.text());
    const dialog = await app.byLabel('Session requested by Intake feed', { timeout: 30000 });
    await app.screenshot('intake-request');
    await app.click('Decline', { within: dialog });
    const outcome = await app.until('the decline to be sent', async () => {
      const t = await app.textOf('[data-testid="request-outcome"]');
      return t && /Declined|did not reach/.test(t) ? t : null;
    }, { timeout: 60000 });
    assert.match(outcome, /Declined\./, outcome);
    const waited = await waiting;
    assert.equal(waited.code, 1, `a decline ends the server's wait with exit 1: ${show(waited)}`);

    const off = await app.invoke('intake_stop');
    assert.equal(off.value.listening, false);
    await assert.rejects(send({ authorization: `Bearer ${pairingCode}` }), 'nothing listens once off');
  } finally {
    await app.close();
  }
});
