// A 7702 account on the devnet: fund it, press Delegate, watch the progress, and end
// delegated — on screen and on chain (account_get reads the delegation from its code).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { launch } from '../lib/harness.mjs';
import { accountAddress, createOwnerKey, fundFromFaucet, prepareFor7702 } from '../lib/flows.mjs';

test('7702 account: delegate, then delegated', async () => {
  const app = await launch('delegate-7702');
  try {
    await prepareFor7702(app);
    await createOwnerKey(app, 'Seven');
    const keys = await app.invoke('keys_list');
    const seven = keys.value.find((k) => k.label === 'Seven');
    assert.equal(seven.selected, true);
    await app.until('the 7702 account on screen', async () => (await accountAddress(app)) === seven.address);
    const status = await app.session.find('[data-testid="delegation-status"]');
    assert.equal(await status.text(), 'Not delegated yet');

    await fundFromFaucet(app);
    await app.click('Delegate');
    await app.until('the delegation to be confirmed', async () => (await status.text()) === 'Delegated', {
      timeout: 60000,
    });
    const result = await app.session.find('[data-testid="delegation-result"]');
    assert.match(await result.text(), /Delegation confirmed/);
    const account = await app.invoke('account_get', { accountType: '7702' });
    assert.equal(account.value.delegated, true, 'delegated on chain');
    await app.screenshot('delegated');
  } finally {
    await app.close();
  }
});
