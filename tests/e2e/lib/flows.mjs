// Steps several specs share, done the way a person does them: through labelled controls.

import assert from 'node:assert/strict';

/** The full address behind the shortened "Account address" (its title attribute). */
export async function accountAddress(app) {
  return app.until('the account address', async () => {
    const el = await app.session.execute(FIND_ADDRESS);
    return el ? el.attribute('title') : null;
  });
}

const FIND_ADDRESS = `
  const el = [...document.querySelectorAll('[aria-label="Account address"]')].find((e) => e.getClientRects().length > 0);
  return el || null;
`;

/** Onboarding: creates an owner key labelled `label`; waits for the account screen. */
export async function createOwnerKey(app, label) {
  await app.fill('Label', label);
  await app.click('Create owner key');
  await app.byLabel('Account address', { timeout: 30000 });
}

/** Onboarding: imports a recovery phrase at `path`. */
export async function importMnemonic(app, label, phrase, path) {
  await app.click('From a recovery phrase');
  await app.fill('Label', label);
  await app.fill('Recovery phrase', phrase);
  if (path) await app.fill('Derivation path', path);
  await app.click('Import owner key');
  await app.byLabel('Account address', { timeout: 30000 });
}

/** Funds the shown account from the devnet faucet and waits until the balance shows ETH. */
export async function fundFromFaucet(app) {
  await app.click('Fund from faucet');
  return app.until('a funded balance', async () => {
    const text = await app.valueOf('Balance');
    return /^[1-9][\d.]* ETH$/.test(text.trim()) ? text.trim() : null;
  });
}

export function assertAddress(value) {
  assert.match(value, /^0x[0-9a-fA-F]{40}$/);
}

/** Makes the account screen ask for 7702 accounts from now on: on the devnet, as on
 * Alchemy, an owner that already has an account gets that one back whatever type is asked
 * for, so the type must be chosen before a key's first lookup. Creates a throwaway key,
 * switches the (app-wide) account type to 7702, and opens "Add owner key". */
export async function prepareFor7702(app) {
  await app.byLabel('Create owner key');
  await createOwnerKey(app, 'Throwaway');
  const radio = await app.session.find('input[type=radio][name=accountType][value="7702"]');
  await radio.click();
  await app.until('the 7702 choice and its account', async () => {
    if (!(await radio.property('checked'))) return false;
    return (await app.has('Account address')) && !/Asking the backend/.test(await app.bodyText());
  });
  // The account screen re-renders as the lookup settles; click until the form opens.
  await app.until('the add-key form', async () => {
    if (await app.has('Label')) return true;
    await app.click('Add owner key');
    return app.has('Label');
  }, { interval: 500 });
}
