// Amounts typed by a person → exact whole numbers of base units (wei, or a token's smallest
// unit), with string and BigInt arithmetic only: "0.1" POL is exactly 100000000000000000 wei,
// never 0.1 × 1e18 in floating point. Native amounts are in the chain's currency, which the
// backend sends (`Currency`). Also the 0x quantities the wire wants and back.
// Left out: locale formats (a comma is refused with a message rather than guessed at).

import type { Currency } from './bindings/Currency';
import type { Checked } from './validate';

/** Largest uint256: no allowance can be larger. */
export const MAX_UINT256 = (1n << 256n) - 1n;

/** A unit an amount field offers: its id, the name shown, and its decimals. */
export type AmountUnit = { id: string; name: string; decimals: number };

/**
 * The units a native amount can be typed in on a chain paying in `currency`: its symbol (ETH,
 * POL, BNB, …) with its decimals, then gwei (only when the currency has more than 9 decimals,
 * as gwei is 10⁹ wei) and wei. The backend sends the currency; nothing here assumes ETH.
 */
export function nativeUnits(currency: Currency): AmountUnit[] {
  const units: AmountUnit[] = [{ id: currency.symbol, name: currency.symbol, decimals: currency.decimals }];
  if (currency.decimals > 9) units.push({ id: 'gwei', name: 'gwei', decimals: 9 });
  units.push({ id: 'wei', name: 'wei', decimals: 0 });
  return units;
}

/** Decimals of native `unit` (the currency's symbol, gwei or wei) on a chain paying in `currency`. */
export function nativeDecimals(unit: string, currency: Currency): number {
  return nativeUnits(currency).find((u) => u.id === unit)?.decimals ?? currency.decimals;
}

/**
 * `input` in `unit` (which has `decimals` digits after the dot) as base units.
 * parseAmount("0.5", 18, "ETH") → 500000000000000000n.
 */
export function parseAmount(input: string, decimals: number, unit: string): Checked<bigint> {
  const text = input.trim().replace(/_/g, '');
  if (!text) return { ok: false, error: `Enter an amount in ${unit}.` };
  if (text.startsWith('-')) return { ok: false, error: 'An amount cannot be negative.' };
  if (text.includes(',')) return { ok: false, error: 'Use a dot for decimals and no thousands separators, for example 1234.5.' };
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (!match[1] && !match[2])) return { ok: false, error: 'Enter a number, for example 0.5 (digits and at most one dot).' };
  const whole = match[1] ?? '';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > decimals) {
    return {
      ok: false,
      error:
        decimals === 0
          ? `${unit} is the smallest unit: enter a whole number.`
          : `${unit} has at most ${decimals} digits after the dot; this has ${fraction.length}.`,
    };
  }
  const value = BigInt(whole || '0') * 10n ** BigInt(decimals) + BigInt((fraction || '0').padEnd(decimals, '0') || '0');
  if (value > MAX_UINT256) return { ok: false, error: 'That is more than the largest possible amount (2²⁵⁶ − 1 base units).' };
  return { ok: true, value };
}

/** A non-negative whole number as a minimal 0x quantity: 255n → "0xff", 0n → "0x0". */
export function toQuantity(value: bigint): string {
  if (value < 0n) throw new Error('a quantity cannot be negative');
  return `0x${value.toString(16)}`;
}

/** A 0x quantity (or decimal string) back to a BigInt. */
export function fromQuantity(quantity: string): bigint {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(quantity)) throw new Error(`not a quantity: ${quantity}`);
  return BigInt(quantity);
}

/** Digits in groups of three: 1000000n → "1,000,000". */
export function groupDigits(value: bigint): string {
  return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Base units back to the unit, exactly (every digit kept, trailing zeros dropped):
 * exactUnits(1500000000000000000n, 18) → "1.5".
 */
export function exactUnits(value: bigint, decimals: number, grouped = false): string {
  const scale = 10n ** BigInt(decimals);
  const whole = grouped ? groupDigits(value / scale) : (value / scale).toString();
  if (decimals === 0) return whole;
  const fraction = (value % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''}`;
}

/** used/limit as a share from 0 to 1 (1 when over the limit or when the limit is 0). */
export function usageShare(used: string, limit: string): number {
  const u = fromQuantity(used);
  const l = fromQuantity(limit);
  if (l === 0n || u >= l) return 1;
  // Parts per million keeps BigInt exactness until the final, harmless division.
  return Number((u * 1_000_000n) / l) / 1_000_000;
}
