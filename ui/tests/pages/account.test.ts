// The account screen: address with copy, the funding QR code (an EIP-681 request naming the
// chain) and its text, account type, balance in the chain's currency with refresh, devnet
// faucet, 7702 delegation with progress and final status, and the owner keys list.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { encode } from 'uqr';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SHOTS, startHarness, type AppPage, type Harness } from './harness';
import { ANVIL_ADDRESS, MAIN_KEY, SECOND_KEY, alerts, button, expectText, expectVisibleText, field } from './fixtures';

let harness: Harness;
let app: AppPage | null = null;
beforeAll(async () => (harness = await startHarness()));
afterAll(async () => harness?.close());
afterEach(() => {
  expect(app?.problems() ?? []).toEqual([]);
  app = null;
});

const SMA_ADDRESS = `0x5a${ANVIL_ADDRESS.slice(4)}`;
const commands = async (app: AppPage) => (await app.calls()).map((c) => c.cmd);
const address = (app: AppPage) => app.page.getByLabel('Account address', { exact: true });
const balance = (app: AppPage) => app.page.getByLabel('Balance', { exact: true });
const fundingQr = (app: AppPage, chainId = 31337) => app.page.getByRole('img', { name: `QR code to fund the account on chain ${chainId}` });
/** What the funding QR code holds: EIP-681, the address on its chain. */
const FUNDING_URI = `ethereum:${SMA_ADDRESS}@31337`;

async function openAccount(scenario: Parameters<Harness['open']>[0] = {}) {
  app = await harness.open({ keys: [MAIN_KEY], ...scenario });
  await app.page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  return app;
}

