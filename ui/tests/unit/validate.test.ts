import { describe, expect, test } from 'vitest';
import {
  checkApiKey,
  checkChainId,
  checkLabel,
  checkPath,
  checkPhrase,
  checkPolicyId,
  checkPrivateKey,
  DEFAULT_PATH,
} from '../../src/lib/validate';

const KEY = 'ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

describe('checkLabel', () => {
  test('trims', () => expect(checkLabel('  Main ')).toEqual({ ok: true, value: 'Main' }));
  test('refuses empty and too long', () => {
    expect(checkLabel('   ')).toMatchObject({ ok: false, error: expect.stringContaining('Give the key a label') });
    expect(checkLabel('x'.repeat(65))).toMatchObject({ ok: false, error: expect.stringContaining('64 characters') });
  });
});

describe('checkPrivateKey', () => {
  test('accepts with or without 0x, any case, returns 0x + lower case', () => {
    expect(checkPrivateKey(KEY)).toEqual({ ok: true, value: `0x${KEY}` });
    expect(checkPrivateKey(` 0X${KEY.toUpperCase()} `)).toEqual({ ok: true, value: `0x${KEY}` });
  });
  test('says what is wrong without echoing the key', () => {
    const short = checkPrivateKey(KEY.slice(0, 10));
    expect(short).toEqual({ ok: false, error: 'A private key is 64 hexadecimal characters; this has 10.' });
    const bad = checkPrivateKey(`${KEY.slice(0, 63)}g`);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).not.toContain(KEY.slice(0, 8));
    expect(checkPrivateKey('0x' + '0'.repeat(64))).toMatchObject({ ok: false, error: 'A private key cannot be zero.' });
    expect(checkPrivateKey('')).toMatchObject({ ok: false, error: 'Paste the private key.' });
  });
});

describe('checkPhrase', () => {
  const twelve = 'test test test test test test test test test test test junk';
  test('normalises spaces and case', () => {
    expect(checkPhrase(`\n ${twelve.toUpperCase().replace(/ /g, '  \t')} `)).toEqual({ ok: true, value: twelve });
  });
  test('counts words', () => {
    expect(checkPhrase('a b c')).toMatchObject({ ok: false, error: expect.stringContaining('this has 3') });
    expect(checkPhrase(`${twelve} abandon abandon abandon`).ok).toBe(true);
  });
  test('refuses digits and punctuation', () => {
    expect(checkPhrase(twelve.replace('junk', 'junk1')).ok).toBe(false);
  });
});

describe('checkPath', () => {
  test('empty means the default', () => expect(checkPath(' ')).toEqual({ ok: true, value: DEFAULT_PATH }));
  test('accepts hardened and plain steps', () => expect(checkPath("m/44'/60'/1'/0/7").ok).toBe(true));
  test('refuses malformed paths and out-of-range steps', () => {
    expect(checkPath("44'/60'").ok).toBe(false);
    expect(checkPath("m/44'/x").ok).toBe(false);
    expect(checkPath('m/2147483648').ok).toBe(false);
    expect(checkPath("m/2147483647'").ok).toBe(true);
  });
});

describe('checkChainId', () => {
  test('whole numbers from 1', () => {
    expect(checkChainId(' 8453 ')).toEqual({ ok: true, value: 8453 });
    expect(checkChainId('0').ok).toBe(false);
    expect(checkChainId('-1').ok).toBe(false);
    expect(checkChainId('1.5').ok).toBe(false);
    expect(checkChainId('0x1').ok).toBe(false);
    expect(checkChainId('9007199254740992').ok).toBe(false);
    expect(checkChainId('').ok).toBe(false);
  });
});

describe('checkPolicyId', () => {
  test('optional, UUID-like', () => {
    expect(checkPolicyId('  ')).toEqual({ ok: true, value: null });
    expect(checkPolicyId('c0ffee00-0000-4000-8000-000000000000').ok).toBe(true);
    expect(checkPolicyId('has space').ok).toBe(false);
  });
});

describe('checkApiKey', () => {
  test('required without a stored key; empty keeps a stored key', () => {
    expect(checkApiKey('', false)).toMatchObject({ ok: false, error: 'Enter your Alchemy API key.' });
    expect(checkApiKey('', true)).toEqual({ ok: true, value: null });
    expect(checkApiKey(' abcdefgh12345 ', false)).toEqual({ ok: true, value: 'abcdefgh12345' });
    expect(checkApiKey('abc def ghi', true).ok).toBe(false);
    expect(checkApiKey('short', true).ok).toBe(false);
  });
});
