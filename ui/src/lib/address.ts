// Ethereum addresses typed or pasted by a person: shape, and the EIP-55 checksum when the
// address carries one (mixed case), so a mistyped character is caught before anything is sent.
// Keccak-256 comes from @noble/hashes (audited, no dependencies). Returns addresses checksummed.

import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Checked } from './validate';

/** EIP-55 form of 40 hex characters (any case, without 0x). */
export function checksumOf(hex40: string): string {
  const lower = hex40.toLowerCase();
  const hash = bytesToHex(keccak_256(utf8ToBytes(lower)));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lower[i]!;
    out += parseInt(hash[i]!, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/** Hex of keccak-256 of a UTF-8 string, 0x-prefixed. */
export function keccakHex(text: string): string {
  return `0x${bytesToHex(keccak_256(utf8ToBytes(text)))}`;
}

/**
 * An address: 0x and 40 hex characters. All-lower or all-upper case has no checksum to check;
 * mixed case must match EIP-55. `what` names the field in the messages ("token address").
 */
export function checkAddress(input: string, what = 'address'): Checked<string> {
  const text = input.trim();
  if (!text) return { ok: false, error: `Enter the ${what}.` };
  if (!/^0[xX]/.test(text)) return { ok: false, error: 'An address starts with 0x.' };
  const hex = text.slice(2);
  if (!/^[0-9a-fA-F]*$/.test(hex)) return { ok: false, error: 'An address has only the characters 0–9 and a–f after 0x.' };
  if (hex.length !== 40) return { ok: false, error: `An address is 40 hexadecimal characters after 0x; this has ${hex.length}.` };
  const checksummed = checksumOf(hex);
  const mixed = hex !== hex.toLowerCase() && hex !== hex.toUpperCase();
  if (mixed && `0x${hex}` !== checksummed) {
    return {
      ok: false,
      error: 'The capital letters do not match the address checksum (EIP-55): a character is probably mistyped. Paste it again.',
    };
  }
  if (/^0+$/.test(hex)) return { ok: false, error: 'The zero address belongs to no one and cannot be used here.' };
  return { ok: true, value: checksummed };
}
