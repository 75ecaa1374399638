import { afterEach, describe, expect, test } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import * as ipc from '../../src/lib/ipc';
import { describeError, errorText } from '../../src/lib/errors';
import type { Progress } from '../../src/lib/bindings/Progress';

afterEach(() => clearMocks());

function record() {
  const calls: [string, unknown][] = [];
  mockIPC((cmd, args) => {
    calls.push([cmd, args]);
    return null;
  });
  return calls;
}

describe('command wrappers', () => {
  test('send the contract command names with camelCase arguments', async () => {
    const calls = record();
    await ipc.appInfo();
    await ipc.keychainStatus();
    await ipc.keysList();
    await ipc.keysCreate('Main');
    await ipc.keysImportHex('Hex', '0xabc');
    await ipc.keysImportMnemonic('Words', 'a b c', "m/44'/60'/0'/0/0");
    await ipc.keysSelect('k1');
    await ipc.keysRename('k1', 'New');
    await ipc.keysDelete('k1');
    await ipc.backendStatus();
    await ipc.chainsList();
    await ipc.backendUseAlchemy(null, 8453, null);
    await ipc.backendUseDevnet();
    await ipc.backendCheck('7702');
    await ipc.accountGet('7702');
    await ipc.accountBalance('0x1');
    await ipc.accountDelegate();
    await ipc.devnetFund('0x2');
    expect(calls).toEqual([
      ['app_info', {}],
      ['keychain_status', {}],
      ['keys_list', {}],
      ['keys_create', { label: 'Main' }],
      ['keys_import_hex', { label: 'Hex', privateKey: '0xabc' }],
      ['keys_import_mnemonic', { label: 'Words', phrase: 'a b c', path: "m/44'/60'/0'/0/0" }],
      ['keys_select', { id: 'k1' }],
      ['keys_rename', { id: 'k1', label: 'New' }],
      ['keys_delete', { id: 'k1' }],
      ['backend_status', {}],
      ['chains_list', {}],
      ['backend_use_alchemy', { apiKey: null, chainId: 8453, policyId: null }],
      ['backend_use_devnet', {}],
      ['backend_check', { accountType: '7702' }],
      ['account_get', { accountType: '7702' }],
      ['account_balance', { address: '0x1' }],
      ['account_delegate', {}],
      ['devnet_fund', { address: '0x2' }],
    ]);
  });

  test('resolve with what the command returned', async () => {
    mockIPC(() => ({ wei: '1', formatted: '0.000000000000000001 ETH' }));
    expect(await ipc.accountBalance('0x1')).toEqual({ wei: '1', formatted: '0.000000000000000001 ETH' });
  });
});

describe('errors', () => {
  test('an AppError keeps its code and message, and names the command', async () => {
    mockIPC(() => {
      throw { code: 'keychain_locked', message: 'collection is locked' };
    });
    const error = await ipc.keysList().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ipc.IpcError);
    expect(error).toMatchObject({ code: 'keychain_locked', message: 'collection is locked', command: 'keys_list' });
  });

  test('unknown codes and bare strings become internal, keeping the text', async () => {
    mockIPC(() => {
      throw { code: 'brand_new_code', message: 'something new' };
    });
    expect(await ipc.keysList().catch((e: unknown) => ipc.toAppError(e))).toEqual({ code: 'internal', message: 'something new' });
    mockIPC(() => {
      throw 'command keys_list not found';
    });
    expect(await ipc.keysList().catch((e: unknown) => ipc.toAppError(e))).toEqual({
      code: 'internal',
      message: 'command keys_list not found',
    });
    expect(ipc.toAppError(undefined)).toEqual({ code: 'internal', message: 'The app gave no reason.' });
  });

  test('every contract code has plain words, and says what to do', () => {
    for (const code of ipc.ERROR_CODES) {
      const text = errorText(code);
      expect(text.summary, code).toMatch(/^[A-Z].*\.$/);
      expect(text.action, code).toMatch(/^[A-Z].*\.$/);
      expect(text.summary, code).not.toContain('_');
    }
    expect(new Set(ipc.ERROR_CODES.map((c) => errorText(c).summary)).size).toBe(ipc.ERROR_CODES.length);
  });

  test('each session refusal has its own words, not "the network refused"', () => {
    const refusals = ['permission_denied', 'session_expired', 'session_revoked', 'unknown_session'] as const;
    const network = errorText('rpc_error').summary;
    for (const code of refusals) {
      expect(ipc.ERROR_CODES).toContain(code);
      expect(ipc.toAppError({ code, message: 'AA23 reverted' }).code).toBe(code);
      expect(errorText(code).summary, code).not.toBe(network);
    }
    expect(errorText('permission_denied').summary).toMatch(/session's permissions do not allow/);
    expect(errorText('session_expired').summary).toMatch(/expired/);
    expect(errorText('session_revoked').summary).toMatch(/revoked/);
    // A send whose fate is unknown warns against sending twice.
    expect(errorText('outcome_unknown').action).toMatch(/not sent twice/);
  });

  test('describeError joins the words with the detail', () => {
    expect(describeError({ code: 'rate_limited', message: 'HTTP 429' })).toEqual({
      code: 'rate_limited',
      message: 'HTTP 429',
      summary: 'The endpoint is limiting how many requests you can make.',
      action: 'Wait a minute, then try again.',
    });
  });
});

