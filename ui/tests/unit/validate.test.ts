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

import {
  checkAgeRecipient,
  checkBearer,
  checkCallData,
  checkExpiryDate,
  checkPassphrase,
  checkServerUrl,
  checkSessionLabel,
  passphraseStrength,
} from '../../src/lib/validate';

describe('export checks', () => {
  test('age recipients: the example from age’s own documentation passes; one changed character fails', () => {
    const good = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
    expect(checkAgeRecipient(` ${good} `)).toEqual({ ok: true, value: good });
    expect(checkAgeRecipient(good.replace(/p$/, 'q'))).toMatchObject({ ok: false, error: expect.stringContaining('checksum') });
    expect(checkAgeRecipient('age1abc')).toMatchObject({ ok: false, error: expect.stringContaining('no b, i, o or 1') });
    expect(checkAgeRecipient('age1qqqq')).toMatchObject({ ok: false, error: expect.stringContaining('62 characters') });
    expect(checkAgeRecipient('ssh-ed25519 AAAA')).toMatchObject({ ok: false, error: expect.stringContaining('starts with age1') });
  });
  test('server URL: https anywhere, http only to loopback', () => {
    expect(checkServerUrl('https://example.org/s')).toEqual({ ok: true, value: 'https://example.org/s' });
    for (const url of ['http://127.0.0.1:8080/x', 'http://127.8.9.10/x', 'http://localhost/x', 'http://[::1]:9/x'])
      expect(checkServerUrl(url), url).toMatchObject({ ok: true });
    for (const url of ['http://example.org/x', 'http://10.0.0.2/x', 'http://127.0.0.1.example.org/x', 'http://localhost.evil.test/x'])
      expect(checkServerUrl(url), url).toMatchObject({ ok: false, error: expect.stringContaining('only allowed to this computer') });
    expect(checkServerUrl('file:///etc/passwd')).toMatchObject({ ok: false, error: expect.stringContaining('https://') });
    expect(checkServerUrl('https://a:b@example.org')).toMatchObject({ ok: false, error: expect.stringContaining('Bearer') });
  });
  test('bearer, passphrase and its strength hint', () => {
    expect(checkBearer('')).toEqual({ ok: true, value: null });
    expect(checkBearer('a b')).toMatchObject({ ok: false });
    expect(checkPassphrase('', '')).toEqual({ passphrase: expect.stringContaining('Enter a passphrase') });
    expect(checkPassphrase('short', 'short')).toEqual({ passphrase: expect.stringContaining('at least 12') });
    expect(checkPassphrase('long enough pass', 'long enough pasS')).toEqual({ repeat: 'The two passphrases are not the same.' });
    expect(checkPassphrase('long enough pass', 'long enough pass')).toEqual({});
    expect(passphraseStrength('abc').level).toBe('weak');
    expect(passphraseStrength('abcdefghijkl').level).toBe('fair');
    expect(passphraseStrength('correct horse battery staple').level).toBe('strong');
  });
  test('session label, expiry date, call data', () => {
    expect(checkSessionLabel('  Bot ')).toEqual({ ok: true, value: 'Bot' });
    expect(checkSessionLabel('')).toMatchObject({ ok: false });
    const now = Math.floor(new Date('2030-01-01T00:00').getTime() / 1000);
    expect(checkExpiryDate('2030-01-02T00:00', now)).toEqual({ ok: true, value: now + 86400 });
    expect(checkExpiryDate('2030-01-01T00:00', now)).toMatchObject({ ok: false });
    expect(checkExpiryDate('2290-01-01T00:00', now)).toMatchObject({ ok: false, error: expect.stringContaining('2286') });
    expect(checkCallData('')).toEqual({ ok: true, value: '0x' });
    expect(checkCallData('0xABCD')).toEqual({ ok: true, value: '0xabcd' });
    expect(checkCallData('0xabc')).toMatchObject({ ok: false });
    expect(checkCallData('abcd')).toMatchObject({ ok: false });
  });
});