describe('account', () => {
  test('shows the smart account address shortened, with the full value, a copy button and a funding QR code', async () => {
    const app = await openAccount({ balances: { [SMA_ADDRESS]: '1500000000000000000' } });
    const { page } = app;
    await expectText(address(app), '0x5a9F…2266');
    expect(await address(app).getAttribute('title')).toBe(SMA_ADDRESS);
    await expectText(balance(app), '1.5 ETH');
    expect(await balance(app).getAttribute('title')).toBe('1.5 ETH (1500000000000000000 wei)');
    await fundingQr(app).waitFor();
    await expectText(page.getByTestId('funding-uri'), FUNDING_URI);
    expect(await page.getByRole('radio', { name: 'Smart account', exact: true }).isChecked()).toBe(true);
    expect((await app.calls()).find((c) => c.cmd === 'account_get')?.args).toEqual({ accountType: 'sma-b' });
    await app.shot('account-devnet');

    await button(page, 'Copy address').click();
    await expectVisibleText(page, 'Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(SMA_ADDRESS);

    expect(await page.getByTestId('full-address').count()).toBe(0);
    await button(page, 'Show full address').click();
    await expectText(page.getByTestId('full-address'), SMA_ADDRESS);
    expect(await button(page, 'Hide full address').getAttribute('aria-expanded')).toBe('true');
  });

  test('a narrow window keeps everything inside it (no sideways scrolling)', async () => {
    app = await harness.open({ keys: [MAIN_KEY, SECOND_KEY] }, { width: 420, height: 800 });
    const { page } = app;
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await expectText(page.getByLabel('Balance', { exact: true }), '0 ETH');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    await app.shot('account-narrow');
  });

  // That the drawing draws the encoder's matrix, module for module, with its quiet zone; that
  // the matrix is the funding request is the next test's, read back by a real QR reader.
  test('the QR code drawn is the QR code of the EIP-681 funding request', async () => {
    const app = await openAccount();
    const svg = fundingQr(app);
    await svg.waitFor();
    const qr = encode(FUNDING_URI, { ecc: 'M', boostEcc: false, border: 0 });
    const expected = { size: qr.size, get: (y: number, x: number) => qr.data[y]![x] };
    const quiet = 4;
    expect(await svg.getAttribute('viewBox')).toBe(`0 0 ${expected.size + 2 * quiet} ${expected.size + 2 * quiet}`);
    // Read the dark modules back from the SVG path ("M{x} {y}h1v1h-1z" per module).
    const d = (await svg.locator('path').getAttribute('d')) ?? '';
    const drawn = new Set([...d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${Number(m[1]) - quiet},${Number(m[2]) - quiet}`));
    const dark = new Set<string>();
    for (let y = 0; y < expected.size; y++)
      for (let x = 0; x < expected.size; x++) if (expected.get(y, x)) dark.add(`${x},${y}`);
    expect(drawn.size).toBeGreaterThan(100);
    expect(drawn).toEqual(dark);
  });

  test('a real QR reader (zbarimg) reads the funding request, with the full address and the chain, from the screen', async () => {
    const app = await openAccount();
    const svg = fundingQr(app);
    await svg.waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await app.page.emulateMedia({ colorScheme: scheme });
      const file = join(SHOTS, `qr-${scheme}.png`);
      await svg.screenshot({ path: file });
      const read = spawnSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' });
      expect(read.error, 'zbarimg (Debian package zbar-tools) must be installed: scripts/setup.sh --test').toBeUndefined();
      expect(read.stdout.trim()).toBe(FUNDING_URI);
    }
  });

  test('refresh reads the balance again; the faucet adds 1 ETH on the devnet', async () => {
    const app = await openAccount();
    const { page } = app;
    await expectText(balance(app), '0 ETH');
    await page.evaluate(() => {
      // Money arrives from elsewhere; refresh must show it.
      window.__WARDEN_SCENARIO__!.balances = {};
    });
    const before = (await commands(app)).filter((c) => c === 'account_balance').length;
    await button(page, 'Refresh balance').click();
    await expect.poll(async () => (await commands(app)).filter((c) => c === 'account_balance').length).toBe(before + 1);
    await button(page, 'Fund from faucet').click();
    await expectText(balance(app), '1 ETH');
    await expectVisibleText(page, 'Added 1 ETH from the devnet faucet.');
    await button(page, 'Fund from faucet').click();
    await expectText(balance(app), '2 ETH');
    expect((await app.calls()).filter((c) => c.cmd === 'devnet_fund').map((c) => c.args)).toEqual([
      { address: SMA_ADDRESS },
      { address: SMA_ADDRESS },
    ]);
  });

  test('a balance that cannot be read is explained next to it', async () => {
    const app = await openAccount({
      failures: { account_balance: [{ code: 'unavailable', message: 'connection refused (127.0.0.1:41234)' }] },
    });
    const { page } = app;
    await expectText(alerts(page), 'The network could not be reached.');
    await expectText(alerts(page), 'Details: connection refused (127.0.0.1:41234)');
    expect((await balance(app).textContent())?.trim()).toBe('—');
    await app.shot('account-balance-error');
    await button(page, 'Refresh balance').click();
    await expectText(balance(app), '0 ETH');
    expect(await alerts(page).count()).toBe(0);
  });

  test('an rpc error loading the account says so, and Try again recovers', async () => {
    const app = await openAccount({
      failures: { account_get: [{ code: 'rpc_error', message: 'wallet_requestAccount: -32602 invalid params' }] },
    });
    const { page } = app;
    await expectText(alerts(page), 'The network refused the request.');
    await expectText(alerts(page), 'wallet_requestAccount: -32602 invalid params');
    expect(await address(app).count()).toBe(0);
    await app.shot('account-rpc-error');
    await button(page, 'Try again').click();
    await expectText(address(app), '0x5a9F…2266');
  });

  test('on Alchemy there is no faucet and the banner names the chain', async () => {
    const app = await openAccount({
      backend: {
        kind: 'alchemy',
        chainId: 84532,
        chainName: 'Base Sepolia',
        endpointHost: 'api.example-alchemy.test',
        nodeHost: 'node.example-alchemy.test',
        policyId: 'c0ffee00-0000-4000-8000-000000000000',
        hasApiKey: true,
        currency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      },
    });
    const { page } = app;
    await expectText(page.getByTestId('backend-banner'), 'Alchemy · Base Sepolia');
    await expectText(page.getByTestId('backend-banner'), 'gas sponsored');
    await expectText(balance(app), '0 ETH');
    expect(await button(page, 'Fund from faucet').count()).toBe(0);
    await app.shot('account-alchemy');
  });

  test('on Polygon the balance is in POL and the funding request names chain 137', async () => {
    const app = await openAccount({
      backend: {
        kind: 'alchemy',
        chainId: 137,
        chainName: 'Polygon',
        endpointHost: 'api.example-alchemy.test',
        nodeHost: 'node.example-alchemy.test',
        policyId: null,
        hasApiKey: true,
        currency: { name: 'POL', symbol: 'POL', decimals: 18 },
      },
      balances: { [SMA_ADDRESS]: '2500000000000000000' },
    });
    const { page } = app;
    await expectText(balance(app), '2.5 POL');
    expect(await balance(app).getAttribute('title')).toBe('2.5 POL (2500000000000000000 wei)');
    await expectVisibleText(page, 'Send funds only on chain 137, in POL.');
    const uri = `ethereum:${SMA_ADDRESS}@137`;
    await expectText(page.getByTestId('funding-uri'), uri);
    const svg = fundingQr(app, 137);
    await svg.waitFor();
    const file = join(SHOTS, 'qr-polygon.png');
    await svg.screenshot({ path: file });
    expect(spawnSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' }).stdout.trim()).toBe(uri);
    await app.shot('account-polygon');
  });

  test('the faucet refusing (not on devnet) is explained next to the button', async () => {
    const app = await openAccount({ failures: { devnet_fund: [{ code: 'not_on_devnet', message: 'faucet: not on devnet' }] } });
    await button(app.page, 'Fund from faucet').click();
    await expectText(alerts(app.page), 'The faucet only exists on the local devnet.');
  });
});

describe('7702 and delegation', () => {
  test('switching to 7702 shows the owner address and lets it delegate, with progress and final status', async () => {
    const app = await openAccount({ delays: { account_delegate_step: 10 }, holdAt: 'signing' });
    const { page } = app;
    await page.getByRole('radio', { name: 'EIP-7702', exact: true }).check();
    await expect.poll(() => address(app).getAttribute('title')).toBe(ANVIL_ADDRESS);
    expect((await app.calls()).filter((c) => c.cmd === 'account_get').at(-1)?.args).toEqual({ accountType: '7702' });
    await expectText(page.getByTestId('delegation-status'), 'Not delegated yet');
    await app.shot('account-7702');

    await button(page, 'Delegate').click();
    const progress = page.getByRole('list', { name: 'Delegation progress' });
    await progress.waitFor();
    await expectVisibleText(page, 'Signing with your owner key');
    await app.shot('account-7702-delegating');
    await page.evaluate(() => (globalThis as { __wardenReleaseStep?: () => void }).__wardenReleaseStep?.());
    await expectText(page.getByTestId('delegation-result'), 'Delegation confirmed.');
    await expectText(page.getByTestId('delegation-result'), 'Call status: confirmed (200)');
    await expectText(page.getByTestId('delegation-status'), 'Delegated');
    expect(await button(page, 'Delegate').isDisabled()).toBe(true);
    expect(await progress.locator('li.done').count()).toBe(5);
    await app.shot('account-7702-delegated');
  });

  test('switching type with the keyboard while the first answer is slow shows the type chosen last', async () => {
    const app = await openAccount({ delays: { 'account_get:sma-b': 800 } });
    const { page } = app;
    await page.getByRole('radio', { name: 'Smart account', exact: true }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: 'EIP-7702', exact: true }).isChecked()).toBe(true);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('7702');
    await expect.poll(() => address(app).getAttribute('title')).toBe(ANVIL_ADDRESS);
    // The slow smart-account answer arrives afterwards and must not replace it.
    await page.waitForTimeout(1000);
    expect(await address(app).getAttribute('title')).toBe(ANVIL_ADDRESS);
    await page.getByTestId('delegation-status').waitFor();
  });

  test('a delegation that fails on chain shows its status; a signing failure is explained', async () => {
    const app = await openAccount({
      delays: { account_delegate_step: 10 },
      delegateStatus: { status: 500, statusText: 'reverted' },
      failures: { account_delegate: [{ code: 'keychain_locked', message: 'cannot sign: keyring locked' }] },
    });
    const { page } = app;
    await page.getByRole('radio', { name: 'EIP-7702', exact: true }).check();
    await expectText(page.getByTestId('delegation-status'), 'Not delegated yet');
    await button(page, 'Delegate').click();
    await expectText(alerts(page), 'Your keychain is locked.');
    await button(page, 'Delegate').click();
    await expectText(page.getByTestId('delegation-result'), 'Delegation did not go through.');
    await expectText(page.getByTestId('delegation-result'), 'reverted (500)');
    await expectText(page.getByTestId('delegation-status'), 'Not delegated yet');
    expect(await button(page, 'Delegate').isEnabled()).toBe(true);
    const steps = page.getByRole('list', { name: 'Delegation progress' });
    expect((await steps.locator('li.failed').textContent())?.trim()).toBe('Failed');
    expect(await steps.locator('li.done').count()).toBe(4);
    await app.shot('account-7702-failed');
  });
});

describe('owner keys', () => {
  test('select another key: the account follows it', async () => {
    const app = await openAccount({ keys: [MAIN_KEY, SECOND_KEY] });
    const { page } = app;
    await expectText(address(app), '0x5a9F…2266');
    await button(page, 'Use key Laptop').click();
    await expectText(address(app), '0x5a99…79C8');
    expect((await app.calls()).filter((c) => c.cmd === 'keys_select').map((c) => c.args)).toEqual([{ id: 'k2' }]);
    expect(await button(page, 'Use key Main').count()).toBe(1);
    expect(await button(page, 'Use key Laptop').count()).toBe(0);
  });

  test('rename: an empty label is refused, a good one is saved', async () => {
    const app = await openAccount({ keys: [MAIN_KEY, SECOND_KEY] });
    const { page } = app;
    await button(page, 'Rename key Laptop').click();
    const input = field(page, 'New label for Laptop');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('rename-k2');
    await input.fill('');
    await button(page, 'Save').click();
    await expectVisibleText(page, 'Give the key a label');
    await input.fill('Work laptop');
    await page.keyboard.press('Enter');
    await button(page, 'Rename key Work laptop').waitFor();
    expect((await app.calls()).filter((c) => c.cmd === 'keys_rename').map((c) => c.args)).toEqual([
      { id: 'k2', label: 'Work laptop' },
    ]);
  });

  test('delete asks first, says what is lost, and Keep the key cancels', async () => {
    const app = await openAccount({ keys: [MAIN_KEY, SECOND_KEY] });
    const { page } = app;
    await button(page, 'Delete key Laptop').click();
    const confirm = page.getByRole('group', { name: 'Confirm deleting Laptop' });
    await expectText(confirm, 'Delete “Laptop” (0x7099…79C8) from the keychain?');
    await expectText(confirm, 'can no longer be reached');
    await app.shot('account-delete-confirm');
    await button(page, 'Keep the key').click();
    expect(await confirm.count()).toBe(0);
    expect(await commands(app)).not.toContain('keys_delete');

    await button(page, 'Delete key Laptop').click();
    await button(page, 'Delete permanently').click();
    await expect.poll(() => button(page, 'Delete key Laptop').count()).toBe(0);
    expect((await app.calls()).filter((c) => c.cmd === 'keys_delete').map((c) => c.args)).toEqual([{ id: 'k2' }]);
  });

  test('a cancel in the native dialog Rust raises keeps the key and shows no error', async () => {
    const cancelled = { code: 'not_confirmed', message: 'not confirmed: “Delete owner key?” was cancelled' } as const;
    const app = await openAccount({ keys: [MAIN_KEY, SECOND_KEY], failures: { keys_delete: [cancelled] } });
    const { page } = app;
    await button(page, 'Delete key Laptop').click();
    await button(page, 'Delete permanently').click();
    await expect.poll(async () => (await app.calls()).filter((c) => c.cmd === 'keys_delete').length).toBe(1);
    await button(page, 'Delete key Laptop').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await button(page, 'Delete key Laptop').click();
    await button(page, 'Delete permanently').click();
    await expect.poll(() => button(page, 'Delete key Laptop').count()).toBe(0);
  });

  test('the key list is rebuilt from the keychain: lost keys come back, named as found again', async () => {
    const app = await openAccount({ keys: [MAIN_KEY], lostKeys: [SECOND_KEY] });
    const { page } = app;
    await button(page, 'Rebuild the list from the keychain').click();
    const result = page.getByTestId('key-repair-result');
    await expectText(result, 'The list was rebuilt from the keychain.');
    await expectText(result, '“Main”');
    await expectText(result, 'kept');
    await expectText(result, 'found again (its label was lost)');
    await button(page, `Rename key Recovered key ${SECOND_KEY.address}`).waitFor();
    await app.shot('account-keys-rebuilt');
  });

  test('deleting the last key goes back to onboarding', async () => {
    const app = await openAccount();
    const { page } = app;
    await button(page, 'Delete key Main').click();
    await button(page, 'Delete permanently').click();
    await page.getByRole('heading', { name: 'Set up your owner key', level: 1 }).waitFor();
  });

  test('a key removed outside Warden is explained where it was selected', async () => {
    const app = await openAccount({
      keys: [MAIN_KEY, SECOND_KEY],
      failures: { keys_select: [{ code: 'key_not_found', message: 'no owner key with id k2' }] },
    });
    await button(app.page, 'Use key Laptop').click();
    await expectText(alerts(app.page), 'That key is not in the keychain.');
  });
});
