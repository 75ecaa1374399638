// The grant wizard: Key → Expiry → Permissions → Summary → Request approval, every validation
// error of the permission builder (the instant shape checks in the page and the core rules
// from permissions_check, each shown next to its field), exact amounts, token metadata,
// selectors side by side, root alone behind its warning, and the approval window's answers.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { startHarness, type AppPage, type Harness } from './harness';
import type { Scenario } from './fake-backend';
import type { GrantRequest } from '../../src/lib/bindings/GrantRequest';
import {
  MAIN_KEY,
  SERVER_KEY,
  SMA_ADDRESS,
  USDC,
  WETH,
  alerts,
  button,
  expectText,
  expectVisibleText,
  field,
  now,
} from './fixtures';

let harness: Harness;
let app: AppPage | null = null;
beforeAll(async () => (harness = await startHarness()));
afterAll(async () => harness?.close());
afterEach(() => {
  expect(app?.problems() ?? []).toEqual([]);
  app = null;
});

const TOKENS = { [USDC.toLowerCase()]: { symbol: 'USDC', decimals: 6 } };

async function openWizard(scenario: Scenario = {}) {
  app = await harness.open({ keys: [MAIN_KEY], tokens: TOKENS, ...scenario });
  const { page } = app;
  await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  await button(page, 'Sessions').click();
  await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
  await button(page, 'New session').first().click();
  await page.getByRole('heading', { name: 'New session', level: 1 }).waitFor();
  return app;
}

async function toPermissions(page: Page) {
  await field(page, 'Session label').fill('Trading bot');
  await button(page, 'Next').click();
  await page.getByRole('heading', { name: 'Expiry', level: 2 }).waitFor();
  await button(page, 'Next').click();
  await page.getByRole('heading', { name: 'Permissions', level: 2 }).waitFor();
}

const card = (page: Page, n: number) => page.getByRole('group', { name: `Permission ${n}`, exact: true });
const typeOf = (c: Locator) => c.getByLabel('Permission type', { exact: true });
const fnInputs = (c: Locator) => c.getByLabel('Function signature or selector', { exact: true });
const calls = async (app: AppPage, cmd: string) => (await app.calls()).filter((c) => c.cmd === cmd).map((c) => c.args);

/** The error message shown for a field: the text of its described-by note. */
async function errorOf(input: Locator): Promise<string> {
  await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
  const page = input.page();
  let text = '';
  for (const id of ids) text += (await page.locator(`[id="${id}"]`).textContent()) ?? '';
  return text.trim();
}

/** Starts over with one card of `type`. */
async function freshCard(page: Page, type: string): Promise<Locator> {
  while ((await button(page, 'Remove permission').count()) > 0) await button(page, 'Remove permission').first().click();
  await button(page, 'Add permission').click();
  const c = card(page, 1);
  await typeOf(c).selectOption(type);
  return c;
}

describe('chain currency', () => {
  test('on Polygon the native limit is a POL limit, typed in POL, and the summary says POL', async () => {
    const app = await openWizard({
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
    });
    const { page } = app;
    await toPermissions(page);
    await button(page, 'Add permission').click();
    const native = card(page, 1);
    expect(await typeOf(native).inputValue()).toBe('native-token-transfer');
    expect((await typeOf(native).locator('option').first().textContent())?.trim()).toBe('POL spending limit');
    const unit = native.getByRole('combobox', { name: 'Unit' });
    expect(await unit.inputValue()).toBe('POL');
    expect(await unit.locator('option').allTextContents()).toEqual(['POL', 'gwei', 'wei']);
    await native.getByLabel('Allowance', { exact: true }).fill('');
    await button(page, 'Next').click();
    expect(await errorOf(native.getByLabel('Allowance', { exact: true }))).toContain('Enter an amount in POL.');
    await native.getByLabel('Allowance', { exact: true }).fill('0.5');
    await expectText(native.getByTestId(/-conversion$/), '= 500,000,000 gwei = 500,000,000,000,000,000 wei');
    await button(page, 'Add permission').click();
    await card(page, 2).getByLabel('Contract address', { exact: true }).fill(WETH);
    await app.shot('grant-permissions-polygon');
    await button(page, 'Next').click();
    await page.getByRole('heading', { name: 'Summary', level: 2 }).waitFor();
    await expectText(page.locator('.summary'), 'up to 0.5 POL in total');
    expect(await calls(app, 'permissions_check')).toEqual([
      {
        permissions: [
          { type: 'native-token-transfer', data: { allowance: '0x6f05b59d3b20000' } },
          { type: 'contract-access', data: { address: WETH } },
        ],
        expirySec: expect.any(Number),
      },
    ]);
  });
});

