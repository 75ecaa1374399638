// Component tests of the grant wizard's parts in jsdom: the amount field's exact conversion
// into the other units, and the function list's selector shown beside each entry.
import { afterEach, describe, expect, test } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import AmountInput from '../../src/components/grant/AmountInput.svelte';
import PermissionCard from '../../src/components/grant/PermissionCard.svelte';
import FunctionList from '../../src/components/grant/FunctionList.svelte';
import FunctionListHost from './FunctionListHost.svelte';
import RiskList from '../../src/components/RiskList.svelte';
import UsageBars from '../../src/components/sessions/UsageBars.svelte';
import { newDraft, newFunction } from '../../src/lib/permissions';

afterEach(() => clearMocks());

const NATIVE = [
  { id: 'ETH', name: 'ETH', decimals: 18 },
  { id: 'gwei', name: 'gwei', decimals: 9 },
  { id: 'wei', name: 'wei', decimals: 0 },
];

describe('AmountInput', () => {
  test.each([
    ['0.5', 'ETH', '= 500,000,000 gwei = 500,000,000,000,000,000 wei'],
    ['1', 'wei', '= 0.000000000000000001 ETH = 0.000000001 gwei'],
    ['2.5', 'gwei', '= 0.0000000025 ETH = 2,500,000,000 wei'],
    ['1234.000000000000000001', 'ETH', '= 1,234,000,000,000.000000001 gwei = 1,234,000,000,000,000,000,001 wei'],
  ])('%s %s shows %s', (amount, unit, text) => {
    render(AmountInput, { id: 'a', label: 'Allowance', amount, unit, units: NATIVE });
    expect(screen.getByTestId('a-conversion').textContent).toBe(text);
  });

  test('typing updates the conversion; an error replaces it', async () => {
    render(AmountInput, { id: 'a', label: 'Allowance', amount: '', unit: 'ETH', units: NATIVE, error: undefined });
    expect(screen.queryByTestId('a-conversion')).toBeNull();
    await fireEvent.input(screen.getByLabelText('Allowance'), { target: { value: '0.1' } });
    expect(screen.getByTestId('a-conversion').textContent).toBe('= 100,000,000 gwei = 100,000,000,000,000,000 wei');
    await fireEvent.change(screen.getByLabelText('Unit'), { target: { value: 'wei' } });
    expect(screen.queryByTestId('a-conversion')).toBeNull();
  });

  test('token units: symbol with its decimals, and raw units', () => {
    const units = [
      { id: 'token', name: 'USDC', decimals: 6 },
      { id: 'raw', name: 'raw units', decimals: 0 },
    ];
    const { unmount } = render(AmountInput, { id: 't', label: 'Allowance', amount: '100.5', unit: 'token', units });
    expect(screen.getByTestId('t-conversion').textContent).toBe('= 100,500,000 raw units');
    unmount();
    render(AmountInput, { id: 'r', label: 'Allowance', amount: '1500', unit: 'raw', units });
    expect(screen.getByTestId('r-conversion').textContent).toBe('= 0.0015 USDC');
  });

  test('a shown error is the note, with aria-invalid', () => {
    render(AmountInput, { id: 'e', label: 'Gas limit', amount: 'x', unit: 'ETH', units: NATIVE, error: 'Enter a number.' });
    expect(screen.getByLabelText('Gas limit').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Enter a number.')).toBeTruthy();
  });
});

describe('PermissionCard in the chain currency', () => {
  const card = (currency: { name: string; symbol: string; decimals: number }, type: 'native-token-transfer' | 'gas-limit') =>
    render(PermissionCard, {
      draft: { ...newDraft(currency, type), amount: '0.5' },
      index: 0,
      currency,
      errors: {},
      onedit: () => {},
      ontouch: () => {},
      onremove: () => {},
    });
  const options = (label: string) =>
    [...(screen.getByLabelText(label) as HTMLSelectElement).options].map((o) => o.textContent?.trim());

  test('Polygon: a POL spending limit, typed in POL, gwei or wei', () => {
    card({ name: 'POL', symbol: 'POL', decimals: 18 }, 'native-token-transfer');
    expect(options('Permission type')[0]).toBe('POL spending limit');
    expect(screen.getByText('How much POL the session may send, in total.')).toBeTruthy();
    expect(options('Unit')).toEqual(['POL', 'gwei', 'wei']);
    expect((screen.getByLabelText('Unit') as HTMLSelectElement).value).toBe('POL');
    expect(screen.getByTestId(/-conversion$/).textContent).toBe('= 500,000,000 gwei = 500,000,000,000,000,000 wei');
  });

  test('BNB Smart Chain: the network fee limit is typed in BNB', () => {
    card({ name: 'BNB', symbol: 'BNB', decimals: 18 }, 'gas-limit');
    expect(options('Unit')).toEqual(['BNB', 'gwei', 'wei']);
    expect(options('Permission type')[0]).toBe('BNB spending limit');
  });
});

describe('FunctionList', () => {
  test('a signature shows the selector selector_of gave, beside it, with the canonical signature', async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      asked.push([cmd, args]);
      return { signature: 'transfer(address,uint256)', selector: '0xa9059cbb' };
    });
    render(FunctionListHost);
    const input = screen.getByLabelText('Function signature or selector');
    await fireEvent.input(input, { target: { value: 'transfer(address to, uint amount)' } });
    await fireEvent.blur(input);
    const out = screen.getByLabelText('Selector 1');
    await waitFor(() => expect(out.textContent).toContain('0xa9059cbb'));
    expect(out.textContent).toContain('transfer(address,uint256)');
    expect(asked).toEqual([['selector_of', { signature: 'transfer(address to, uint amount)' }]]);
  });

  test('a raw selector is shown as is and nothing is asked', async () => {
    const asked: unknown[] = [];
    mockIPC((cmd) => asked.push(cmd));
    render(FunctionListHost);
    const input = screen.getByLabelText('Function signature or selector');
    await fireEvent.input(input, { target: { value: '0xA9059CBB' } });
    await fireEvent.blur(input);
    const out = screen.getByLabelText('Selector 1');
    expect(out.textContent).toContain('0xa9059cbb');
    expect(out.textContent).toContain('raw selector');
    expect(asked).toEqual([]);
  });

  test('errors are shown under their entry', () => {
    render(FunctionList, {
      id: 'f',
      functions: [newFunction('0x12')],
      errors: { 'function-0': 'A selector is 4 bytes.' },
      onedit: () => {},
      ontouch: () => {},
    });
    expect(screen.getByLabelText('Function signature or selector').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('A selector is 4 bytes.')).toBeTruthy();
  });
});

test('RiskList puts danger first and names the severity in words', () => {
  render(RiskList, {
    risks: [
      { severity: 'info', message: 'i', permissionIndex: null },
      { severity: 'danger', message: 'd', permissionIndex: null },
      { severity: 'warning', message: 'w', permissionIndex: 0 },
    ],
  });
  expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Danger d', 'Warning w', 'Note i']);
});

test('UsageBars: a bar per limit with its numbers and source', () => {
  render(UsageBars, {
    sessionLabel: 'Bot',
    lines: [
      { permissionIndex: 0, label: 'ETH', used: '1', limit: '4', usedFormatted: '1 wei', limitFormatted: '4 wei', source: 'devnet', note: null },
    ],
  });
  const bar = screen.getByLabelText('ETH: 1 wei of 4 wei used') as HTMLProgressElement;
  expect(bar.value).toBe(250);
  expect(screen.getByText('devnet count')).toBeTruthy();
});
