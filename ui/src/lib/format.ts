// Pure formatting helpers for what the screens show: shortened addresses, amounts with units,
// the backend banner, progress steps. No IPC, no DOM, so they are unit-tested directly.

import type { AccountType } from './bindings/AccountType';
import type { BackendInfo } from './bindings/BackendInfo';
import type { ProgressStep } from './bindings/ProgressStep';

/** The account a session is for, in words: the wizard's summary and the approval window. */
export function accountTypeName(type: AccountType): string {
  return type === '7702' ? 'EIP-7702 account (your owner address)' : 'Smart account';
}

/** "0x1234…abcd": head characters (including 0x) and tail characters of an address. */
export function shortenAddress(address: string, head = 6, tail = 4): string {
  if (address.length <= head + tail + 1) return address;
  return `${address.slice(0, head)}…${address.slice(-tail)}`;
}

/**
 * A whole-number amount in base units (wei) as a decimal amount with its unit (the chain's
 * currency symbol, or a token's), rounded down to `maxFraction` digits:
 * formatUnits("1500000000000000000", "POL", 18) === "1.5 POL". Exact: BigInt only.
 */
export function formatUnits(baseUnits: string, unit: string, decimals: number, maxFraction = 6): string {
  if (!/^\d+$/.test(baseUnits)) throw new Error(`not a whole number of base units: ${baseUnits}`);
  const value = BigInt(baseUnits);
  const scale = 10n ** BigInt(decimals);
  const whole = value / scale;
  const fraction = (value % scale).toString().padStart(decimals, '0').slice(0, maxFraction).replace(/0+$/, '');
  const wholeText = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (!fraction && value !== 0n && whole === 0n) return `< 0.${'0'.repeat(maxFraction - 1)}1 ${unit}`;
  return `${wholeText}${fraction ? `.${fraction}` : ''} ${unit}`;
}

/** The banner text for the active backend. */
export function backendLabel(backend: BackendInfo | null): string {
  if (!backend) return 'Backend not known yet';
  if (backend.kind === 'devnet') return 'Local devnet — nothing here is real money';
  return `Alchemy · ${backend.chainName}`;
}

const STEP_TEXT: Record<ProgressStep, string> = {
  preparing: 'Preparing',
  verifying: 'Verifying',
  signing: 'Signing',
  sending: 'Sending',
  waiting: 'Waiting for confirmation',
  done: 'Done',
  failed: 'Failed',
};

/** Human name of a progress step. */
export function stepLabel(step: ProgressStep): string {
  return STEP_TEXT[step] ?? step;
}

/** The steps a delegation goes through, in order, for the progress list. */
export const DELEGATE_STEPS: readonly ProgressStep[] = ['preparing', 'signing', 'sending', 'waiting', 'done'];

/** A time span in words, two units at most: "3 days 4 h", "5 h 12 min", "4 min 05 s", "45 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = s % 60;
  if (days > 0) return hours ? `${days} day${days === 1 ? '' : 's'} ${hours} h` : `${days} day${days === 1 ? '' : 's'}`;
  if (hours > 0) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return `${minutes} min ${String(secs).padStart(2, '0')} s`;
  return `${secs} s`;
}

/** A unix time as a local date and time, e.g. "3 Mar 2026, 14:05". */
export function formatDateTime(unixSec: number): string {
  return new Date(unixSec * 1000).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** How long until a session expires, in words. */
export function expiryText(expirySec: number | null, nowSec: number): string {
  if (expirySec === null || expirySec === 0) return 'Never expires';
  if (expirySec <= nowSec) return `Expired on ${formatDateTime(expirySec)}`;
  return `Expires in ${formatDuration(expirySec - nowSec)} (${formatDateTime(expirySec)})`;
}

/** The steps a revocation or a test call goes through, in order. */
export const CALL_STEPS: readonly ProgressStep[] = ['preparing', 'verifying', 'signing', 'sending', 'waiting', 'done'];

/** Whether a call's status code means it went through (the Wallets API's 2xx family). */
export const callSucceeded = (status: number) => status >= 200 && status < 300;
