import { describe, expect, test } from 'vitest';
import { backendLabel, formatUnits, shortenAddress, stepLabel } from '../../src/lib/format';

describe('shortenAddress', () => {
  test('keeps 0x plus 4 and the last 4 characters', () => {
    expect(shortenAddress('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')).toBe('0xf39F…2266');
  });
  test('leaves short values whole', () => {
    expect(shortenAddress('0x1234')).toBe('0x1234');
    expect(shortenAddress('0x123456789')).toBe('0x123456789');
  });
  test('custom lengths', () => {
    expect(shortenAddress(`0x${'ab'.repeat(32)}`, 10, 8)).toBe('0xabababab…abababab');
  });
});

describe('formatUnits', () => {
  test.each([
    ['0', '0 ETH'],
    ['1000000000000000000', '1 ETH'],
    ['1500000000000000000', '1.5 ETH'],
    ['1234567890000000000000', '1,234.56789 ETH'],
    ['1000000', '< 0.000001 ETH'],
    ['1999999999999999999', '1.999999 ETH'],
  ])('%s wei is %s', (wei, text) => {
    expect(formatUnits(wei, 'ETH', 18)).toBe(text);
  });
  test.each([
    ['1500000000000000000', 'POL', '1.5 POL'],
    ['250000000000000000', 'BNB', '0.25 BNB'],
    ['1234567890000000000000', 'MON', '1,234.56789 MON'],
  ])('%s wei in %s is %s', (wei, symbol, text) => {
    expect(formatUnits(wei, symbol, 18)).toBe(text);
  });
  test('other units and decimals', () => {
    expect(formatUnits('2500000', 'USDC', 6, 2)).toBe('2.5 USDC');
  });
  test('all 18 digits when asked', () => {
    expect(formatUnits('1', 'ETH', 18, 18)).toBe('0.000000000000000001 ETH');
  });
  test('refuses what is not a whole number', () => {
    expect(() => formatUnits('-1', 'ETH', 18)).toThrow(/not a whole number/);
    expect(() => formatUnits('1.5', 'ETH', 18)).toThrow(/not a whole number/);
  });
});

describe('backendLabel', () => {
  test('devnet says it is not real money', () => {
    expect(
      backendLabel({ kind: 'devnet', chainId: 31337, chainName: 'Local devnet', endpointHost: '127.0.0.1:1', nodeHost: '127.0.0.1:41235', policyId: null, hasApiKey: false, currency: { name: 'Ether', symbol: 'ETH', decimals: 18 } }),
    ).toBe('Local devnet — nothing here is real money');
  });
  test('alchemy names the chain', () => {
    expect(
      backendLabel({ kind: 'alchemy', chainId: 8453, chainName: 'Base', endpointHost: 'h', nodeHost: 'node.example-alchemy.test', policyId: null, hasApiKey: true, currency: { name: 'Ether', symbol: 'ETH', decimals: 18 } }),
    ).toBe('Alchemy · Base');
  });
  test('unknown before start-up answers', () => {
    expect(backendLabel(null)).toBe('Backend not known yet');
  });
});

test('stepLabel names every step', () => {
  expect(stepLabel('waiting')).toBe('Waiting for confirmation');
  expect(stepLabel('failed')).toBe('Failed');
});

import { expiryText, formatDuration } from '../../src/lib/format';

describe('durations and expiry', () => {
  test.each([
    [0, '0 s'],
    [45, '45 s'],
    [65, '1 min 05 s'],
    [3600, '1 h'],
    [3660, '1 h 1 min'],
    [86400, '1 day'],
    [2 * 86400 + 3 * 3600 + 59, '2 days 3 h'],
    [-5, '0 s'],
  ])('%i s is %s', (s, text) => expect(formatDuration(s)).toBe(text));
  test('expiryText', () => {
    expect(expiryText(null, 100)).toBe('Never expires');
    expect(expiryText(0, 100)).toBe('Never expires');
    expect(expiryText(50, 100)).toMatch(/^Expired on /);
    expect(expiryText(100 + 7200, 100)).toMatch(/^Expires in 2 h \(/);
  });
});
