// Start-up routing: which first screen each keychain/keys situation leads to.
import { afterEach, describe, expect, test } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { app, start } from '../../src/lib/app.svelte';
import { back, go, router } from '../../src/lib/router.svelte';

afterEach(() => {
  clearMocks();
  router.view = 'starting';
});

const DEVNET = { kind: 'devnet', chainId: 31337, chainName: 'Local', endpointHost: '127.0.0.1:1', nodeHost: '127.0.0.1:41235', policyId: null, hasApiKey: false };
const KEY = { id: 'k1', address: '0x1', label: 'Main', selected: true };

function backendWith(answers: Record<string, unknown>) {
  const sent: string[] = [];
  mockIPC((cmd) => {
    sent.push(cmd);
    const answer = answers[cmd];
    if (answer instanceof Error) throw { code: answer.name, message: answer.message };
    return answer;
  });
  return sent;
}
const err = (code: string, message: string) => Object.assign(new Error(message), { name: code });

describe('start', () => {
  test('keys present → account, banner backend set', async () => {
    backendWith({ app_info: { version: '1', backend: DEVNET }, keychain_status: { state: 'ok', message: '' }, keys_list: [KEY] });
    await start();
    expect(router.view).toBe('account');
    expect(app.backend).toEqual(DEVNET);
    expect(app.keys).toEqual([KEY]);
  });
  test('no keys → onboarding', async () => {
    backendWith({ app_info: { version: '1', backend: DEVNET }, keychain_status: { state: 'ok', message: '' }, keys_list: [] });
    await start();
    expect(router.view).toBe('onboarding');
  });
  test('locked keychain → keychain screen, keys never listed', async () => {
    const sent = backendWith({ app_info: { version: '1', backend: DEVNET }, keychain_status: { state: 'locked', message: 'x' } });
    await start();
    expect(router.view).toBe('keychain');
    expect(app.keychain?.state).toBe('locked');
    expect(sent).not.toContain('keys_list');
  });
  test('keys_list denied → keychain screen in the denied state', async () => {
    backendWith({
      app_info: { version: '1', backend: DEVNET },
      keychain_status: { state: 'ok', message: '' },
      keys_list: err('keychain_denied', 'prompt dismissed'),
    });
    await start();
    expect(router.view).toBe('keychain');
    expect(app.keychain).toEqual({ state: 'denied', message: 'prompt dismissed' });
  });
  test('app_info failing still reaches the keys; the error is kept', async () => {
    backendWith({ app_info: err('internal', 'boom'), keychain_status: { state: 'ok', message: '' }, keys_list: [KEY] });
    await start();
    expect(router.view).toBe('account');
    expect(app.startupError).toEqual({ code: 'internal', message: 'boom' });
  });
});

describe('router', () => {
  test('settings and onboarding return to where they were opened from', () => {
    router.view = 'account';
    go('settings');
    expect(router.view).toBe('settings');
    back();
    expect(router.view).toBe('account');
    go('onboarding');
    go('settings');
    back();
    expect(router.view).toBe('onboarding');
    back();
    expect(router.view).toBe('account');
  });
  test('start-up routes reset the way back', () => {
    router.view = 'account';
    go('settings');
    go('keychain');
    go('account');
    back();
    expect(router.view).toBe('account');
  });
});
