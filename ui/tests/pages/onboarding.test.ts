// Onboarding: create, import by private key, import by recovery phrase with a path; input
// checked before anything is sent; failures shown next to the button; secrets never shown.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type AppPage, type Harness } from './harness';
import { ANVIL_ADDRESS, ANVIL_KEY, MAIN_KEY, TEST_PHRASE, alerts, button, expectText, expectVisibleText, field } from './fixtures';

let harness: Harness;
let app: AppPage | null = null;
beforeAll(async () => (harness = await startHarness()));
afterAll(async () => harness?.close());
afterEach(() => {
  expect(app?.problems() ?? []).toEqual([]);
  app = null;
});

const tab = (app: AppPage, name: string) => app.page.getByRole('tab', { name, exact: true });
const keyCommands = async (app: AppPage) => (await app.calls()).filter((c) => c.cmd.startsWith('keys_') && c.cmd !== 'keys_list');

describe('onboarding', () => {
  test('first launch: create an owner key and land on its account', async () => {
    app = await harness.open({ keys: [] });
    const { page } = app;
    await page.getByRole('heading', { name: 'Set up your owner key', level: 1 }).waitFor();
    expect(await page.getByTestId('backend-banner').textContent()).toContain('Local devnet — nothing here is real money');
    expect(await field(page, 'Label').inputValue()).toBe('Main');
    expect(await tab(app, 'New key').getAttribute('aria-selected')).toBe('true');
    await app.shot('onboarding-create');
    await button(page, 'Create owner key').click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    const created = await keyCommands(app);
    expect(created).toEqual([{ cmd: 'keys_create', args: { label: 'Main' } }]);
    await expectText(page.getByRole('heading', { name: 'Owner keys' }).locator('xpath=../..'), 'Main');
  });

  test('a list of keys that was lost: Warden finds its keys in the keychain again and goes on', async () => {
    app = await harness.open({ keys: [], lostKeys: [MAIN_KEY] });
    const { page } = app;
    await page.getByRole('heading', { name: 'Set up your owner key', level: 1 }).waitFor();
    await button(page, 'Look for Warden keys in the keychain').click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    expect((await keyCommands(app)).map((c) => c.cmd)).toEqual(['keys_repair']);
  });

  test('looking in the keychain when it holds no Warden key says so and stays', async () => {
    app = await harness.open({ keys: [] });
    const { page } = app;
    await button(page, 'Look for Warden keys in the keychain').click();
    await expectText(page.getByTestId('key-repair-result'), 'No Warden owner key is in the keychain.');
    await page.getByRole('heading', { name: 'Set up your owner key', level: 1 }).waitFor();
  });

  test('an empty label is refused before anything is sent', async () => {
    app = await harness.open({ keys: [] });
    const { page } = app;
    await field(page, 'Label').fill('   ');
    await button(page, 'Create owner key').click();
    await expectVisibleText(page, 'Give the key a label');
    expect(await field(page, 'Label').getAttribute('aria-invalid')).toBe('true');
    expect(await keyCommands(app)).toEqual([]);
  });

  test('import by private key: bad hex is explained, a good key lands on its known address', async () => {
    app = await harness.open({ keys: [] });
    const { page } = app;
    await tab(app, 'From a private key').click();
    await field(page, 'Label').fill('Imported');
    await field(page, 'Private key').fill('0x12345');
    await button(page, 'Import owner key').click();
    await expectVisibleText(page, 'A private key is 64 hexadecimal characters; this has 5.');
    await app.shot('onboarding-hex-invalid');
    await field(page, 'Private key').fill(`${ANVIL_KEY.slice(0, 60)}zzzz`);
    await button(page, 'Import owner key').click();
    await expectVisibleText(page, 'only the characters 0–9 and a–f');
    expect(await keyCommands(app)).toEqual([]);

    await field(page, 'Private key').fill(ANVIL_KEY.toUpperCase().replace('0X', '0x'));
    expect(await field(page, 'Private key').getAttribute('type')).toBe('password');
    await button(page, 'Import owner key').click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    expect(await keyCommands(app)).toEqual([{ cmd: 'keys_import_hex', args: { label: 'Imported', privateKey: ANVIL_KEY } }]);
    // 7702 shows the owner address itself: the known address of the anvil key.
    await page.getByRole('radio', { name: 'EIP-7702', exact: true }).check();
    await expect.poll(() => page.getByLabel('Account address', { exact: true }).getAttribute('title')).toBe(ANVIL_ADDRESS);
    expect(await page.content()).not.toContain(ANVIL_KEY.slice(2));
  });

  test('import by recovery phrase with the default path gives the known address', async () => {
    app = await harness.open({ keys: [] });
    const { page } = app;
    await tab(app, 'From a recovery phrase').click();
    await field(page, 'Label').fill('From phrase');
    expect(await field(page, 'Derivation path').inputValue()).toBe("m/44'/60'/0'/0/0");
    await field(page, 'Recovery phrase').fill('test test test test test test test test test test junk');
    await field(page, 'Derivation path').fill("m/44'/60'/x");
    await button(page, 'Import owner key').click();
    await expectVisibleText(page, 'A recovery phrase has 12, 15, 18, 21 or 24 words; this has 11.');
    await expectVisibleText(page, "A derivation path looks like m/44'/60'/0'/0/0.");
    await app.shot('onboarding-mnemonic-invalid');
    expect(await keyCommands(app)).toEqual([]);

    await field(page, 'Recovery phrase').fill(`  ${TEST_PHRASE.toUpperCase().replace(/ /g, '   ')}\n`);
    await field(page, 'Derivation path').fill("m/44'/60'/0'/0/0");
    await button(page, 'Import owner key').click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    expect(await keyCommands(app)).toEqual([
      { cmd: 'keys_import_mnemonic', args: { label: 'From phrase', phrase: TEST_PHRASE, path: "m/44'/60'/0'/0/0" } },
    ]);
    expect(await page.content()).not.toContain('test test test');
  });

  test('a key already in the keychain is refused next to the button, and the field is cleared', async () => {
    app = await harness.open({ keys: [MAIN_KEY] });
    const { page } = app;
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await button(page, 'Add owner key').click();
    await page.getByRole('heading', { name: 'Add an owner key', level: 1 }).waitFor();
    await tab(app, 'From a private key').click();
    await field(page, 'Label').fill('Again');
    await field(page, 'Private key').fill(ANVIL_KEY);
    await button(page, 'Import owner key').click();
    await expectText(alerts(page), 'That key is already in Warden.');
    await expectText(alerts(page), 'Select it in the list of owner keys');
    expect(await field(page, 'Private key').inputValue()).toBe('');
    await app.shot('onboarding-already-exists');
    await button(page, 'Cancel').click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  });

  test('a locked keychain while creating is explained where it happened', async () => {
    app = await harness.open({
      keys: [],
      failures: { keys_create: [{ code: 'keychain_locked', message: 'the login keyring is locked' }] },
    });
    const { page } = app;
    await button(page, 'Create owner key').click();
    await expectText(alerts(page), 'Your keychain is locked.');
    await expectText(alerts(page), 'Details: the login keyring is locked');
    await page.getByRole('heading', { name: 'Set up your owner key' }).waitFor();
    // Trying again once unlocked works.
    await button(page, 'Create owner key').click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  });

  test('keyboard only: arrows switch the method tabs, Enter submits', async () => {
    app = await harness.open({ keys: [] });
    const { page } = app;
    await page.getByRole('heading', { name: 'Set up your owner key' }).waitFor();
    await tab(app, 'New key').focus();
    await page.keyboard.press('ArrowRight');
    expect(await tab(app, 'From a private key').getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('From a private key');
    await page.keyboard.press('ArrowRight');
    await field(page, 'Recovery phrase').waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await tab(app, 'New key').getAttribute('aria-selected')).toBe('true');
    // Tab into the form, then Enter in the label field creates the key.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('key-label');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  });
});
