// App-wide state shared by every screen (the active backend for the banner, the owner keys,
// the keychain's state) and the start-up sequence that decides the first screen.
// Left out: persistence — Rust keeps settings and keys; the UI only mirrors them.

import type { BackendInfo } from './bindings/BackendInfo';
import type { KeychainStatus } from './bindings/KeychainStatus';
import type { OwnerKey } from './bindings/OwnerKey';
import type { AppError } from './bindings/AppError';
import type { AccountType } from './bindings/AccountType';
import * as ipc from './ipc';
import { go } from './router.svelte';

/** The state every screen shares, one runes object; Rust's answers replace its values whole. */
class AppState {
  backend = $state.raw<BackendInfo | null>(null);
  version = $state('');
  keys = $state.raw<OwnerKey[]>([]);
  keychain = $state.raw<KeychainStatus | null>(null);
  /** An error that stopped start-up before any screen could show it next to a control. */
  startupError = $state.raw<AppError | null>(null);
  /** The account type the account screen shows; kept across screens. */
  accountType = $state<AccountType>('sma-b');
}

export const app = new AppState();

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
  app.keys = list;
  if (list.length === 0) go('onboarding');
}

export function selectedKey(): OwnerKey | null {
  return app.keys.find((k) => k.selected) ?? null;
}

/**
 * Start-up (and the keychain screen's Retry): backend for the banner, then the keychain's
 * state, then the keys. A keychain that is not usable leads to the keychain screen, never to
 * onboarding: a locked keychain must not look like "no keys yet" and invite a new key.
 */
export async function start(): Promise<void> {
  app.startupError = null;
  try {
    const info = await ipc.appInfo();
    app.backend = info.backend;
    app.version = info.version;
  } catch (reason) {
    // The banner says the backend is unknown; the keychain can still be checked.
    app.startupError = ipc.toAppError(reason);
  }
  let status: KeychainStatus;
  try {
    status = await ipc.keychainStatus();
  } catch (reason) {
    const error = ipc.toAppError(reason);
    status = { state: keychainStateOf(error.code) ?? 'unavailable', message: error.message };
  }
  app.keychain = status;
  if (status.state !== 'ok') {
    go('keychain');
    return;
  }
  try {
    const list = await ipc.keysList();
    app.keys = list;
    go(list.length === 0 ? 'onboarding' : 'account');
  } catch (reason) {
    // A keychain that turns out locked/denied/unavailable gets its screen; any other failure
    // (a corrupt entry, say) is shown on the same screen as the error it is.
    const error = ipc.toAppError(reason);
    const state = keychainStateOf(error.code);
    if (state) app.keychain = { state, message: error.message };
    else app.startupError = error;
    go('keychain');
  }
}
