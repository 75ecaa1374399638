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

// Export: passphrase for a keystore, an age recipient, and where a document may be POSTed.

export const MIN_PASSPHRASE_LENGTH = 12;

export type Strength = { level: 'weak' | 'fair' | 'strong'; text: string };

/** A rough strength hint from length and character variety (never the passphrase itself). */
export function passphraseStrength(passphrase: string): Strength {
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(passphrase)).length;
  const words = passphrase.trim().split(/\s+/).filter(Boolean).length;
  if (passphrase.length >= 20 || (passphrase.length >= 16 && (classes >= 3 || words >= 4)))
    return { level: 'strong', text: 'Strong.' };
  if (passphrase.length >= MIN_PASSPHRASE_LENGTH)
    return { level: 'fair', text: 'Acceptable. Longer is better: four or more random words make a strong passphrase.' };
  return { level: 'weak', text: `Too short: use at least ${MIN_PASSPHRASE_LENGTH} characters.` };
}

/** The keystore passphrase, typed twice. */
export function checkPassphrase(passphrase: string, repeat: string): { passphrase?: string; repeat?: string } {
  const errors: { passphrase?: string; repeat?: string } = {};
  if (!passphrase) errors.passphrase = 'Enter a passphrase to encrypt the session key with.';
  else if (passphrase.length < MIN_PASSPHRASE_LENGTH)
    errors.passphrase = `Use at least ${MIN_PASSPHRASE_LENGTH} characters; a few random words work well.`;
  if (passphrase && repeat !== passphrase) errors.repeat = 'The two passphrases are not the same.';
  return errors;
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function bech32Polymod(values: number[]): number {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= gen[i]!;
  }
  return chk >>> 0;
}

/** An age X25519 recipient: "age1" and 58 bech32 characters whose checksum holds. */
export function checkAgeRecipient(input: string): Checked<string> {
  const text = input.trim();
  if (!text) return bad('Paste the age recipient of whoever will decrypt the file; it starts with age1.');
  const lower = text.toLowerCase();
  if (!lower.startsWith('age1')) return bad('An age recipient starts with age1 (an SSH key or a passphrase will not do here).');
  if (text !== lower) return bad('An age recipient is all lower case.');
  const data = lower.slice(4);
  if ([...data].some((c) => !BECH32.includes(c)))
    return bad('An age recipient has only the letters and digits of bech32 after age1 (no b, i, o or 1).');
  if (lower.length !== 62) return bad(`An age recipient is 62 characters long; this has ${lower.length}.`);
  const hrp = 'age';
  const values = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31), ...[...data].map((c) => BECH32.indexOf(c))];
  if (bech32Polymod(values) !== 1) return bad('That age recipient is mistyped: its checksum does not match. Copy it again.');
  return ok(lower);
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** A server URL for the export POST: https anywhere, plain http only to this computer. */
export function checkServerUrl(input: string): Checked<string> {
  const text = input.trim();
  if (!text) return bad('Enter the server URL, for example https://example.org/sessions.');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return bad('That is not a full URL: it starts with https:// and a host name.');
  }
  if (url.username || url.password) return bad('Put credentials in the Bearer token field, not in the URL.');
  if (url.protocol === 'https:') return ok(url.toString());
  if (url.protocol === 'http:') {
    if (isLoopback(url.hostname)) return ok(url.toString());
    return bad('Plain http:// is only allowed to this computer (localhost, 127.0.0.1 or [::1]); use https:// for any other server.');
  }
  return bad('Use an https:// URL (or http:// to this computer).');
}

/** Optional bearer token; empty means none. */
export function checkBearer(input: string): Checked<string | null> {
  const token = input.trim();
  if (!token) return ok(null);
  if (/[\s\x00-\x1f\x7f]/.test(token)) return bad('A bearer token has no spaces or line breaks.');
  return ok(token);
}

/** A session label: like a key label, but about a session. */
export function checkSessionLabel(input: string): Checked<string> {
  const label = input.trim();
  if (!label) return bad('Give the session a label, such as "Trading bot".');
  if (label.length > MAX_LABEL_LENGTH) return bad(`Keep the label to ${MAX_LABEL_LENGTH} characters or fewer.`);
  return ok(label);
}

/** Largest expirySec the wire allows. */
export const MAX_EXPIRY_SEC = 9_999_999_999;

/** A date-time from an <input type="datetime-local"> (local time) as unix seconds in the future. */
export function checkExpiryDate(input: string, nowSec: number): Checked<number> {
  if (!input) return bad('Pick the date and time the session stops working.');
  const ms = new Date(input).getTime();
  if (Number.isNaN(ms)) return bad('That date is not valid.');
  const sec = Math.floor(ms / 1000);
  if (sec <= nowSec + 60) return bad('Pick a time at least a minute from now.');
  if (sec > MAX_EXPIRY_SEC) return bad('Pick a date before the year 2286 (the largest expiry the network accepts).');
  return ok(sec);
}

/** A hex call data string: 0x and an even number of hex characters (empty data is "0x"). */
export function checkCallData(input: string): Checked<string> {
  const text = input.trim() || '0x';
  if (!/^0x[0-9a-fA-F]*$/.test(text)) return bad('Call data is 0x followed by hexadecimal characters (0x alone for none).');
  if ((text.length - 2) % 2 !== 0) return bad('Call data is whole bytes: an even number of hexadecimal characters.');
  return ok(text.toLowerCase());
}
