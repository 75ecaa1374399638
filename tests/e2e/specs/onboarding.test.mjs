// First launch on the embedded local devnet: the devnet banner, onboarding, a new owner
// key, its smart account, the faucet, and a balance that shows the funds.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { launch } from '../lib/harness.mjs';
import { accountAddress, assertAddress, createOwnerKey, fundFromFaucet } from '../lib/flows.mjs';

test('first launch: create owner key, account on the devnet, fund, balance shows', async () => {
  const app = await launch('first-launch');
  try {
    await app.byLabel('Create owner key');
    const text = await app.bodyText();
    assert.match(text, /Local devnet — nothing here is real money/, 'the devnet banner');
    await app.screenshot('onboarding');

    await createOwnerKey(app, 'Main');
    const address = await accountAddress(app);
    assertAddress(address);
    const keys = await app.invoke('keys_list');
    assert.equal(keys.value.length, 1);
    assert.notEqual(address, keys.value[0].address, 'an SMA-B account is not the owner address');
    assert.equal((await app.valueOf('Balance')).trim(), '0 ETH');

    const balance = await fundFromFaucet(app);
    assert.equal(balance, '1 ETH');
    const backend = await app.invoke('account_balance', { address });
    assert.equal(backend.value.wei, '1000000000000000000', 'the chain agrees');
    await app.screenshot('funded-account');

    // Settings shows the active backend and offers Alchemy's chains by name.
    await app.click('Settings');
    await app.byLabel('Use Alchemy');
    const chains = await app.session.execute(
      `const el = [...document.querySelectorAll('select')].find((s) => s.labels[0]?.textContent.trim() === 'Chain');
       return el ? [...el.options].map((o) => o.textContent.trim()) : [];`,
    );
    assert.ok(chains.some((c) => c.includes('Base Sepolia')), `chains offered: ${chains}`);
    await app.screenshot('settings');
  } finally {
    await app.close();
  }
});