describe('happy path', () => {
  test('generated key, 1 day, ETH limit + USDC limit + one contract: summary in words, exact wire request, approved', async () => {
    const app = await openWizard({ grantOutcome: 'approved', grantOutcomeDelay: 600 });
    const { page } = app;
    await app.shot('grant-key');
    await field(page, 'Session label').fill('Trading bot');
    expect(await page.getByRole('radio', { name: 'Generate in Warden', exact: true }).isChecked()).toBe(true);
    await button(page, 'Next').click();

    await page.getByRole('heading', { name: 'Expiry', level: 2 }).waitFor();
    expect(await page.getByRole('radio', { name: '1 day', exact: true }).isChecked()).toBe(true);
    await app.shot('grant-expiry');
    await button(page, 'Next').click();

    await page.getByRole('heading', { name: 'Permissions', level: 2 }).waitFor();
    await button(page, 'Add permission').click();
    const native = card(page, 1);
    expect(await typeOf(native).inputValue()).toBe('native-token-transfer');
    await native.getByLabel('Allowance', { exact: true }).fill('0.5');
    await expectText(native.getByTestId(/-conversion$/), '= 500,000,000 gwei = 500,000,000,000,000,000 wei');

    await button(page, 'Add permission').click();
    const token = card(page, 2);
    await typeOf(token).selectOption('erc20-token-transfer');
    await token.getByLabel('Token address', { exact: true }).fill(USDC.toLowerCase());
    await expectText(token.getByTestId(/-token$/), 'USDC · 6 decimals');
    expect(await token.getByRole('combobox', { name: 'Unit' }).inputValue()).toBe('token');
    await token.getByLabel('Allowance', { exact: true }).fill('100');
    await expectText(token.getByTestId(/-conversion$/), '= 100,000,000 raw units');

    await button(page, 'Add permission').click();
    const contract = card(page, 3);
    expect(await typeOf(contract).inputValue()).toBe('contract-access');
    await contract.getByLabel('Contract address', { exact: true }).fill(WETH);
    await app.shot('grant-permissions');

    await button(page, 'Next').click();
    await page.getByRole('heading', { name: 'Summary', level: 2 }).waitFor();
    const summary = page.locator('.summary');
    await expectText(summary, 'Trading bot');
    await expectText(summary, `Smart account: ${SMA_ADDRESS}`);
    await expectText(summary, 'A new key that Warden generates');
    await expectText(summary, '1 day from now');
    await expectText(summary, 'up to 0.5 ETH in total');
    await expectText(summary, 'up to 100 USDC of 0xA0b8…eB48 in total');
    await expectText(summary, `any function of ${WETH}`);
    await expectText(summary, 'No network fee limit');
    await expectText(summary, 'Nothing has been sent to the network yet.');
    expect(await calls(app, 'grant_start')).toEqual([]);
    await app.shot('grant-summary');

    const checked = (await calls(app, 'permissions_check')).at(-1)!;
    const before = now();
    await button(page, 'Request approval').click();
    await page.getByRole('heading', { name: 'Waiting for your approval', level: 2 }).waitFor();
    await app.shot('grant-waiting');
    const request = (await calls(app, 'grant_start'))[0]!.request as GrantRequest;
    expect(request.label).toBe('Trading bot');
    expect(request.accountType).toBe('sma-b');
    expect(request.key).toEqual({ kind: 'generate' });
    expect(request.permissions).toEqual([
      { type: 'native-token-transfer', data: { allowance: '0x6f05b59d3b20000' } },
      { type: 'erc20-token-transfer', data: { allowance: '0x5f5e100', address: USDC } },
      { type: 'contract-access', data: { address: WETH } },
    ]);
    expect(checked.permissions).toEqual(request.permissions);
    // The USDC amount was entered in token units: the decimals it was entered with go along,
    // so the approval can flag a token whose decimals changed since.
    expect(request.tokenDecimals).toEqual({ [USDC]: 6 });
    expect(request.expirySec! - before).toBeGreaterThanOrEqual(86400 - 2);
    expect(request.expirySec! - before).toBeLessThanOrEqual(86400 + 2);

    await page.getByRole('heading', { name: 'Session approved', level: 2 }).waitFor();
    await app.shot('grant-approved');
    await button(page, 'Go to sessions').click();
    await page.getByRole('heading', { name: 'Trading bot', level: 2 }).waitFor();
  });

  test('the server holds the key: its address is checksum-checked and sent as external', async () => {
    const app = await openWizard();
    const { page } = app;
    await field(page, 'Session label').fill('Kiosk');
    await page.getByRole('radio', { name: 'Server holds the key', exact: true }).check();
    const address = field(page, 'Session key address');
    const cases: [string, string][] = [
      ['', 'Enter the session key address.'],
      ['70997970C51812dc3A010C7d01b50e0d17dc79C8', 'An address starts with 0x.'],
      ['0x70997970C51812dc3A010C7d01b50e0d17dc79CZ', 'only the characters 0–9 and a–f'],
      ['0x70997970C51812dc3A010C7d01b50e0d17dc79C', '40 hexadecimal characters after 0x; this has 39'],
      ['0x70997970c51812dc3A010C7d01b50e0d17dc79C8', 'do not match the address checksum (EIP-55)'],
      [`0x${'0'.repeat(40)}`, 'The zero address'],
    ];
    for (const [value, message] of cases) {
      await address.fill(value);
      await button(page, 'Next').click();
      expect(await errorOf(address), value).toContain(message);
      expect(await page.getByRole('heading', { name: 'Session key', level: 2 }).count()).toBe(1);
    }
    await app.shot('grant-key-errors');
    await address.fill(SERVER_KEY.toLowerCase());
    await button(page, 'Next').click();
    await button(page, 'Next').click();
    await button(page, 'Add permission').click();
    await card(page, 1).getByLabel('Allowance', { exact: true }).fill('1');
    await button(page, 'Add permission').click();
    await card(page, 2).getByLabel('Contract address', { exact: true }).fill(WETH);
    await button(page, 'Next').click();
    await expectText(page.locator('.summary'), `Held by the server: ${SERVER_KEY}`);
    await button(page, 'Request approval').click();
    await page.getByRole('heading', { name: 'Waiting for your approval', level: 2 }).waitFor();
    expect(((await calls(app, 'grant_start'))[0]!.request as GrantRequest).key).toEqual({ kind: 'external', address: SERVER_KEY });
  });

  test('a 7702 account that is not delegated cannot grant: the reason is shown and Next stays', async () => {
    const app = await openWizard({ delegated: false });
    const { page } = app;
    expect(await page.getByRole('radio', { name: 'Smart account', exact: true }).isChecked()).toBe(true);
    await expectText(page.getByTestId('grant-account'), SMA_ADDRESS.slice(0, 6));
    await page.getByRole('radio', { name: 'EIP-7702 account', exact: true }).check();
    await expectText(page.getByTestId('not-delegated'), 'not delegated yet');
    await expectText(page.getByTestId('grant-account'), MAIN_KEY.address.slice(0, 6));
    await field(page, 'Session label').fill('Bot');
    await button(page, 'Next').click();
    expect(await page.getByRole('heading', { name: 'Expiry', level: 2 }).count()).toBe(0);
    await app.shot('grant-7702-not-delegated');
    await page.getByRole('radio', { name: 'Smart account', exact: true }).check();
    expect(await page.getByTestId('not-delegated').count()).toBe(0);
    await button(page, 'Next').click();
    await page.getByRole('heading', { name: 'Expiry', level: 2 }).waitFor();
  });

  test('the account the Account screen shows is preselected; a delegated 7702 account grants for the owner address', async () => {
    app = await harness.open({ keys: [MAIN_KEY], tokens: TOKENS, delegated: true });
    const { page } = app;
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await page.getByRole('radio', { name: 'EIP-7702', exact: true }).check();
    await button(page, 'Sessions').click();
    await button(page, 'New session').first().click();
    await page.getByRole('heading', { name: 'New session', level: 1 }).waitFor();
    expect(await page.getByRole('radio', { name: 'EIP-7702 account', exact: true }).isChecked()).toBe(true);
    await toPermissions(page);
    await button(page, 'Add permission').click();
    await card(page, 1).getByLabel('Allowance', { exact: true }).fill('0.1');
    await button(page, 'Add permission').click();
    await card(page, 2).getByLabel('Contract address', { exact: true }).fill(WETH);
    await button(page, 'Next').click();
    await expectText(page.locator('.summary'), `EIP-7702 account (your owner address): ${MAIN_KEY.address}`);
    await button(page, 'Request approval').click();
    await page.getByRole('heading', { name: 'Waiting for your approval', level: 2 }).waitFor();
    expect(((await calls(app, 'grant_start'))[0]!.request as GrantRequest).accountType).toBe('7702');
  });

  test('an empty label is refused before the next step', async () => {
    const app = await openWizard();
    await button(app.page, 'Next').click();
    expect(await errorOf(field(app.page, 'Session label'))).toContain('Give the session a label');
    await field(app.page, 'Session label').fill('x'.repeat(64));
    await button(app.page, 'Next').click();
    await app.page.getByRole('heading', { name: 'Expiry', level: 2 }).waitFor();
  });
});

