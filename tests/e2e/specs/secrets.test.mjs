// Every command, called through IPC exactly as the UI calls it, with known test keys: no
// command result, command error or event the webview receives may contain a private key
// or the recovery phrase — nor may the app's log or the files it writes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { launch, writeArtifact } from '../lib/harness.mjs';
import { HEX_ADDRESS, HEX_KEY, MNEMONIC_ADDRESS_2, MNEMONIC_KEY_2, TEST_MNEMONIC } from '../lib/keys.mjs';
import { COMMANDS } from '../lib/commands.mjs';

function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile() && st.size < 64 << 20) out.push(p);
  }
  return out;
}

/** The secrets as they could appear: with and without 0x, any case; the phrase. */
const needles = [HEX_KEY, MNEMONIC_KEY_2].flatMap((k) => [k.slice(2).toLowerCase()]).concat([TEST_MNEMONIC]);

function leaks(text) {
  const lower = text.toLowerCase();
  return needles.filter((n) => lower.includes(n.toLowerCase()));
}

test('no command result, error or event carries key material', async () => {
  const app = await launch('secrets');
  let log = '';
  try {
    await app.installIpcRecorder();
    const called = new Set();
    const call = async (command, args) => {
      called.add(command);
      return app.invoke(command, args);
    };

    // The progress event is listened to the way the UI listens, so its payloads are recorded.
    await app.session.executeAsync(`
      const done = arguments[arguments.length - 1];
      const internals = window.__TAURI_INTERNALS__;
      const handler = internals.transformCallback(() => {});
      internals.invoke('plugin:event|listen', { event: 'progress', target: { kind: 'Any' }, handler }).then(done, (e) => done(String(e)));
    `);

    assert.equal((await call('app_info')).ok, true);
    assert.equal((await call('keychain_status')).value.state, 'ok');
    assert.equal((await call('keys_list')).ok, true);

    const hex = await call('keys_import_hex', { label: 'hex', privateKey: HEX_KEY });
    assert.equal(hex.ok, true, JSON.stringify(hex));
    assert.equal(hex.value.address, HEX_ADDRESS);
    const again = await call('keys_import_hex', { label: 'again', privateKey: `  ${HEX_KEY.toUpperCase().replace('0X', '0x')}\n` });
    assert.equal(again.error?.code, 'already_exists', JSON.stringify(again));
    const bad = await call('keys_import_hex', { label: 'bad', privateKey: HEX_KEY.slice(0, 40) });
    assert.equal(bad.error?.code, 'invalid_input', JSON.stringify(bad));

    const mn = await call('keys_import_mnemonic', { label: 'phrase', phrase: TEST_MNEMONIC, path: "m/44'/60'/0'/0/2" });
    assert.equal(mn.ok, true, JSON.stringify(mn));
    assert.equal(mn.value.address, MNEMONIC_ADDRESS_2);
    const badPhrase = await call('keys_import_mnemonic', { label: 'x', phrase: TEST_MNEMONIC.replace('junk', 'jnuk'), path: null });
    assert.equal(badPhrase.error?.code, 'invalid_input', JSON.stringify(badPhrase));

    const created = await call('keys_create', { label: 'fresh' });
    assert.equal(created.ok, true, JSON.stringify(created));
    assert.equal((await call('keys_select', { id: HEX_ADDRESS })).ok, true);
    const renamed = await call('keys_rename', { id: HEX_ADDRESS, label: 'renamed' });
    assert.equal(renamed.value.find((k) => k.address === HEX_ADDRESS).label, 'renamed');
    assert.equal((await call('keys_delete', { id: created.value.id })).error?.code, 'not_confirmed');
    assert.equal((await call('keys_delete', { id: created.value.id, confirm: true })).value.length, 2);

    assert.equal((await call('backend_status')).value.kind, 'devnet');
    assert.ok((await call('chains_list')).value.length >= 2);

    const account = await call('account_get', { accountType: '7702' });
    assert.equal(account.ok, true, JSON.stringify(account));
    assert.equal(account.value.address, HEX_ADDRESS);
    assert.equal((await call('account_get', { accountType: 'sma-b' })).ok, true);
    assert.equal((await call('account_get', { accountType: 'light' })).error?.code, 'invalid_input');
    assert.equal((await call('devnet_fund', { address: HEX_ADDRESS })).ok, true);
    assert.equal((await call('account_balance', { address: HEX_ADDRESS })).ok, true);
    assert.equal((await call('account_balance', { address: 'nope' })).error?.code, 'invalid_input');
    const delegated = await call('account_delegate');
    assert.equal(delegated.ok, true, JSON.stringify(delegated));

    // Alchemy with a made-up key: stored in the keychain, never echoed; the faucet refuses.
    const alchemy = await call('backend_use_alchemy', { apiKey: 'e2e-not-a-real-key', chainId: 84532, policyId: null });
    assert.equal(alchemy.ok, true, JSON.stringify(alchemy));
    assert.equal(alchemy.value.hasApiKey, true);
    assert.equal((await call('devnet_fund', { address: HEX_ADDRESS })).error?.code, 'not_on_devnet');
    assert.equal((await call('backend_use_alchemy', { apiKey: null, chainId: 0, policyId: null })).error?.code, 'invalid_input');
    assert.equal((await call('backend_use_devnet')).value.kind, 'devnet');

    assert.deepEqual([...COMMANDS].filter((c) => !called.has(c)), [], 'every command was exercised');

    const payloads = await app.ipcLog();
    writeArtifact('secrets-ipc-payloads.json', JSON.stringify(payloads, null, 1));
    assert.ok(Array.isArray(payloads), 'the recorder ran');
    const all = payloads.join('\n');
    // The recorder saw what it should (so an empty or broken recorder cannot pass).
    assert.ok(all.includes(HEX_ADDRESS) && all.includes(MNEMONIC_ADDRESS_2), 'results were recorded');
    assert.ok(all.includes('"op":"delegate"'), 'progress events were recorded');
    assert.ok(all.includes('already_exists') && all.includes('not_on_devnet'), 'errors were recorded');
    assert.deepEqual(leaks(all), [], 'no IPC payload carries key material');
    await app.screenshot('after-every-command');
  } finally {
    log = await app.close();
  }
  writeArtifact('secrets-app.log', log);
  assert.ok(log.includes('added owner key'), 'the app log was captured');
  assert.deepEqual(leaks(log), [], 'the app log carries no key material');
  for (const file of filesUnder(app.dirs.root)) {
    assert.deepEqual(leaks(readFileSync(file, 'latin1')), [], `${file} carries no key material`);
  }
});
