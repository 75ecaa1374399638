// Error codes in plain words: what happened and what to do, for the note shown next to the
// control that failed. The Rust message is shown under it as detail. Left out: translations.

import type { AppError } from './bindings/AppError';
import type { ErrorCode } from './bindings/ErrorCode';
import { toAppError } from './ipc';

export type ErrorText = { summary: string; action: string };

const TEXT: Record<ErrorCode, ErrorText> = {
  invalid_input: { summary: 'Something entered is not valid.', action: 'Check the value and try again.' },
  invalid_permissions: {
    summary: 'The requested permissions break a rule.',
    action: 'Review the permissions and try again.',
  },
  verification_failed: {
    summary: "The network's answer did not match the request, so Warden refused to sign it.",
    action: 'Nothing was signed. Try again; if it keeps happening, the endpoint is misbehaving.',
  },
  decode_failed: {
    summary: 'Warden could not decode data it received.',
    action: 'Nothing was signed. Try again, and report it if it keeps happening.',
  },
  bad_signature: { summary: 'A signature did not check out.', action: 'Nothing was sent. Try again.' },
  rpc_error: {
    summary: 'The network refused the request.',
    action: 'Read the details below, then try again. If it keeps failing, check the backend in Settings.',
  },
  unavailable: {
    summary: 'The network could not be reached.',
    action: 'Check your internet connection (or that the local devnet is running) and try again.',
  },
  rate_limited: {
    summary: 'The endpoint is limiting how many requests you can make.',
    action: 'Wait a minute, then try again.',
  },
  bad_response: {
    summary: 'The endpoint sent an answer Warden could not read.',
    action: 'Check the chain and API key in Settings, or try again later.',
  },
  key_not_found: {
    summary: 'That key is not in the keychain.',
    action: 'It may have been removed outside Warden. Pick another key or import it again.',
  },
  keychain_locked: {
    summary: 'Your keychain is locked.',
    action: 'Unlock it (your desktop keyring, usually with your login password), then try again.',
  },
  keychain_denied: {
    summary: 'Access to the keychain was denied.',
    action: 'Allow Warden when your system asks for access, then try again.',
  },
  keychain_unavailable: {
    summary: 'No keychain service is available.',
    action: 'Warden keeps keys in the system keychain (Secret Service, such as GNOME Keyring). Start it, then try again.',
  },
  keychain_corrupt: {
    summary: 'A keychain entry exists but does not hold a valid key.',
    action: 'Nothing was overwritten. Repair or remove the entry with your keyring tool, then try again.',
  },
  already_exists: {
    summary: 'That key is already in Warden.',
    action: 'Select it in the list of owner keys instead of adding it again.',
  },
  internal: { summary: 'Something went wrong inside Warden.', action: 'Try again. If it keeps happening, restart Warden.' },
  not_confirmed: { summary: 'The action was not confirmed.', action: 'Confirm it to go ahead.' },
  no_owner_key: { summary: 'No owner key is selected.', action: 'Create or import an owner key first.' },
  devnet_failed: {
    summary: 'The local devnet stopped working.',
    action: 'Restart Warden to start a fresh local devnet.',
  },
  not_on_devnet: {
    summary: 'The faucet only exists on the local devnet.',
    action: 'Switch to the local devnet in Settings to use it.',
  },
  not_delegated: {
    summary: 'This EIP-7702 account is not delegated yet.',
    action: 'Delegate it on the Account screen, then grant the session again.',
  },
  call_failed: {
    summary: 'The transaction failed.',
    action: 'Read the details below, check the balance, and try again.',
  },
  approval_expired: {
    summary: 'This approval request timed out.',
    action: 'Nothing was signed. Start the request again from the main window.',
  },
  approval_unknown: {
    summary: 'Warden does not know this approval request.',
    action: 'Nothing was signed. Start the request again from the main window.',
  },
  approval_used: {
    summary: 'This approval request was already answered.',
    action: 'Nothing more was signed. Check the session list in the main window.',
  },
  not_verified: {
    summary: 'The prepared grant does not match your request, so it cannot be approved.',
    action: 'Nothing was signed. Reject it; if it keeps happening, the endpoint is misbehaving.',
  },
  session_unknown: {
    summary: 'Warden does not know that session.',
    action: 'It may have been forgotten in another window. Reload the session list.',
  },
  export_failed: {
    summary: 'The export did not complete.',
    action: 'Read the details below, then try again or pick another destination.',
  },
  storage_failed: {
    summary: "Warden could not read or write its data folder.",
    action: 'Check that the disk has space and the folder is writable, then try again.',
  },
  store_corrupt: {
    summary: 'A Warden data file is damaged or from a newer version.',
    action: 'The damaged file was kept aside; the message names where. Nothing was overwritten.',
  },
  log_tampered: {
    summary: 'The activity log was changed outside Warden.',
    action: 'Keep a copy of the log file for inspection; entries after the break cannot be trusted.',
  },
  not_sponsored: {
    summary: 'Your gas policy declined to pay for this operation, so the account would pay.',
    action: 'Nothing was signed. Check the policy in Settings (Check connection), or fund the account and turn the policy off.',
  },
};

/** Plain words for an error code. */
export function errorText(code: ErrorCode): ErrorText {
  return TEXT[code] ?? TEXT.internal;
}

/** Plain words plus the original detail, for anything a command rejected with. */
export function describeError(reason: unknown): ErrorText & AppError {
  const error = toAppError(reason);
  return { ...error, ...errorText(error.code) };
}
