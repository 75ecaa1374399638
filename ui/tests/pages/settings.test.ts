// Settings: devnet vs Alchemy, the API key (password field, never shown again, null keeps the
// stored one), the chain picker over the whole registry (grouped, searchable) or a custom id,
// the gas policy id, and their errors.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type AppPage, type Harness } from './harness';
import { MAIN_KEY, SECOND_KEY, alerts, button, expectText, expectVisibleText, field } from './fixtures';
import type { BackendInfo } from '../../src/lib/bindings/BackendInfo';

let harness: Harness;
let app: AppPage | null = null;
beforeAll(async () => (harness = await startHarness()));
afterAll(async () => harness?.close());
afterEach(() => {
  expect(app?.problems() ?? []).toEqual([]);
  app = null;
});

const API_KEY = 'alcht_k3yForT3sts0nly';
const ALCHEMY: BackendInfo = {
  kind: 'alchemy',
  chainId: 1,
  chainName: 'Ethereum',
  endpointHost: 'api.example-alchemy.test',
  nodeHost: 'node.example-alchemy.test',
  policyId: null,
  hasApiKey: true,
  currency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
};

async function commandsOf(app: AppPage, cmd: string): Promise<number> {
  return (await app.calls()).filter((c) => c.cmd === cmd).length;
}

async function openSettings(scenario: Parameters<Harness['open']>[0] = {}) {
  app = await harness.open({ keys: [MAIN_KEY], ...scenario });
  await app.page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  await button(app.page, 'Settings').click();
  await app.page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  return app;
}
const useAlchemyCalls = async (app: AppPage) =>
  (await app.calls()).filter((c) => c.cmd === 'backend_use_alchemy').map((c) => c.args);

