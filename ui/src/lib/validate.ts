// Checks of what a person types, before anything is sent to Rust: each returns the cleaned
// value or a sentence saying what is wrong. Rust validates again; these only give earlier,
// clearer feedback. Secrets are never echoed back in a message.

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = <T>(error: string): Checked<T> => ({ ok: false, error });

export const MAX_LABEL_LENGTH = 64;

export function checkLabel(input: string): Checked<string> {
  const label = input.trim();
  if (!label) return bad('Give the key a label, such as "Main" or "Laptop".');
  if (label.length > MAX_LABEL_LENGTH) return bad(`Keep the label to ${MAX_LABEL_LENGTH} characters or fewer.`);
  return ok(label);
}

/** 32 bytes of hex, with or without 0x; returned with 0x and lower case. */
export function checkPrivateKey(input: string): Checked<string> {
  const key = input.trim();
  if (!key) return bad('Paste the private key.');
  const hex = key.startsWith('0x') || key.startsWith('0X') ? key.slice(2) : key;
  if (!/^[0-9a-fA-F]*$/.test(hex)) return bad('A private key has only the characters 0–9 and a–f (after an optional 0x).');
  if (hex.length !== 64) return bad(`A private key is 64 hexadecimal characters; this has ${hex.length}.`);
  if (/^0+$/.test(hex)) return bad('A private key cannot be zero.');
  return ok(`0x${hex.toLowerCase()}`);
}

const WORD_COUNTS = [12, 15, 18, 21, 24];

/** Words separated by single spaces, lower case; 12, 15, 18, 21 or 24 of them. */
export function checkPhrase(input: string): Checked<string> {
  const words = input.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return bad('Type or paste the recovery phrase.');
  if (!words.every((w) => /^[a-z]+$/.test(w))) return bad('A recovery phrase has only words of letters a–z, separated by spaces.');
  if (!WORD_COUNTS.includes(words.length))
    return bad(`A recovery phrase has 12, 15, 18, 21 or 24 words; this has ${words.length}.`);
  return ok(words.join(' '));
}

export const DEFAULT_PATH = "m/44'/60'/0'/0/0";

/** A BIP-32 path such as m/44'/60'/0'/0/0 (hardened with '). */
export function checkPath(input: string): Checked<string> {
  const path = input.trim() || DEFAULT_PATH;
  if (!/^m(\/\d+'?)+$/.test(path)) return bad(`A derivation path looks like ${DEFAULT_PATH}.`);
  const tooBig = path
    .split('/')
    .slice(1)
    .some((part) => Number(part.replace("'", '')) >= 2 ** 31);
  if (tooBig) return bad('Each step of a derivation path is below 2147483648.');
  return ok(path);
}

/** A chain id: a whole number from 1 up to 2^53 − 1. */
export function checkChainId(input: string): Checked<number> {
  const text = input.trim();
  if (!text) return bad('Enter the chain id, a whole number such as 8453.');
  if (!/^\d+$/.test(text)) return bad('A chain id is a whole number, such as 8453.');
  const id = Number(text);
  if (id < 1 || !Number.isSafeInteger(id)) return bad('A chain id is a whole number from 1 to 9007199254740991.');
  return ok(id);
}

/** Optional gas policy id; empty means none. */
export function checkPolicyId(input: string): Checked<string | null> {
  const id = input.trim();
  if (!id) return ok(null);
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) return bad('A gas policy id has only letters, digits, - and _ (it looks like a UUID).');
  return ok(id);
}

/** API key: required unless one is already stored; empty with one stored keeps it (null). */
export function checkApiKey(input: string, hasStoredKey: boolean): Checked<string | null> {
  const key = input.trim();
  if (!key) return hasStoredKey ? ok(null) : bad('Enter your Alchemy API key.');
  if (/\s/.test(key) || key.length < 8 || key.length > 256)
    return bad('That does not look like an Alchemy API key: copy it again from your Alchemy dashboard.');
  return ok(key);
}
