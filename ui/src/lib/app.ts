// App-wide state shared by every screen (the active backend for the banner, the owner keys,
// the keychain's state) and the start-up sequence that decides the first screen.
// Left out: persistence — Rust keeps settings and keys; the UI only mirrors them.

import { writable, get } from 'svelte/store';
import type { BackendInfo } from './bindings/BackendInfo';
import type { KeychainStatus } from './bindings/KeychainStatus';
import type { OwnerKey } from './bindings/OwnerKey';
import type { AppError } from './bindings/AppError';
import type { AccountType } from './bindings/AccountType';
import * as ipc from './ipc';
import { go } from './router';

export const backend = writable<BackendInfo | null>(null);
export const version = writable<string>('');
export const keys = writable<OwnerKey[]>([]);
export const keychain = writable<KeychainStatus | null>(null);
/** An error that stopped start-up before any screen could show it next to a control. */
export const startupError = writable<AppError | null>(null);

const KEYCHAIN_CODES: Record<string, KeychainStatus['state']> = {
  keychain_locked: 'locked',
  keychain_unavailable: 'unavailable',
  keychain_denied: 'denied',
};

/** The keychain state a keychain error code stands for, if it is one. */
export function keychainStateOf(code: string): KeychainStatus['state'] | null {
  return KEYCHAIN_CODES[code] ?? null;
}

/** Replaces the key list and leaves the account screen when no key is left. */
export function setKeys(list: OwnerKey[]): void {
  keys.set(list);
  if (list.length === 0) go('onboarding');
}

export function selectedKey(): OwnerKey | null {
  return get(keys).find((k) => k.selected) ?? null;
}

/**
 * Start-up (and the keychain screen's Retry): backend for the banner, then the keychain's
 * state, then the keys. A keychain that is not usable leads to the keychain screen, never to
 * onboarding: a locked keychain must not look like "no keys yet" and invite a new key.
 */
export async function start(): Promise<void> {
  startupError.set(null);
  try {
    const info = await ipc.appInfo();
    backend.set(info.backend);
    version.set(info.version);
  } catch (reason) {
    // The banner says the backend is unknown; the keychain can still be checked.
    startupError.set(ipc.toAppError(reason));
  }
  let status: KeychainStatus;
  try {
    status = await ipc.keychainStatus();
  } catch (reason) {
    const error = ipc.toAppError(reason);
    status = { state: keychainStateOf(error.code) ?? 'unavailable', message: error.message };
  }
  keychain.set(status);
  if (status.state !== 'ok') {
    go('keychain');
    return;
  }
  try {
    const list = await ipc.keysList();
    keys.set(list);
    go(list.length === 0 ? 'onboarding' : 'account');
  } catch (reason) {
    // A keychain that turns out locked/denied/unavailable gets its screen; any other failure
    // (a corrupt entry, say) is shown on the same screen as the error it is.
    const error = ipc.toAppError(reason);
    const state = keychainStateOf(error.code);
    if (state) keychain.set({ state, message: error.message });
    else startupError.set(error);
    go('keychain');
  }
}

/** The account type the account screen shows; kept across screens. */
export const accountType = writable<AccountType>('sma-b');