describe('settings', () => {
  test('switch from the devnet to Alchemy on a testnet picked by name', async () => {
    const app = await openSettings();
    const { page } = app;
    await expectText(page.getByTestId('backend-banner'), 'Local devnet — nothing here is real money');
    const chain = field(page, 'Chain');
    const names = await chain.locator('option').allTextContents();
    expect(names).toContain('Base Sepolia (84532)');
    expect(names).toContain('Ethereum (1)');
    expect(names.at(-1)).toBe('Another chain (enter its id)');
    expect(await field(page, 'Alchemy API key').getAttribute('type')).toBe('password');
    await app.shot('settings-devnet');

    await chain.selectOption({ label: 'Base Sepolia (84532)' });
    await expectVisibleText(page, 'Base Sepolia is a test network.');
    await button(page, 'Use Alchemy').click();
    await expectVisibleText(page, 'Enter your Alchemy API key.');
    expect(await useAlchemyCalls(app)).toEqual([]);
    await app.shot('settings-missing-key');

    await field(page, 'Alchemy API key').fill(API_KEY);
    await button(page, 'Use Alchemy').click();
    await expectText(page.getByTestId('backend-banner'), 'Alchemy · Base Sepolia');
    await expectVisibleText(page, 'Now using Alchemy · Base Sepolia.');
    expect(await useAlchemyCalls(app)).toEqual([{ apiKey: API_KEY, chainId: 84532, policyId: null }]);
    // The key is gone from the form and from the page.
    expect(await field(page, 'Alchemy API key').inputValue()).toBe('');
    expect(await page.content()).not.toContain(API_KEY);
    await expectVisibleText(page, 'A key is stored in your keychain. Leave this empty to keep it');
    await app.shot('settings-alchemy');

    await button(page, 'Back').click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await expectText(page.getByTestId('backend-banner'), 'Alchemy · Base Sepolia');
    expect(await button(page, 'Fund from faucet').count()).toBe(0);
  });

  test('the picker groups mainnets and testnets, names each currency, and searches by name, network, symbol or id', async () => {
    const app = await openSettings();
    const { page } = app;
    const chain = field(page, 'Chain');
    const search = field(page, 'Find a chain');
    const group = (label: string) => chain.locator(`optgroup[label="${label}"] option`).allTextContents();
    expect(await group('Mainnets (real money)')).toContain('Polygon (137)');
    expect(await group('Testnets')).toContain('Polygon Amoy (80002)');
    await expectVisibleText(page, '13 chains: type to narrow the list.');

    await search.fill('polygon');
    await expectVisibleText(page, '2 of 13 chains match.');
    expect(await group('Mainnets (real money)')).toEqual(['Polygon (137)']);
    expect(await group('Testnets')).toEqual(['Polygon Amoy (80002)']);
    expect(await chain.inputValue()).toBe('137');
    await expectVisibleText(page, 'Polygon is a real network: transactions there spend real money. Amounts are in POL.');
    await app.shot('settings-chain-search');

    await search.fill('bnb-testnet');
    expect(await chain.inputValue()).toBe('97');
    await expectVisibleText(page, 'BNB Smart Chain Testnet is a test network. Amounts are in tBNB.');
    await search.fill('MON');
    expect(await chain.inputValue()).toBe('143');
    await search.fill('0x14a34');
    expect(await chain.inputValue()).toBe('84532');
    // An id the registry does not have becomes the custom chain id.
    await search.fill('31338');
    await expectVisibleText(page, 'No chain in the list has id 31338: it is used as another chain.');
    expect(await chain.inputValue()).toBe('custom');
    expect(await field(page, 'Custom chain id').inputValue()).toBe('31338');
    await search.fill('polgon');
    await expectVisibleText(page, 'No chain matches “polgon”.');

    await search.fill('');
    await chain.selectOption({ label: 'Polygon (137)' });
    await field(page, 'Alchemy API key').fill(API_KEY);
    await button(page, 'Use Alchemy').click();
    await expectText(page.getByTestId('backend-banner'), 'Alchemy · Polygon');
    expect(await useAlchemyCalls(app)).toEqual([{ apiKey: API_KEY, chainId: 137, policyId: null }]);
  });

  test('a custom chain id is checked, then used', async () => {
    const app = await openSettings();
    const { page } = app;
    await field(page, 'Alchemy API key').fill(API_KEY);
    await field(page, 'Chain').selectOption({ label: 'Another chain (enter its id)' });
    await field(page, 'Custom chain id').fill('12a');
    await button(page, 'Use Alchemy').click();
    await expectVisibleText(page, 'A chain id is a whole number, such as 8453.');
    expect(await field(page, 'Custom chain id').getAttribute('aria-invalid')).toBe('true');
    await field(page, 'Custom chain id').fill('0');
    await button(page, 'Use Alchemy').click();
    await expectVisibleText(page, 'A chain id is a whole number from 1 to 9007199254740991.');
    await app.shot('settings-custom-chain-invalid');
    expect(await useAlchemyCalls(app)).toEqual([]);
    await field(page, 'Alchemy API key').fill(API_KEY);
    await field(page, 'Custom chain id').fill('999');
    await field(page, 'Gas policy id').fill('c0ffee00-0000-4000-8000-000000000000');
    await button(page, 'Use Alchemy').click();
    await expectText(page.getByTestId('backend-banner'), 'Alchemy · Chain 999');
    expect(await useAlchemyCalls(app)).toEqual([
      { apiKey: API_KEY, chainId: 999, policyId: 'c0ffee00-0000-4000-8000-000000000000' },
    ]);
  });

  test('with a stored key, an empty field keeps it (apiKey null); a mainnet is flagged as real money', async () => {
    const app = await openSettings({ backend: ALCHEMY });
    const { page } = app;
    expect(await field(page, 'Chain').inputValue()).toBe('1');
    await expectVisibleText(page, 'Ethereum is a real network: transactions there spend real money.');
    await expectVisibleText(page, 'A key is stored in your keychain.');
    expect(await field(page, 'Alchemy API key').inputValue()).toBe('');
    await app.shot('settings-alchemy-mainnet');
    await field(page, 'Chain').selectOption({ label: 'Base (8453)' });
    await button(page, 'Use Alchemy').click();
    await expectText(page.getByTestId('backend-banner'), 'Alchemy · Base');
    expect(await useAlchemyCalls(app)).toEqual([{ apiKey: null, chainId: 8453, policyId: null }]);
  });

  test('a chain id the list does not have is shown as a custom chain', async () => {
    const app = await openSettings({ backend: { ...ALCHEMY, chainId: 7777777, chainName: 'Zora', policyId: 'pol_1' } });
    const { page } = app;
    expect(await field(page, 'Chain').inputValue()).toBe('custom');
    expect(await field(page, 'Custom chain id').inputValue()).toBe('7777777');
    expect(await field(page, 'Gas policy id').inputValue()).toBe('pol_1');
  });

  test('bad gas policy id is refused before sending', async () => {
    const app = await openSettings({ backend: ALCHEMY });
    const { page } = app;
    await field(page, 'Gas policy id').fill('not a policy!');
    await button(page, 'Use Alchemy').click();
    await expectVisibleText(page, 'A gas policy id has only letters, digits, - and _');
    expect(await useAlchemyCalls(app)).toEqual([]);
  });

  test('Alchemy refusing the switch is explained next to the button, and nothing changes', async () => {
    const app = await openSettings({
      failures: {
        backend_use_alchemy: [
          { code: 'rpc_error', message: 'Alchemy: invalid API key (401 Unauthorized)' },
          { code: 'rate_limited', message: 'HTTP 429' },
        ],
      },
    });
    const { page } = app;
    await field(page, 'Alchemy API key').fill(API_KEY);
    await button(page, 'Use Alchemy').click();
    await expectText(alerts(page), 'The network refused the request.');
    await expectText(alerts(page), 'invalid API key (401 Unauthorized)');
    await expectText(page.getByTestId('backend-banner'), 'Local devnet');
    expect(await field(page, 'Alchemy API key').inputValue()).toBe('');
    await app.shot('settings-alchemy-error');
    await field(page, 'Alchemy API key').fill(API_KEY);
    await button(page, 'Use Alchemy').click();
    await expectText(alerts(page), 'The endpoint is limiting how many requests you can make.');
  });

  test('check connection reports each check with what to fix, and sends nothing that signs', async () => {
    const app = await openSettings({ backend: { ...ALCHEMY, policyId: 'dead0000-0000-4000-8000-000000000000' } });
    const { page } = app;
    await button(page, 'Check connection').click();
    const results = page.getByRole('list', { name: 'Connection check results' });
    await expectText(results, 'OK · wallet endpoint');
    await expectText(results, 'OK · node: node serves chain 1');
    await expectText(results, 'Failed · gas policy: policy dead0000-0000-4000-8000-000000000000: unknown policy');
    await expectText(results, 'To fix: check the policy id');
    await expectText(results, 'Skipped · 7702 delegation');
    await app.shot('settings-check-connection');
    await field(page, 'Account').selectOption({ label: 'EIP-7702 account' });
    await button(page, 'Check connection').click();
    await expectText(results, 'Attention · 7702 delegation: not delegated yet');
    const cmds = (await app.calls()).map((c) => c.cmd);
    expect(cmds.filter((c) => c === 'backend_check')).toHaveLength(2);
    expect(cmds.some((c) => /approve|revoke|delegate|test_call/.test(c))).toBe(false);
  });

  test('switch back to the local devnet', async () => {
    const app = await openSettings({ backend: ALCHEMY });
    const { page } = app;
    await expectText(page.getByTestId('backend-banner'), 'Alchemy · Ethereum');
    await button(page, 'Use local devnet').click();
    await expectText(page.getByTestId('backend-banner'), 'Local devnet — nothing here is real money');
    await expectVisibleText(page, 'Now using the local devnet.');
    expect((await app.calls()).map((c) => c.cmd)).toContain('backend_use_devnet');
  });

  test('the devnet failing to start is explained next to its button', async () => {
    const app = await openSettings({
      backend: ALCHEMY,
      failures: { backend_use_devnet: [{ code: 'devnet_failed', message: 'anvil exited with status 1' }] },
    });
    await button(app.page, 'Use local devnet').click();
    await expectText(alerts(app.page), 'The local devnet stopped working.');
    await expectText(app.page.getByTestId('backend-banner'), 'Alchemy · Ethereum');
  });

  test('a chain list that cannot be loaded still allows a custom chain id', async () => {
    const app = await openSettings({ failures: { chains_list: [{ code: 'internal', message: 'chain table missing' }] } });
    const { page } = app;
    await expectText(alerts(page), 'Something went wrong inside Warden.');
    expect(await field(page, 'Chain').inputValue()).toBe('custom');
    await field(page, 'Custom chain id').waitFor();
  });

  test('keyboard: Tab reaches every control in order and focus is visible', async () => {
    const app = await openSettings();
    const { page } = app;
    const order: string[] = [];
    for (let i = 0; i < 7; i++) {
      await page.keyboard.press('Tab');
      order.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
          return (label ?? el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
        }),
      );
    }
    expect(order).toEqual([
      'Back',
      'Use local devnet',
      'Alchemy API key',
      'Find a chain',
      'Chain',
      'Gas policy id',
      'Use Alchemy',
    ]);
    // The focused control draws a visible outline.
    await field(page, 'Chain').focus();
    await page.keyboard.press('Shift+Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    expect(outline).toBe('solid');
  });

  test('the loopback intake: off until turned on, a bad or busy port explained, then the address and pairing code, and off again', async () => {
    const app = await openSettings({ intakePortBusy: true });
    const { page } = app;
    const card = page.getByRole('region', { name: 'Requests from servers on this computer' });
    await expectText(card, 'Off unless you turn it on');
    expect(await card.getByTestId('pairing-code').count()).toBe(0);
    await card.getByLabel('Port').fill('80');
    await card.getByRole('button', { name: 'Turn on' }).click();
    await expectText(card, 'Choose a port from 1024 to 65535.');
    await card.getByLabel('Port').fill('');
    await card.getByRole('button', { name: 'Turn on' }).click();
    await expectText(card, 'Address in use; choose another port');
    await card.getByLabel('Port').fill('47700');
    await card.getByRole('button', { name: 'Turn on' }).click();
    await expectText(card.getByTestId('intake-url'), 'http://127.0.0.1:47700/v1/requests');
    await expectText(card.getByTestId('pairing-code'), 'KQ7M-2XWD-9RTB-H4NP');
    await app.shot('settings-intake-on');
    expect((await app.calls()).filter((c) => c.cmd === 'intake_start').map((c) => c.args)).toEqual([{ port: null }, { port: 47700 }]);
    await card.getByRole('button', { name: 'Turn off' }).click();
    await card.getByRole('button', { name: 'Turn on' }).waitFor();
    expect(await card.getByTestId('pairing-code').count()).toBe(0);
  });

  test('reset: lists every owner key and file first, a cancel in the native dialog changes nothing, then Rust is asked', async () => {
    const paths = ['/home/you/.config/warden/settings.json', '/home/you/.local/share/warden/activity.jsonl', '/home/you/.local/state/warden/devnet'];
    const cancelled = { code: 'not_confirmed' as const, message: 'not confirmed: “Reset Warden?” was cancelled' };
    const app = await openSettings({ keys: [MAIN_KEY, SECOND_KEY], resetPaths: paths, failures: { app_reset: [cancelled] } });
    const { page } = app;
    const card = page.getByRole('region', { name: 'Reset Warden' });
    expect(await commandsOf(app, 'app_reset_plan')).toBe(0);
    await card.getByRole('button', { name: 'Show what a reset removes' }).click();
    const plan = card.getByRole('group', { name: 'What a reset removes' });
    await expectText(plan, 'Owner key “Main”');
    await expectText(plan, 'Owner key “Laptop”');
    for (const p of paths) await expectText(plan, p);
    await expectText(plan, 'cannot be recovered without your own backup');
    await app.shot('settings-reset-plan');
    await card.getByRole('button', { name: 'Reset Warden…' }).click();
    await expect.poll(() => commandsOf(app, 'app_reset')).toBe(1);
    expect(await alerts(page).count()).toBe(0);
    await card.getByRole('button', { name: 'Reset Warden…' }).click();
    await expect.poll(() => commandsOf(app, 'app_reset')).toBe(2);
    expect(await alerts(page).count()).toBe(0);
  });
});
