// No Secret Service (the session bus address points nowhere): the app must show the
// keychain screen — what happened, what to do, Retry — not crash and not offer a new key.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { launch } from '../lib/harness.mjs';

test('keychain unavailable shows the keychain screen', async () => {
  const app = await launch('keychain-unavailable', {
    env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/warden-e2e-no-bus' },
  });
  try {
    const retry = await app.byLabel('Retry');
    await app.screenshot('keychain-unavailable');
    const text = await app.bodyText();
    assert.match(text, /Secret Service|keychain/i, 'it says what happened');
    assert.ok(!(await app.has('Create owner key')), 'no new key is offered while the keychain is unavailable');
    const status = await app.invoke('keychain_status');
    assert.equal(status.ok, true, 'keychain_status answers, it does not throw');
    assert.equal(status.value.state, 'unavailable');
    const keys = await app.invoke('keys_create', { label: 'x' });
    assert.equal(keys.error?.code, 'keychain_unavailable', JSON.stringify(keys));
    await retry.click();
    await app.until('the keychain screen after Retry', async () =>
      !/Opening Warden|Checking/.test(await app.bodyText()) && (await app.has('Retry')));
    assert.ok(!(await app.has('Create owner key')), 'Retry does not lead to onboarding');
    await app.screenshot('after-retry');
  } finally {
    await app.close();
  }
});