describe('expiry', () => {
  test('custom date: empty, past and beyond the wire limit are refused; a future date is sent as unix seconds', async () => {
    const app = await openWizard();
    const { page } = app;
    await field(page, 'Session label').fill('Bot');
    await button(page, 'Next').click();
    await page.getByRole('radio', { name: 'Custom date', exact: true }).check();
    const date = field(page, 'Expiry date and time');
    await button(page, 'Next').click();
    expect(await errorOf(date)).toContain('Pick the date and time');
    await date.fill('2020-01-01T10:00');
    await button(page, 'Next').click();
    expect(await errorOf(date)).toContain('at least a minute from now');
    await date.fill('2300-01-01T10:00');
    await button(page, 'Next').click();
    expect(await errorOf(date)).toContain('before the year 2286');
    await app.shot('grant-expiry-custom-error');
    await date.fill('2031-03-04T05:06');
    await expectVisibleText(page, 'The session stops working on 4 Mar 2031');
    await button(page, 'Next').click();
    await button(page, 'Add permission').click();
    await typeOf(card(page, 1)).selectOption('contract-access');
    await card(page, 1).getByLabel('Contract address', { exact: true }).fill(WETH);
    await button(page, 'Next').click();
    await page.getByRole('heading', { name: 'Summary', level: 2 }).waitFor();
    const sent = (await calls(app, 'permissions_check')).at(-1)!;
    expect(sent.expirySec).toBe(Math.floor(new Date('2031-03-04T05:06').getTime() / 1000));
    await expectText(page.locator('.summary'), 'Expires in');
  });

  test('never expires needs its warning ticked, and sends null', async () => {
    const app = await openWizard();
    const { page } = app;
    await field(page, 'Session label').fill('Bot');
    await button(page, 'Next').click();
    await page.getByRole('radio', { name: 'Never expires', exact: true }).check();
    await expectVisibleText(page, 'stays usable until you revoke it');
    await button(page, 'Next').click();
    const box = page.getByRole('checkbox', { name: 'I understand this session never expires' });
    expect(await errorOf(box)).toContain('Tick the box to confirm');
    await app.shot('grant-expiry-never');
    await box.check();
    await button(page, 'Next').click();
    await button(page, 'Add permission').click();
    await typeOf(card(page, 1)).selectOption('contract-access');
    await card(page, 1).getByLabel('Contract address', { exact: true }).fill(WETH);
    await button(page, 'Next').click();
    await page.getByRole('heading', { name: 'Summary', level: 2 }).waitFor();
    expect((await calls(app, 'permissions_check')).at(-1)!.expirySec).toBeNull();
    await expectText(page.locator('.summary'), 'Never expires');
    await expectText(page.locator('.summary'), 'The session never expires');
  });
});

