// Shared data and helpers for the page tests.
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { OwnerKey } from '../../src/lib/bindings/OwnerKey';

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