test('onProgress hands over the payload and stops when asked', async () => {
  mockIPC(() => null, { shouldMockEvents: true });
  const seen: Progress[] = [];
  const stop = await ipc.onProgress((p) => seen.push(p));
  await emit('progress', { op: 'delegate', step: 'signing', message: 'Signing' });
  stop();
  await emit('progress', { op: 'delegate', step: 'done', message: 'Done' });
  expect(seen).toEqual([{ op: 'delegate', step: 'signing', message: 'Signing' }]);
});

describe('grant, session, request and activity wrappers and events', () => {
  test('send the contract command names with camelCase arguments', async () => {
    const calls = record();
    const request = { label: 'Bot', accountType: 'sma-b' as const, key: { kind: 'generate' as const }, expirySec: null, permissions: [{ type: 'root' as const }], tokenDecimals: {} };
    await ipc.permissionsCheck([{ type: 'root' }], 123);
    await ipc.tokenInfo('0xt');
    await ipc.selectorOf('transfer(address,uint256)');
    await ipc.grantStart(request);
    await ipc.sessionsList();
    await ipc.sessionUsage('s1');
    await ipc.sessionTestCall('s1', '0xto', '10', '0x');
    await ipc.sessionRevoke('s1');
    await ipc.sessionForget('s1');
    await ipc.sessionExportPreview('s1');
    await ipc.sessionExport('s1', { kind: 'keystore', passphrase: 'pw' }, { kind: 'post', url: 'https://x', bearer: null });
    await ipc.activityList(null, 'sid');
    await ipc.approvalPending();
    await ipc.approvalApprove('a1');
    await ipc.approvalReject('a1');
    expect(calls).toEqual([
      ['permissions_check', { permissions: [{ type: 'root' }], expirySec: 123 }],
      ['token_info', { address: '0xt' }],
      ['selector_of', { signature: 'transfer(address,uint256)' }],
      ['grant_start', { request }],
      ['sessions_list', {}],
      ['session_usage', { id: 's1' }],
      ['session_test_call', { id: 's1', to: '0xto', value: '10', data: '0x' }],
      ['session_revoke', { id: 's1' }],
      ['session_forget', { id: 's1' }],
      ['session_export_preview', { id: 's1' }],
      ['session_export', { id: 's1', secret: { kind: 'keystore', passphrase: 'pw' }, destination: { kind: 'post', url: 'https://x', bearer: null } }],
      ['activity_list', { kind: null, sessionId: 'sid' }],
      ['approval_pending', {}],
      ['approval_approve', { approvalId: 'a1' }],
      ['approval_reject', { approvalId: 'a1' }],
    ]);
  });

  test('the new error codes keep their code', async () => {
    mockIPC(() => {
      throw { code: 'approval_used', message: 'already answered' };
    });
    expect(await ipc.approvalApprove('a').catch((e: unknown) => ipc.toAppError(e))).toEqual({ code: 'approval_used', message: 'already answered' });
  });

  test('sessions-changed and approval-finished reach their handlers', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    let changed = 0;
    const finished: unknown[] = [];
    const stopChanged = await ipc.onSessionsChanged(() => (changed += 1));
    const stopFinished = await ipc.onApprovalFinished((f) => finished.push(f));
    await emit('sessions-changed', null);
    await emit('approval-finished', { approvalId: 'a1', outcome: 'rejected' });
    stopChanged();
    stopFinished();
    await emit('sessions-changed', null);
    expect(changed).toBe(1);
    expect(finished).toEqual([{ approvalId: 'a1', outcome: 'rejected' }]);
  });
});
