// Addresses (EIP-55), function entries, and the permission builder's model: shape errors per
// type, the wire form, and where permissions_check's field errors go.
import { describe, expect, test } from 'vitest';
import { checkAddress, checksumOf } from '../../src/lib/address';
import { parseFunctionInput } from '../../src/lib/functions';
import type { Currency } from '../../src/lib/bindings/Currency';
import { draftErrors, kinds, newDraft, newFunction, placeServerErrors, slotOfField, toWire, type PermissionDraft } from '../../src/lib/permissions';

const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';

describe('EIP-55', () => {
  test.each([
    '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
    '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
  ])('%s', (address) => {
    expect(checksumOf(address.slice(2).toLowerCase())).toBe(address);
    expect(checkAddress(address.toLowerCase())).toEqual({ ok: true, value: address });
    expect(checkAddress(address.toUpperCase().replace('0X', '0x'))).toEqual({ ok: true, value: address });
  });
  test('a wrong capital is refused', () => {
    expect(checkAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toMatchObject({ ok: false, error: expect.stringContaining('EIP-55') });
  });
  test('the shape errors name the field', () => {
    expect(checkAddress('', 'token address')).toEqual({ ok: false, error: 'Enter the token address.' });
    expect(checkAddress('0x12')).toMatchObject({ ok: false, error: expect.stringContaining('this has 2') });
    expect(checkAddress(`0x${'0'.repeat(40)}`)).toMatchObject({ ok: false, error: expect.stringContaining('zero address') });
  });
});

describe('parseFunctionInput', () => {
  test('raw selectors are normalised to lower case', () => {
    expect(parseFunctionInput(' 0xA9059CBB ')).toEqual({ ok: true, value: { kind: 'selector', selector: '0xa9059cbb' } });
  });
  test('signatures are passed on for selector_of', () => {
    expect(parseFunctionInput('transfer(address,uint256)')).toEqual({ ok: true, value: { kind: 'signature', signature: 'transfer(address,uint256)' } });
    expect(parseFunctionInput('f((uint256,address)[])')).toMatchObject({ ok: true });
  });
  test.each([
    ['', 'Enter a signature'],
    ['0x1234', 'this has 4'],
    ['0xzz059cbb', 'only the characters'],
    ['transfer', 'name(types…)'],
    ['1abc()', 'name(types…)'],
    ['f(a))(b)', 'brackets'],
  ])('%j is refused', (input, message) => {
    expect(parseFunctionInput(input)).toMatchObject({ ok: false, error: expect.stringContaining(message) });
  });
});

const ETH: Currency = { name: 'Ether', symbol: 'ETH', decimals: 18 };
const POL: Currency = { name: 'POL', symbol: 'POL', decimals: 18 };
const BNB: Currency = { name: 'BNB', symbol: 'BNB', decimals: 18 };
/** The devnet's currency unless a test names another chain's. */
const wire = (d: PermissionDraft, currency = ETH) => toWire(d, currency);
const errorsOf = (d: PermissionDraft, count: number, currency = ETH) => draftErrors(d, count, currency);

function draft(over: Partial<PermissionDraft>, currency = ETH): PermissionDraft {
  return { ...newDraft(currency, over.type), ...over };
}

describe('permission drafts', () => {
  test('wire form per type, amounts exact in hex, addresses checksummed', () => {
    expect(wire(draft({ type: 'native-token-transfer', amount: '0.5', unit: 'ETH' }))).toEqual({
      type: 'native-token-transfer',
      data: { allowance: '0x6f05b59d3b20000' },
    });
    expect(wire(draft({ type: 'gas-limit', amount: '2', unit: 'gwei' }))).toEqual({ type: 'gas-limit', data: { limit: '0x77359400' } });
    const token = { address: USDC, symbol: 'USDC', decimals: 6 };
    expect(wire(draft({ type: 'erc20-token-transfer', amount: '1.25', unit: 'token', address: USDC.toLowerCase(), token }))).toEqual({
      type: 'erc20-token-transfer',
      data: { allowance: '0x1312d0', address: USDC },
    });
    expect(wire(draft({ type: 'erc20-token-transfer', amount: '1250000', unit: 'raw', address: USDC, token }))).toEqual({
      type: 'erc20-token-transfer',
      data: { allowance: '0x1312d0', address: USDC },
    });
    expect(wire(draft({ type: 'root' }))).toEqual({ type: 'root' });
    const resolved = { ...newFunction('transfer(address,uint256)'), resolved: { signature: 'transfer(address,uint256)', selector: '0xa9059cbb' }, resolvedFor: 'transfer(address,uint256)' };
    expect(wire(draft({ type: 'functions-on-contract', address: USDC, functions: [resolved, newFunction('0x095EA7B3')] }))).toEqual({
      type: 'functions-on-contract',
      data: { address: USDC, functions: ['0xa9059cbb', '0x095ea7b3'] },
    });
  });
  test('a signature selector_of has not answered yet leaves no wire form', () => {
    expect(wire(draft({ type: 'account-functions', functions: [newFunction('transfer(address,uint256)')] }))).toBeNull();
  });
  test('shape errors per slot', () => {
    expect(errorsOf(draft({ type: 'native-token-transfer', amount: '' }), 1)).toEqual({ amount: 'Enter an amount in ETH.' });
    expect(errorsOf(draft({ type: 'contract-access', address: '0x1' }), 1)).toEqual({
      address: expect.stringContaining('this has 1'),
    });
    expect(Object.keys(errorsOf(draft({ type: 'functions-on-contract', functions: [newFunction(''), newFunction('0x12')] }), 1))).toEqual([
      'address',
      'function-0',
      'function-1',
    ]);
    expect(errorsOf(draft({ type: 'account-functions', functions: [] }), 1)).toEqual({ functions: 'Add at least one function.' });
    expect(errorsOf(draft({ type: 'root' }), 2)).toEqual({
      type: expect.stringContaining('must be the only permission'),
      root: expect.stringContaining('Tick the box'),
    });
    expect(errorsOf(draft({ type: 'root', rootConfirmed: true }), 1)).toEqual({});
    const refused = { ...newFunction('f(adress)'), refusal: 'Warden cannot read this signature: unknown type.', resolvedFor: 'f(adress)' };
    expect(errorsOf(draft({ type: 'account-functions', functions: [refused] }), 1)).toEqual({ 'function-0': refused.refusal });
  });
  test('native limits are in the chain currency: POL on Polygon, BNB on BNB Smart Chain', () => {
    const pol = draft({ type: 'native-token-transfer', amount: '0.5' }, POL);
    expect(pol.unit).toBe('POL');
    expect(wire(pol, POL)).toEqual({ type: 'native-token-transfer', data: { allowance: '0x6f05b59d3b20000' } });
    expect(errorsOf(draft({ type: 'native-token-transfer', amount: '' }, POL), 1, POL)).toEqual({ amount: 'Enter an amount in POL.' });
    const bnb = draft({ type: 'gas-limit', amount: '0.25' }, BNB);
    expect(bnb.unit).toBe('BNB');
    expect(wire(bnb, BNB)).toEqual({ type: 'gas-limit', data: { limit: '0x3782dace9d90000' } });
    expect(wire(draft({ type: 'gas-limit', amount: '2', unit: 'gwei' }, BNB), BNB)).toEqual({ type: 'gas-limit', data: { limit: '0x77359400' } });
    expect(errorsOf(draft({ type: 'gas-limit', amount: '1.5', unit: 'wei' }, BNB), 1, BNB)).toEqual({
      amount: 'wei is the smallest unit: enter a whole number.',
    });
    // ERC-20 limits keep their token units whatever the chain.
    expect(draft({ type: 'erc20-token-transfer' }, POL).unit).toBe('raw');
  });
  test('the native limit is named after the chain currency', () => {
    expect(kinds(POL)[0]).toEqual({ type: 'native-token-transfer', name: 'POL spending limit', hint: 'How much POL the session may send, in total.' });
    expect(kinds(BNB)[0]!.name).toBe('BNB spending limit');
    expect(kinds(ETH)[0]!.name).toBe('ETH spending limit');
    expect(kinds(POL).map((k) => k.type)).toContain('gas-limit');
  });
  test('permissions_check errors land in their slot; index null is general', () => {
    expect(slotOfField('allowance')).toBe('amount');
    expect(slotOfField('limit')).toBe('amount');
    expect(slotOfField('data.address')).toBe('address');
    expect(slotOfField('functions[3]')).toBe('function-3');
    expect(slotOfField('functions')).toBe('functions');
    expect(slotOfField('type')).toBe('type');
    expect(slotOfField('something')).toBe('card');
    const placed = placeServerErrors([
      { index: 1, field: 'address', message: 'a' },
      { index: 1, field: 'address', message: 'b' },
      { index: null, field: 'expirySec', message: 'c' },
    ]);
    expect(placed.perPermission.get(1)).toEqual({ address: 'a b' });
    expect(placed.general).toEqual([{ index: null, field: 'expirySec', message: 'c' }]);
  });
});