describe('permission builder: instant checks in the page', () => {
  test('no permission at all', async () => {
    const app = await openWizard();
    await toPermissions(app.page);
    await button(app.page, 'Next').click();
    await expectText(alerts(app.page), 'Add at least one permission');
    expect(await calls(app, 'permissions_check')).toEqual([]);
  });

  test('allowance and gas limit: every amount error, per unit', async () => {
    const app = await openWizard();
    const { page } = app;
    await toPermissions(page);
    for (const type of ['native-token-transfer', 'gas-limit'] as const) {
      const c = await freshCard(page, type);
      const amount = c.getByLabel(type === 'gas-limit' ? 'Gas limit' : 'Allowance', { exact: true });
      const unit = c.getByRole('combobox', { name: 'Unit' });
      const cases: [string, string, string][] = [
        ['', 'ETH', 'Enter an amount in ETH.'],
        ['-1', 'ETH', 'An amount cannot be negative.'],
        ['1,5', 'ETH', 'Use a dot for decimals and no thousands separators'],
        ['1e18', 'ETH', 'Enter a number, for example 0.5'],
        ['1.2.3', 'ETH', 'Enter a number, for example 0.5'],
        ['0.0000000000000000001', 'ETH', 'ETH has at most 18 digits after the dot; this has 19.'],
        ['1.0000000001', 'gwei', 'gwei has at most 9 digits after the dot; this has 10.'],
        ['1.5', 'wei', 'wei is the smallest unit: enter a whole number.'],
        ['1' + '0'.repeat(78), 'wei', 'more than the largest possible amount'],
      ];
      for (const [value, u, message] of cases) {
        await unit.selectOption(u);
        await amount.fill(value);
        await button(page, 'Next').click();
        expect(await errorOf(amount), `${type} ${value} ${u}`).toContain(message);
      }
      if (type === 'native-token-transfer') await app.shot('grant-amount-error');
      await unit.selectOption('gwei');
      await amount.fill('1.5');
      await expectText(c.getByTestId(/-conversion$/), '= 0.0000000015 ETH = 1,500,000,000 wei');
      expect(await amount.getAttribute('aria-invalid')).toBeNull();
    }
    expect(await calls(app, 'permissions_check')).toEqual([]);
  });

  test('token and contract addresses: every address error', async () => {
    const app = await openWizard();
    const { page } = app;
    await toPermissions(page);
    for (const [type, name, what] of [
      ['erc20-token-transfer', 'Token address', 'token address'],
      ['contract-access', 'Contract address', 'contract address'],
      ['functions-on-contract', 'Contract address', 'contract address'],
    ] as const) {
      const c = await freshCard(page, type);
      const address = c.getByLabel(name, { exact: true });
      const cases: [string, string][] = [
        ['', `Enter the ${what}.`],
        ['C02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2', 'An address starts with 0x.'],
        ['0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cg2', 'only the characters 0–9 and a–f'],
        ['0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2ff', 'this has 42'],
        ['0xc02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2', 'do not match the address checksum (EIP-55)'],
        [`0x${'0'.repeat(40)}`, 'The zero address'],
      ];
      for (const [value, message] of cases) {
        await address.fill(value);
        await button(page, 'Next').click();
        expect(await errorOf(address), `${type} ${value}`).toContain(message);
      }
      if (type === 'erc20-token-transfer') await app.shot('grant-address-error');
    }
    expect(await calls(app, 'permissions_check')).toEqual([]);
  });

  test('functions: every entry error, raw selectors and signatures side by side', async () => {
    const app = await openWizard();
    const { page } = app;
    await toPermissions(page);
    const c = await freshCard(page, 'functions-on-all-contracts');
    const input = fnInputs(c).first();
    const cases: [string, string][] = [
      ['', 'Enter a signature such as transfer(address,uint256)'],
      ['transfer', 'Write the function as name(types…)'],
      ['transfer(address,uint256', 'Write the function as name(types…)'],
      ['f((uint256)', 'The brackets in this signature do not match.'],
      ['0x1234', 'A selector is 4 bytes: 0x and 8 hexadecimal characters; this has 4.'],
      ['0xa9059cbz', 'A selector has only the characters 0–9 and a–f after 0x.'],
      ['transfer(adress,uint256)', 'Warden cannot read this signature: unknown parameter type "adress".'],
    ];
    for (const [value, message] of cases) {
      await input.fill(value);
      await button(page, 'Next').click();
      expect(await errorOf(input), value).toContain(message);
    }
    await app.shot('grant-function-error');

    await input.fill('transfer(address to, uint amount)');
    await input.blur();
    const selector = c.getByRole('status', { name: 'Selector 1' }).or(c.getByLabel('Selector 1', { exact: true }));
    await expectText(selector, '0xa9059cbb');
    await expectText(selector, 'transfer(address,uint256)');
    await c.getByRole('button', { name: 'Add function' }).click();
    await fnInputs(c).nth(1).fill('0x095EA7B3');
    await expectText(c.getByLabel('Selector 2', { exact: true }), '0x095ea7b3');
    await expectText(c.getByLabel('Selector 2', { exact: true }), 'raw selector');
    expect((await calls(app, 'selector_of')).map((a) => a?.signature)).not.toContain('0x095EA7B3');
    await app.shot('grant-functions');

    // The last function of a list cannot be removed; the list needs one.
    await c.getByRole('button', { name: 'Remove function' }).first().click();
    expect(await c.getByRole('button', { name: 'Remove function' }).isDisabled()).toBe(true);
  });

  test('root: only alone, and only with the box ticked', async () => {
    const app = await openWizard();
    const { page } = app;
    await toPermissions(page);
    await button(page, 'Add permission').click();
    await button(page, 'Add permission').click();
    const first = card(page, 1);
    await typeOf(first).selectOption('root');
    await expectVisibleText(page, 'This session could do anything your owner key can.');
    expect(await button(page, 'Add permission').isDisabled()).toBe(true);
    await button(page, 'Next').click();
    expect(await errorOf(typeOf(first))).toContain('Full control (root) must be the only permission');
    const box = first.getByRole('checkbox', { name: 'I understand this gives full control' });
    expect(await errorOf(box)).toContain('Tick the box to confirm you understand');
    await app.shot('grant-root-errors');
    await card(page, 2).getByRole('button', { name: 'Remove permission' }).click();
    await box.check();
    await button(page, 'Next').click();
    await page.getByRole('heading', { name: 'Summary', level: 2 }).waitFor();
    expect((await calls(app, 'permissions_check')).at(-1)!.permissions).toEqual([{ type: 'root' }]);
    await expectText(page.locator('.summary'), 'Full control of the account');
    await expectText(page.locator('.summary'), 'Danger');
    await app.shot('grant-root-summary');
  });

  test('a token that does not answer: allowance in raw units, clearly labelled', async () => {
    const app = await openWizard();
    const { page } = app;
    await toPermissions(page);
    const c = await freshCard(page, 'erc20-token-transfer');
    await c.getByLabel('Token address', { exact: true }).fill(WETH);
    await expectText(c.getByTestId(/-token$/), 'did not answer as an ERC-20 token');
    const unit = c.getByRole('combobox', { name: 'Unit' });
    expect(await unit.inputValue()).toBe('raw');
    expect(await unit.isDisabled()).toBe(true);
    await expectVisibleText(page, 'so the allowance is in raw units');
    await c.getByLabel('Allowance', { exact: true }).fill('1.5');
    await button(page, 'Next').click();
    expect(await errorOf(c.getByLabel('Allowance', { exact: true }))).toContain('raw units is the smallest unit: enter a whole number.');
    await c.getByLabel('Allowance', { exact: true }).fill('1500');
    await app.shot('grant-token-raw');
    await button(page, 'Next').click();
    await page.getByRole('heading', { name: 'Summary', level: 2 }).waitFor();
    expect((await calls(app, 'permissions_check')).at(-1)!.permissions).toEqual([
      { type: 'erc20-token-transfer', data: { allowance: '0x5dc', address: WETH } },
    ]);
    await expectText(page.locator('.summary'), '1500 raw units');
  });
});

