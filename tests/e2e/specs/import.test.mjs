// Importing an owner key by recovery phrase gives the address every wallet derives from
// it, and the 7702 account is that very address.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { launch } from '../lib/harness.mjs';
import { accountAddress, importMnemonic, prepareFor7702 } from '../lib/flows.mjs';
import { MNEMONIC_ADDRESS_0, TEST_MNEMONIC } from '../lib/keys.mjs';

test('import by recovery phrase gives the known address', async () => {
  const app = await launch('import-mnemonic');
  try {
    await prepareFor7702(app);
    await importMnemonic(app, 'Test phrase', TEST_MNEMONIC, "m/44'/60'/0'/0/0");
    const keys = await app.invoke('keys_list');
    const imported = keys.value.filter((k) => k.label === 'Test phrase');
    assert.deepEqual(imported.map((k) => [k.address, k.selected]), [[MNEMONIC_ADDRESS_0, true]]);
    // Its 7702 account is the derived address itself.
    await app.until('the imported 7702 account on screen', async () => (await accountAddress(app)) === MNEMONIC_ADDRESS_0);
    await app.screenshot('imported-7702');
  } finally {
    await app.close();
  }
});
