// What the permission builder asks Rust while a person types: the selector of a function
// signature (`selector_of`) and a token's symbol and decimals (`token_info`). Results are
// written into the draft only if the field still holds what was asked about.

import type { FunctionDraft, PermissionDraft } from './permissions';
import { checkAddress } from './address';
import { parseFunctionInput } from './functions';
import * as ipc from './ipc';

/** Asks `selector_of` for a signature entry once per text; raw selectors need no asking. */
export async function resolveSelector(f: FunctionDraft): Promise<void> {
  const text = f.text.trim();
  const parsed = parseFunctionInput(text);
  if (!parsed.ok || parsed.value.kind !== 'signature' || f.resolvedFor === text) return;
  try {
    const info = await ipc.selectorOf(text);
    if (f.text.trim() !== text) return;
    f.resolved = info;
    f.refusal = null;
  } catch (reason) {
    if (f.text.trim() !== text) return;
    const error = ipc.toAppError(reason);
    f.resolved = null;
    f.refusal =
      error.code === 'invalid_input'
        ? `Warden cannot read this signature: ${error.message || 'check the types'}.`
        : `The selector could not be worked out (${error.message || error.code}). Enter the 0x selector instead.`;
  }
  f.resolvedFor = text;
}

/**
 * Asks `token_info` about the token address of an ERC-20 draft. When the chain does not
 * answer (or the command fails) the draft has no symbol or decimals and the allowance is
 * entered in raw units.
 */
export async function resolveToken(d: PermissionDraft): Promise<void> {
  const checked = checkAddress(d.address);
  if (d.type !== 'erc20-token-transfer' || !checked.ok || d.tokenFor === checked.value) return;
  const address = checked.value;
  d.tokenFor = address;
  let info;
  try {
    info = await ipc.tokenInfo(address);
  } catch {
    info = { address, symbol: null, decimals: null };
  }
  if (d.tokenFor !== address) return;
  d.token = info;
  const known = info.decimals !== null;
  if (known && d.unit === 'raw' && !d.amount) d.unit = 'token';
  if (!known) d.unit = 'raw';
}
