// A function as a person enters it for a session: a signature such as
// "transfer(address,uint256)" (Rust's `selector_of` turns it into its 4-byte selector) or a raw
// selector such as "0xa9059cbb". Only the shape is checked here; whether a selector may be
// granted (privileged account functions, duplicates) is for `permissions_check`.

import type { Checked } from './validate';

export type FunctionInput = { kind: 'selector'; selector: string } | { kind: 'signature'; signature: string };

const EXAMPLE = 'a signature such as transfer(address,uint256), or a 4-byte selector such as 0xa9059cbb';

export function parseFunctionInput(input: string): Checked<FunctionInput> {
  const text = input.trim();
  if (!text) return { ok: false, error: `Enter ${EXAMPLE}.` };
  if (/^0[xX]/.test(text)) {
    const hex = text.slice(2);
    if (!/^[0-9a-fA-F]*$/.test(hex)) return { ok: false, error: 'A selector has only the characters 0–9 and a–f after 0x.' };
    if (hex.length !== 8)
      return { ok: false, error: `A selector is 4 bytes: 0x and 8 hexadecimal characters; this has ${hex.length}.` };
    return { ok: true, value: { kind: 'selector', selector: `0x${hex.toLowerCase()}` } };
  }
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*\s*\(.*\)$/.test(text))
    return { ok: false, error: 'Write the function as name(types…), for example transfer(address,uint256), or give its 0x selector.' };
  let depth = 0;
  for (const c of text) {
    if (c === '(') depth += 1;
    else if (c === ')' && --depth < 0) break;
  }
  if (depth !== 0) return { ok: false, error: 'The brackets in this signature do not match.' };
  return { ok: true, value: { kind: 'signature', signature: text } };
}
