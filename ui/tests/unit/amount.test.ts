// Exact amount conversion: decimal text in a unit → whole base units, with BigInt only.
import { describe, expect, test } from 'vitest';
import { MAX_UINT256, exactUnits, fromQuantity, groupDigits, nativeDecimals, nativeUnits, parseAmount, toQuantity, usageShare } from '../../src/lib/amount';

describe('parseAmount', () => {
  test.each([
    ['0.5', 18, 500000000000000000n],
    ['0.1', 18, 100000000000000000n],
    ['1', 18, 1000000000000000000n],
    ['.25', 18, 250000000000000000n],
    ['3.', 18, 3000000000000000000n],
    ['0.000000000000000001', 18, 1n],
    ['1.5', 9, 1500000000n],
    ['42', 0, 42n],
    ['100', 6, 100000000n],
    ['1_000', 0, 1000n],
    ['  7  ', 0, 7n],
    ['0', 18, 0n],
    ['1.500000000000000000000', 18, 1500000000000000000n],
  ])('%s with %i decimals is %s', (text, decimals, value) => {
    expect(parseAmount(text, decimals, 'X')).toEqual({ ok: true, value });
  });
  test('no floating point: values that are inexact as doubles stay exact', () => {
    expect(parseAmount('0.3', 18, 'ETH')).toEqual({ ok: true, value: 300000000000000000n });
    expect(parseAmount('123456789.123456789123456789', 18, 'ETH')).toEqual({ ok: true, value: 123456789123456789123456789n });
    expect(parseAmount('9007199254740993', 0, 'wei')).toEqual({ ok: true, value: 9007199254740993n });
  });
  test('the largest uint256 is accepted, one more is not', () => {
    expect(parseAmount(MAX_UINT256.toString(), 0, 'wei')).toEqual({ ok: true, value: MAX_UINT256 });
    expect(parseAmount((MAX_UINT256 + 1n).toString(), 0, 'wei')).toMatchObject({ ok: false, error: expect.stringContaining('largest possible') });
  });
  test.each([
    ['', 'Enter an amount in ETH.'],
    ['-1', 'cannot be negative'],
    ['1,5', 'Use a dot for decimals'],
    ['1e18', 'Enter a number'],
    ['.', 'Enter a number'],
    ['0x10', 'Enter a number'],
    ['1.2.3', 'Enter a number'],
    ['0.0000000000000000001', 'ETH has at most 18 digits after the dot; this has 19.'],
  ])('%j is refused: %s', (text, message) => {
    expect(parseAmount(text, 18, 'ETH')).toMatchObject({ ok: false, error: expect.stringContaining(message) });
  });
  test('a unit without decimals wants whole numbers', () => {
    expect(parseAmount('1.5', 0, 'wei')).toEqual({ ok: false, error: 'wei is the smallest unit: enter a whole number.' });
    expect(parseAmount('1.0', 0, 'wei')).toEqual({ ok: true, value: 1n });
  });
});

describe('quantities and display', () => {
  test('toQuantity is minimal 0x hex; fromQuantity reads hex and decimal', () => {
    expect(toQuantity(0n)).toBe('0x0');
    expect(toQuantity(500000000000000000n)).toBe('0x6f05b59d3b20000');
    expect(() => toQuantity(-1n)).toThrow();
    expect(fromQuantity('0x6f05b59d3b20000')).toBe(500000000000000000n);
    expect(fromQuantity('42')).toBe(42n);
    expect(() => fromQuantity('1.5')).toThrow(/not a quantity/);
  });
  test('exactUnits keeps every digit', () => {
    expect(exactUnits(1500000000000000000n, 18)).toBe('1.5');
    expect(exactUnits(1n, 18)).toBe('0.000000000000000001');
    expect(exactUnits(1234567000000000000000000n, 18, true)).toBe('1,234,567');
    expect(exactUnits(42n, 0)).toBe('42');
  });
  test('groupDigits', () => {
    expect(groupDigits(1000000n)).toBe('1,000,000');
    expect(groupDigits(999n)).toBe('999');
  });
  test('usageShare', () => {
    expect(usageShare('150000000000000000', '500000000000000000')).toBe(0.3);
    expect(usageShare('0', '1')).toBe(0);
    expect(usageShare('5', '5')).toBe(1);
    expect(usageShare('7', '5')).toBe(1);
    expect(usageShare('0', '0')).toBe(1);
  });
});

describe('native units come from the chain currency', () => {
  const POL = { name: 'POL', symbol: 'POL', decimals: 18 };
  const BNB = { name: 'BNB', symbol: 'BNB', decimals: 18 };
  test('Polygon: POL, gwei, wei', () => {
    expect(nativeUnits(POL)).toEqual([
      { id: 'POL', name: 'POL', decimals: 18 },
      { id: 'gwei', name: 'gwei', decimals: 9 },
      { id: 'wei', name: 'wei', decimals: 0 },
    ]);
    expect(nativeDecimals('POL', POL)).toBe(18);
    expect(parseAmount('0.25', nativeDecimals('POL', POL), 'POL')).toEqual({ ok: true, value: 250000000000000000n });
    expect(parseAmount('', nativeDecimals('POL', POL), 'POL')).toEqual({ ok: false, error: 'Enter an amount in POL.' });
  });
  test('BNB Smart Chain: BNB, gwei, wei', () => {
    expect(nativeUnits(BNB).map((u) => u.id)).toEqual(['BNB', 'gwei', 'wei']);
    expect(nativeDecimals('gwei', BNB)).toBe(9);
    expect(nativeDecimals('wei', BNB)).toBe(0);
    expect(parseAmount('1.5', nativeDecimals('BNB', BNB), 'BNB')).toEqual({ ok: true, value: 1500000000000000000n });
  });
  test('the devnet: ETH as before', () => {
    expect(nativeUnits({ name: 'Ether', symbol: 'ETH', decimals: 18 }).map((u) => u.id)).toEqual(['ETH', 'gwei', 'wei']);
  });
  test('a currency with 9 decimals or fewer has no gwei', () => {
    expect(nativeUnits({ name: 'Six', symbol: 'SIX', decimals: 6 }).map((u) => u.id)).toEqual(['SIX', 'wei']);
  });
});