describe('permission builder: the core rules from permissions_check, shown at their field', () => {
  async function build(page: Page, steps: ((page: Page) => Promise<void>)[]) {
    while ((await button(page, 'Remove permission').count()) > 0) await button(page, 'Remove permission').first().click();
    for (const step of steps) {
      await button(page, 'Add permission').click();
      await step(page);
    }
    await button(page, 'Next').click();
  }
  const native = (amount: string) => async (page: Page) => {
    const c = card(page, await button(page, 'Remove permission').count());
    await typeOf(c).selectOption('native-token-transfer');
    await c.getByLabel('Allowance', { exact: true }).fill(amount);
  };
  const gas = (amount: string) => async (page: Page) => {
    const c = card(page, await button(page, 'Remove permission').count());
    await typeOf(c).selectOption('gas-limit');
    await c.getByLabel('Gas limit', { exact: true }).fill(amount);
  };
  const contract = (address: string) => async (page: Page) => {
    const c = card(page, await button(page, 'Remove permission').count());
    await typeOf(c).selectOption('contract-access');
    await c.getByLabel('Contract address', { exact: true }).fill(address);
  };
  const functions = (type: string, ...entries: string[]) => async (page: Page) => {
    const c = card(page, await button(page, 'Remove permission').count());
    await typeOf(c).selectOption(type);
    for (const [i, entry] of entries.entries()) {
      if (i > 0) await c.getByRole('button', { name: 'Add function' }).click();
      await fnInputs(c).nth(i).fill(entry);
    }
  };

  test('each rule names the permission and field it is about', async () => {
    const app = await openWizard();
    const { page } = app;
    await toPermissions(page);

    await build(page, [native('1'), native('2'), contract(WETH)]);
    expect(await errorOf(typeOf(card(page, 2)))).toContain('only one native-token-transfer permission is allowed');
    await app.shot('grant-rule-duplicate-kind');

    await build(page, [gas('0.01'), gas('0.02'), contract(WETH)]);
    expect(await errorOf(typeOf(card(page, 2)))).toContain('only one gas-limit permission is allowed');

    await build(page, [contract(WETH), contract(WETH.toLowerCase())]);
    expect(await errorOf(card(page, 2).getByLabel('Contract address', { exact: true }))).toContain(
      'is already a target of permissions[0] (contract-access)',
    );

    await build(page, [contract(SMA_ADDRESS.toLowerCase())]);
    expect(await errorOf(card(page, 1).getByLabel('Contract address', { exact: true }))).toContain(
      'is the account itself; grant account-functions instead',
    );

    await build(page, [functions('account-functions', '0xb61d27f6')]);
    expect(await errorOf(fnInputs(card(page, 1)).first())).toContain('(execute) is a privileged account function');
    await app.shot('grant-rule-privileged');

    await build(page, [functions('functions-on-all-contracts', 'transfer(address,uint256)', '0xa9059cbb')]);
    expect(await errorOf(fnInputs(card(page, 1)).nth(1))).toContain('0xa9059cbb appears twice in the list');

    await build(page, [native('1'), gas('1')]);
    await expectText(alerts(page), 'this set grants no callable function');
    await app.shot('grant-rule-no-callable');

    // Editing the permission a rule was about clears its message until the next check.
    await build(page, [native('1'), native('2'), contract(WETH)]);
    await errorOf(typeOf(card(page, 2)));
    await typeOf(card(page, 2)).selectOption('gas-limit');
    expect(await typeOf(card(page, 2)).getAttribute('aria-invalid')).toBeNull();
    await button(page, 'Next').click();
    await page.getByRole('heading', { name: 'Summary', level: 2 }).waitFor();
  });

  test('an expiry the core refuses is shown on the permissions step', async () => {
    const app = await openWizard();
    const { page } = app;
    await field(page, 'Session label').fill('Bot');
    await button(page, 'Next').click();
    await page.getByRole('radio', { name: 'Custom date', exact: true }).check();
    // Valid when typed, but past by the time permissions are checked (the clock moved on).
    const soon = new Date(Date.now() + 180_000);
    const local = new Date(soon.getTime() - soon.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await field(page, 'Expiry date and time').fill(local);
    await button(page, 'Next').click();
    await page.getByRole('heading', { name: 'Permissions', level: 2 }).waitFor();
    await page.evaluate(() => {
      const real = Date.now;
      Date.now = () => real() + 10 * 60_000;
    });
    await button(page, 'Add permission').click();
    await typeOf(card(page, 1)).selectOption('contract-access');
    await card(page, 1).getByLabel('Contract address', { exact: true }).fill(WETH);
    await button(page, 'Next').click();
    await expectText(alerts(page), 'is not after the current time');
  });

  test('permissions_check failing (no answer) is explained, and nothing moves on', async () => {
    const app = await openWizard({ failures: { permissions_check: [{ code: 'unavailable', message: 'connection refused' }] } });
    const { page } = app;
    await toPermissions(page);
    await button(page, 'Add permission').click();
    await typeOf(card(page, 1)).selectOption('contract-access');
    await card(page, 1).getByLabel('Contract address', { exact: true }).fill(WETH);
    await button(page, 'Next').click();
    await expectText(alerts(page), 'The network could not be reached.');
    expect(await page.getByRole('heading', { name: 'Summary', level: 2 }).count()).toBe(0);
    await button(page, 'Next').click();
    await page.getByRole('heading', { name: 'Summary', level: 2 }).waitFor();
  });
});

describe('the approval window answers', () => {
  async function toSummary(app: AppPage) {
    const { page } = app;
    await toPermissions(page);
    await button(page, 'Add permission').click();
    await typeOf(card(page, 1)).selectOption('contract-access');
    await card(page, 1).getByLabel('Contract address', { exact: true }).fill(WETH);
    await button(page, 'Next').click();
    await page.getByRole('heading', { name: 'Summary', level: 2 }).waitFor();
  }

  test('rejected: says nothing was signed, Back to summary allows another request', async () => {
    const app = await openWizard({ grantOutcome: 'rejected' });
    await toSummary(app);
    await button(app.page, 'Request approval').click();
    await app.page.getByRole('heading', { name: 'Request rejected', level: 2 }).waitFor();
    await expectVisibleText(app.page, 'Nothing was signed.');
    await app.shot('grant-rejected');
    await button(app.page, 'Back to summary').click();
    await button(app.page, 'Request approval').click();
    await expect.poll(async () => (await calls(app, 'grant_start')).length).toBe(2);
  });

  test('expired: the approval timed out', async () => {
    const app = await openWizard({ grantOutcome: 'expired' });
    await toSummary(app);
    await button(app.page, 'Request approval').click();
    await app.page.getByRole('heading', { name: 'The approval timed out', level: 2 }).waitFor();
    await app.shot('grant-expired');
  });

  test('an answer for another request is ignored', async () => {
    const app = await openWizard();
    await toSummary(app);
    await button(app.page, 'Request approval').click();
    await app.page.getByRole('heading', { name: 'Waiting for your approval', level: 2 }).waitFor();
    await app.page.evaluate(() => window.__WARDEN_FAKE__.emit('approval-finished', { approvalId: 'someone-else', outcome: 'approved' }));
    await app.page.waitForTimeout(200);
    expect(await app.page.getByRole('heading', { name: 'Waiting for your approval', level: 2 }).count()).toBe(1);
    await app.page.evaluate(() => window.__WARDEN_FAKE__.finishApproval('approved'));
    await app.page.getByRole('heading', { name: 'Session approved', level: 2 }).waitFor();
  });

  test('grant_start failing stays on the summary with the reason', async () => {
    const app = await openWizard({ failures: { grant_start: [{ code: 'keychain_locked', message: 'collection is locked' }] } });
    await toSummary(app);
    await button(app.page, 'Request approval').click();
    await expectText(alerts(app.page), 'Your keychain is locked.');
    expect(await button(app.page, 'Request approval').isEnabled()).toBe(true);
  });
});

test('a narrow window keeps the permission builder inside it', async () => {
  app = await harness.open({ keys: [MAIN_KEY], tokens: TOKENS }, { width: 420, height: 900 });
  const { page } = app;
  await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  await button(page, 'Sessions').click();
  await button(page, 'New session').first().click();
  await toPermissions(page);
  await button(page, 'Add permission').click();
  await typeOf(card(page, 1)).selectOption('functions-on-contract');
  await fnInputs(card(page, 1)).first().fill('transfer(address,uint256)');
  await fnInputs(card(page, 1)).first().blur();
  await expectText(card(page, 1).getByLabel('Selector 1', { exact: true }), '0xa9059cbb');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
  await app.shot('grant-narrow');
});
