// Shared data and helpers for the page tests.
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { OwnerKey } from '../../src/lib/bindings/OwnerKey';
import type { SessionView } from '../../src/lib/bindings/SessionView';
import type { ApprovalView } from '../../src/lib/bindings/ApprovalView';
import type { UsageLine } from '../../src/lib/bindings/UsageLine';

export const ANVIL_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const ANVIL_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
export const TEST_PHRASE = 'test test test test test test test test test test test junk';

export const MAIN_KEY: OwnerKey = { id: 'k1', address: ANVIL_ADDRESS, label: 'Main', selected: true };
export const SECOND_KEY: OwnerKey = {
  id: 'k2',
  address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  label: 'Laptop',
  selected: false,
};

/** Waits until the locator's text contains `text`. */
export async function expectText(locator: Locator, text: string): Promise<void> {
  await expect.poll(async () => (await locator.count()) > 0 && ((await locator.first().textContent()) ?? ''), { timeout: 5000 }).toContain(text);
}

/** Waits until the page shows `text` somewhere visible. */
export async function expectVisibleText(page: Page, text: string): Promise<void> {
  await page.getByText(text, { exact: false }).first().waitFor({ state: 'visible', timeout: 5000 });
}

export const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
export const field = (page: Page, name: string) => page.getByLabel(name, { exact: true });
export const alerts = (page: Page) => page.getByRole('alert');

// ---- sessions, approvals, activity ----

/** The smart account the fake backend gives MAIN_KEY. */
export const SMA_ADDRESS = `0x5a${ANVIL_ADDRESS.slice(4)}`;
export const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';
export const WETH = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2';
export const SERVER_KEY = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
export const AGE_RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
export const now = () => Math.floor(Date.now() / 1000);

export function session(over: Partial<SessionView> & Pick<SessionView, 'id' | 'label'>): SessionView {
  return {
    account: SMA_ADDRESS,
    chainId: 31337,
    currency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    sessionId: `0x${over.id.padEnd(32, '0').slice(0, 32).replace(/[^0-9a-f]/g, 'a')}`,
    sessionKey: '0x1C0fFee000000000000000000000000000000001',
    keyHeldByWarden: true,
    expirySec: now() + 86400 + 3 * 3600 + 1800,
    createdAt: now() - 3600,
    status: 'active',
    permissions: [
      { index: 0, kind: 'native-token-transfer', title: 'Send ETH', detail: 'up to 0.5 ETH in total', risks: [] },
      { index: 1, kind: 'contract-access', title: 'Call one contract', detail: `any function of ${WETH}`, risks: [] },
    ],
    ...over,
  };
}

export const USAGE: UsageLine[] = [
  {
    permissionIndex: 0,
    label: 'ETH',
    used: '150000000000000000',
    limit: '500000000000000000',
    usedFormatted: '0.15 ETH',
    limitFormatted: '0.5 ETH',
    source: 'devnet',
    note: null,
  },
  {
    permissionIndex: 2,
    label: 'USDC',
    used: '95000000',
    limit: '100000000',
    usedFormatted: '95 USDC',
    limitFormatted: '100 USDC',
    source: 'observed',
    note: 'Only calls Warden sent; transfers by the server are not counted.',
  },
];

export function approvalView(over: Partial<ApprovalView> = {}): ApprovalView {
  return {
    approvalId: 'approval-1-7f3a9c',
    account: SMA_ADDRESS,
    accountType: 'sma-b',
    chainId: 31337,
    chainName: 'Local devnet',
    currency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    sessionKey: '0x1C0fFee000000000000000000000000000000001',
    keyHeldByWarden: true,
    requestedBy: null,
    expirySec: now() + 86400 + 3600,
    permissions: [
      { index: 0, kind: 'native-token-transfer', title: 'Send ETH', detail: 'up to 0.5 ETH in total', risks: [] },
      { index: 1, kind: 'erc20-token-transfer', title: 'Spend USDC', detail: 'up to 100 USDC of 0xA0b8…eB48 in total', risks: [] },
      {
        index: 2,
        kind: 'functions-on-all-contracts',
        title: 'Call chosen functions on any contract',
        detail: 'transfer(address,uint256) (0xa9059cbb)',
        risks: [{ severity: 'warning', message: 'These functions may be called on any contract, including tokens you hold.', permissionIndex: 2 }],
      },
    ],
    risks: [
      { severity: 'info', message: 'No network fee limit: fees are paid from the account without a cap.', permissionIndex: null },
      { severity: 'danger', message: 'The session key is new to this account.', permissionIndex: null },
    ],
    verified: true,
    entityId: 1,
    mismatches: [],
    digest: `0x${'9a3f'.repeat(16)}`,
    validUntil: now() + 300,
    ...over,
  };
}
