// The keychain error screen: each unusable state says what happened and what to do, offers
// Retry, and never leads to a new key.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type AppPage, type Harness } from './harness';
import { MAIN_KEY, button, expectVisibleText } from './fixtures';

let harness: Harness;
let app: AppPage | null = null;
beforeAll(async () => (harness = await startHarness()));
afterAll(async () => harness?.close());
afterEach(() => {
  expect(app?.problems() ?? []).toEqual([]);
  app = null;
});

describe('keychain screen', () => {
  for (const [state, title, todo] of [
    ['locked', 'Your keychain is locked', 'unlocking the Login keyring'],
    ['unavailable', 'No keychain is available', 'gnome-keyring'],
    ['denied', 'Warden was not allowed into the keychain', 'allow Warden when your system asks'],
  ] as const) {
    test(`${state}: says what happened and what to do, with Retry`, async () => {
      app = await harness.open({ keychain: state, keychainMessage: `secret service says: ${state}`, keys: [MAIN_KEY] });
      const { page } = app;
      await page.getByRole('heading', { name: title, level: 1 }).waitFor();
      await expectVisibleText(page, 'What happened');
      await expectVisibleText(page, todo);
      await expectVisibleText(page, 'No key was created, changed or deleted.');
      expect(await button(page, 'Retry').isEnabled()).toBe(true);
      expect(await page.getByTestId('backend-banner').textContent()).toContain('Local devnet — nothing here is real money');
      // No way to create a key from here, and no key command was sent.
      expect(await button(page, 'Create owner key').count()).toBe(0);
      const sent = (await app.calls()).map((c) => c.cmd);
      expect(sent.filter((c) => c.startsWith('keys_'))).toEqual([]);
      await page.getByText('Technical details').click();
      await expectVisibleText(page, `secret service says: ${state}`);
      await app.shot(`keychain-${state}`);
    });
  }

  test('while starting it says so, and the banner does not guess the backend', async () => {
    app = await harness.open({ keys: [MAIN_KEY], delays: { app_info: 1500 } });
    const { page } = app;
    await expectVisibleText(page, 'Opening Warden…');
    expect(await page.getByTestId('backend-banner').textContent()).toContain('Backend not known yet');
    await app.shot('starting');
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    expect(await page.getByTestId('backend-banner').textContent()).toContain('Local devnet');
  });

  test('Retry after unlocking goes on to the keys', async () => {
    app = await harness.open({ keychain: 'locked', keys: [MAIN_KEY] });
    const { page } = app;
    await page.getByRole('heading', { name: 'Your keychain is locked' }).waitFor();
    await button(page, 'Retry').click();
    await page.getByRole('heading', { name: 'Your keychain is locked' }).waitFor();
    await page.evaluate(() => (window.__WARDEN_SCENARIO__!.keychain = 'ok'));
    await button(page, 'Retry').click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  });

  test('Retry with no keys after unlocking goes to onboarding, not before', async () => {
    app = await harness.open({ keychain: 'unavailable', keys: [] });
    const { page } = app;
    await page.getByRole('heading', { name: 'No keychain is available' }).waitFor();
    await page.evaluate(() => (window.__WARDEN_SCENARIO__!.keychain = 'ok'));
    await button(page, 'Retry').click();
    await page.getByRole('heading', { name: 'Set up your owner key' }).waitFor();
  });

  test('a keychain error while listing keys shows the keychain screen', async () => {
    app = await harness.open({
      keys: [MAIN_KEY],
      failures: { keys_list: [{ code: 'keychain_locked', message: 'collection is locked' }] },
    });
    await app.page.getByRole('heading', { name: 'Your keychain is locked' }).waitFor();
  });

  test('a corrupt entry says so in plain words and Retry recovers', async () => {
    app = await harness.open({
      keys: [MAIN_KEY],
      failures: { keys_list: [{ code: 'keychain_corrupt', message: 'entry warden.owner.k1 is not a key' }] },
    });
    const { page } = app;
    await page.getByRole('heading', { name: 'Warden could not read your keys' }).waitFor();
    await expectVisibleText(page, 'A keychain entry exists but does not hold a valid key.');
    await expectVisibleText(page, 'Nothing was overwritten.');
    await page.getByText('Technical details').click();
    await expectVisibleText(page, 'entry warden.owner.k1 is not a key');
    await app.shot('keychain-corrupt');
    await button(page, 'Retry').click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  });

  test('a keychain_status command that rejects is shown as unavailable, not a crash', async () => {
    app = await harness.open({
      failures: { keychain_status: [{ code: 'keychain_unavailable', message: 'no session bus' }] },
    });
    await app.page.getByRole('heading', { name: 'No keychain is available' }).waitFor();
  });
});
