// Component tests in jsdom: each component on its own, IPC mocked with mockIPC.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import ErrorNote from '../../src/components/ErrorNote.svelte';
import Banner from '../../src/components/Banner.svelte';
import AddressField from '../../src/components/AddressField.svelte';
import KeychainScreen from '../../src/components/KeychainScreen.svelte';
import OwnerKeys from '../../src/components/OwnerKeys.svelte';
import Onboarding from '../../src/components/Onboarding.svelte';
import QrCode from '../../src/components/QrCode.svelte';
import { qrPath } from '../../src/lib/qr';
import type { OwnerKey } from '../../src/lib/bindings/OwnerKey';

afterEach(() => clearMocks());

const ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const KEYS: OwnerKey[] = [
  { id: 'k1', address: ADDRESS, label: 'Main', selected: true },
  { id: 'k2', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', label: 'Laptop', selected: false },
];

function recordIpc(answer: (cmd: string, args: unknown) => unknown = () => null) {
  const calls: [string, unknown][] = [];
  mockIPC((cmd, args) => {
    calls.push([cmd, args]);
    return answer(cmd, args);
  });
  return calls;
}

describe('ErrorNote', () => {
  test('plain words, what to do, then the detail, as an alert', () => {
    render(ErrorNote, { error: { code: 'unavailable', message: 'connection refused' } });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('The network could not be reached.');
    expect(alert.textContent).toContain('try again');
    expect(alert.textContent).toContain('Details: connection refused');
    expect(alert.dataset.code).toBe('unavailable');
  });
  test('nothing when there is no error', () => {
    render(ErrorNote, { error: null });
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('Banner', () => {
  test('devnet and alchemy', () => {
    const { rerender } = render(Banner, {
      backend: { kind: 'devnet', chainId: 31337, chainName: 'Local', endpointHost: '127.0.0.1:9', nodeHost: '127.0.0.1:41235', policyId: null, hasApiKey: false, currency: { name: 'Ether', symbol: 'ETH', decimals: 18 } },
    });
    expect(screen.getByLabelText('Active backend').textContent).toContain('Local devnet — nothing here is real money');
    rerender({
      backend: { kind: 'alchemy', chainId: 8453, chainName: 'Base', endpointHost: 'h.test', nodeHost: 'node.example-alchemy.test', policyId: null, hasApiKey: true, currency: { name: 'Ether', symbol: 'ETH', decimals: 18 } },
    });
    expect(screen.getByLabelText('Active backend').textContent).toContain('Alchemy · Base');
    expect(screen.getByLabelText('Active backend').textContent).not.toContain('gas sponsored');
  });
});

describe('AddressField', () => {
  test('short text, full title, copy through the clipboard', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(AddressField, { address: ADDRESS, name: 'Account address', copyName: 'Copy address' });
    const out = screen.getByLabelText('Account address');
    expect(out.textContent).toBe('0xf39F…2266');
    expect(out.getAttribute('title')).toBe(ADDRESS);
    await fireEvent.click(screen.getByRole('button', { name: 'Copy address' }));
    expect(writeText).toHaveBeenCalledWith(ADDRESS);
    await screen.findByText('Copied');
  });
  test('when copying fails it says so and shows the full address to copy by hand', async () => {
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: vi.fn().mockRejectedValue(new Error('denied')) },
      configurable: true,
    });
    document.execCommand = vi.fn().mockReturnValue(false);
    render(AddressField, { address: ADDRESS, name: 'Account address', copyName: 'Copy address' });
    await fireEvent.click(screen.getByRole('button', { name: 'Copy address' }));
    await screen.findByText(/Could not copy/);
    expect(screen.getByTestId('full-address').textContent).toBe(ADDRESS);
  });
});

describe('KeychainScreen', () => {
  test.each([
    ['locked', 'Your keychain is locked'],
    ['unavailable', 'No keychain is available'],
    ['denied', 'Warden was not allowed into the keychain'],
  ] as const)('%s', async (state, title) => {
    const onretry = vi.fn().mockResolvedValue(undefined);
    render(KeychainScreen, { status: { state, message: 'detail' }, error: null, onretry });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(title);
    await fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onretry).toHaveBeenCalledOnce();
  });
});

describe('OwnerKeys', () => {
  test('delete needs a second, explicit press; Rust then asks in a native dialog', async () => {
    const calls = recordIpc(() => [KEYS[0]]);
    const onchange = vi.fn();
    render(OwnerKeys, { keys: KEYS, onchange, onadd: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: 'Delete key Laptop' }));
    expect(calls).toEqual([]);
    expect(screen.getByRole('group', { name: 'Confirm deleting Laptop' }).textContent).toContain('can no longer be reached');
    await fireEvent.click(screen.getByRole('button', { name: 'Delete permanently' }));
    await waitFor(() => expect(onchange).toHaveBeenCalledWith([KEYS[0]]));
    expect(calls).toEqual([['keys_delete', { id: 'k2' }]]);
  });
  test('the key in use has no Use button; the others do', () => {
    recordIpc();
    render(OwnerKeys, { keys: KEYS, onchange: () => {}, onadd: () => {} });
    expect(screen.queryByRole('button', { name: 'Use key Main' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Use key Laptop' })).toBeTruthy();
  });
  test('a failing rename is shown, the list is not changed', async () => {
    mockIPC(() => {
      throw { code: 'keychain_denied', message: 'no' };
    });
    const onchange = vi.fn();
    render(OwnerKeys, { keys: KEYS, onchange, onadd: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: 'Rename key Main' }));
    await fireEvent.input(screen.getByLabelText('New label for Main'), { target: { value: 'Desk' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Access to the keychain was denied.');
    expect(onchange).not.toHaveBeenCalled();
  });
});

describe('Onboarding', () => {
  test('nothing is sent while the input is wrong', async () => {
    const calls = recordIpc();
    render(Onboarding, { hasKeys: false, ondone: vi.fn(), oncancel: vi.fn() });
    await fireEvent.click(screen.getByRole('tab', { name: 'From a private key' }));
    await fireEvent.input(screen.getByLabelText('Private key'), { target: { value: 'nope' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Import owner key' }));
    expect(screen.getByText(/only the characters 0–9 and a–f/)).toBeTruthy();
    expect(screen.getByLabelText('Private key').getAttribute('aria-invalid')).toBe('true');
    expect(calls).toEqual([]);
  });
  test('create sends the label and reports done; no Cancel on first launch', async () => {
    const calls = recordIpc(() => KEYS[0]);
    const ondone = vi.fn().mockResolvedValue(undefined);
    render(Onboarding, { hasKeys: false, ondone, oncancel: vi.fn() });
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    await fireEvent.input(screen.getByLabelText('Label'), { target: { value: ' Desk ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create owner key' }));
    await waitFor(() => expect(ondone).toHaveBeenCalledOnce());
    expect(calls).toEqual([['keys_create', { label: 'Desk' }]]);
  });
});

describe('QrCode', () => {
  test('an SVG image with its label and one path of modules', () => {
    render(QrCode, { code: qrPath(ADDRESS)!, label: 'QR code of the account address' });
    const img = screen.getByRole('img', { name: 'QR code of the account address' });
    expect(img.getAttribute('viewBox')).toBe('0 0 37 37');
    expect(img.querySelectorAll('path')).toHaveLength(1);
  });
});
