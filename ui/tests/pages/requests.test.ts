// A server's permission request in the app: opened from a pasted link, shown with who asks and
// their justification as text, adjusted within what it allows (a dropped permission, a lower
// limit, a shorter session; never more than asked), granted through the approval window and
// answered; declined; an answer that did not arrive sent again; a request that allows no
// change; a request that cannot be opened.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type AppPage, type Harness } from './harness';
import type { Scenario } from './fake-backend';
import { MAIN_KEY, button, expectText } from './fixtures';
import type { RequestView } from '../../src/lib/bindings/RequestView';

let harness: Harness;
let app: AppPage | null = null;
beforeAll(async () => (harness = await startHarness()));
afterAll(async () => harness?.close());
afterEach(() => {
  expect(app?.problems() ?? []).toEqual([]);
  app = null;
});

const SERVER_KEY = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const RECIPIENT = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

function requestView(over: Partial<RequestView> = {}): RequestView {
  return {
    requestId: '6f1c2a4e-9b7d-4c1e-8f3a-2d5b6c7e8f90',
    requesterName: 'Price feed',
    answerHost: '127.0.0.1:8787',
    answerTo: 'http://127.0.0.1:8787/answer',
    justification: 'Posts prices every minute. <b>urgent</b>\nNeeds 0.5 ETH a day.',
    chainId: 31337,
    chainName: 'Local devnet',
    onActiveChain: true,
    currency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    permissions: [
      { index: 0, kind: 'native-token-transfer', title: 'ETH spending limit', detail: 'up to 0.5 ETH in total', risks: [] },
      { index: 1, kind: 'contract-access', title: 'Call one contract', detail: `any function of ${RECIPIENT}`, risks: [] },
      { index: 2, kind: 'gas-limit', title: 'Network fee limit', detail: 'up to 0.01 ETH in fees', risks: [] },
    ],
    permissionsWire: [
      { type: 'native-token-transfer', data: { allowance: '0x6f05b59d3b20000' } },
      { type: 'contract-access', data: { address: RECIPIENT } },
      { type: 'gas-limit', data: { limit: '0x2386f26fc10000' } },
    ],
    risks: [],
    expirySecs: 7 * 86400,
    adjustable: true,
    serverKey: SERVER_KEY,
    validUntil: Math.floor(Date.now() / 1000) + 600,
    ...over,
  };
}

async function openRequest(scenario: Scenario, text = 'warden://request?d=eyJmb3JtYXQiOiJ3YXJkZW4ucmVxdWVzdC52MSJ9') {
  app = await harness.open({ keys: [MAIN_KEY], ...scenario }, { height: 1400 });
  const { page } = app;
  await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  await button(page, 'Sessions').click();
  await button(page, 'Open a request').click();
  const dialog = page.getByRole('dialog', { name: 'Open a permission request' });
  await dialog.waitFor();
  await dialog.getByLabel('Link or document').fill(text);
  await dialog.getByRole('button', { name: 'Open', exact: true }).click();
  return { app, page };
}

const calls = async (app: AppPage, cmd: string) => (await app.calls()).filter((c) => c.cmd === cmd).map((c) => c.args);

describe('permission requests', () => {
  test('who asks and why, as text; a lower limit, a dropped permission and a shorter session are what is granted, then the answer is sent', async () => {
    const { app, page } = await openRequest({ request: requestView() });
    const dialog = page.getByRole('dialog', { name: 'Session requested by Price feed' });
    await dialog.waitFor();
    expect(await calls(app, 'request_open')).toEqual([{ text: 'warden://request?d=eyJmb3JtYXQiOiJ3YXJkZW4ucmVxdWVzdC52MSJ9' }]);
    // Their words are shown as text: the markup is visible, not rendered.
    const words = dialog.getByTestId('justification');
    expect(await words.textContent()).toContain('<b>urgent</b>');
    expect(await words.locator('b').count()).toBe(0);
    await expectText(dialog, 'Their justification (their words, not checked by Warden)');
    await expectText(dialog.getByTestId('answer-to'), 'http://127.0.0.1:8787/answer');
    await expectText(dialog, `The server’s own key ${SERVER_KEY}`);
    await app.shot('request-review');

    // More than asked is refused on the field, and nothing is requested.
    const limit = dialog.getByLabel('Limit for “ETH spending limit” (ETH)');
    expect(await limit.inputValue()).toBe('0.5');
    await limit.fill('0.6');
    await expectText(dialog, 'At most what was asked: 0.5 ETH.');
    await dialog.getByRole('button', { name: 'Continue to approval' }).click();
    expect(await calls(app, 'request_grant')).toEqual([]);

    await limit.fill('0.25');
    await dialog.getByRole('checkbox', { name: 'Grant Network fee limit' }).uncheck();
    await dialog.getByLabel('Session lasts').selectOption({ label: '1 day' });
    await dialog.getByLabel('Label').fill('Feed (lowered)');
    await dialog.getByRole('button', { name: 'Continue to approval' }).click();
    await expectText(dialog.getByTestId('request-outcome'), 'Approved and sent.');
    await expectText(dialog.getByTestId('request-outcome'), '127.0.0.1:8787 received the answer (HTTP 200)');
    expect(await limit.isDisabled(), 'nothing can be changed once answered').toBe(true);
    expect(await calls(app, 'request_grant')).toEqual([
      {
        grant: {
          requestId: '6f1c2a4e-9b7d-4c1e-8f3a-2d5b6c7e8f90',
          label: 'Feed (lowered)',
          accountType: 'sma-b',
          permissions: [
            { type: 'native-token-transfer', data: { allowance: '0x3782dace9d90000' } },
            { type: 'contract-access', data: { address: RECIPIENT } },
          ],
          durationSecs: 86400,
        },
      },
    ]);
    await app.shot('request-answered');
  });

  test('declining sends a decline and signs nothing', async () => {
    const { app, page } = await openRequest({ request: requestView() });
    const dialog = page.getByRole('dialog', { name: 'Session requested by Price feed' });
    await dialog.getByRole('button', { name: 'Decline' }).click();
    await expectText(dialog.getByTestId('request-outcome'), 'Declined.');
    expect(await calls(app, 'request_decline')).toEqual([{ requestId: '6f1c2a4e-9b7d-4c1e-8f3a-2d5b6c7e8f90', reason: null }]);
    expect(await calls(app, 'request_grant')).toEqual([]);
  });

  test('an answer that did not arrive says why and is sent again', async () => {
    const { app, page } = await openRequest({ request: requestView(), requestDelivered: false });
    const dialog = page.getByRole('dialog', { name: 'Session requested by Price feed' });
    await dialog.getByRole('button', { name: 'Continue to approval' }).click();
    await expectText(dialog.getByTestId('request-outcome'), 'The answer did not reach 127.0.0.1:8787.');
    await expectText(dialog.getByTestId('request-outcome'), 'connection refused');
    await dialog.getByRole('button', { name: 'Copy answer' }).click();
    await expectText(dialog.getByTestId('manual-delivery'), 'The answer is on the clipboard.');
    await dialog.getByRole('button', { name: 'Save answer…' }).click();
    await expectText(dialog.getByTestId('manual-delivery'), 'Saved to /home/you/price-feed.warden-answer.json.');
    await app.shot('request-undelivered');
    await dialog.getByRole('button', { name: 'Send again' }).click();
    await expectText(dialog.getByTestId('request-outcome'), 'Approved and sent.');
    expect(await calls(app, 'request_deliver')).toEqual([{ requestId: '6f1c2a4e-9b7d-4c1e-8f3a-2d5b6c7e8f90' }]);
    expect(await calls(app, 'request_answer_copy')).toEqual([{ requestId: '6f1c2a4e-9b7d-4c1e-8f3a-2d5b6c7e8f90' }]);
  });

  test('a request that allows no change is granted as asked; a dangerous one needs the box ticked', async () => {
    const request = requestView({
      adjustable: false,
      serverKey: null,
      permissions: [{ index: 0, kind: 'root', title: 'Full control', detail: 'anything the owner can do', risks: [{ severity: 'danger', message: 'Full control of the account.', permissionIndex: 0 }] }],
      permissionsWire: [{ type: 'root' }],
      risks: [{ severity: 'danger', message: 'Full control of the account.', permissionIndex: 0 }],
    });
    const { app, page } = await openRequest({ request });
    const dialog = page.getByRole('dialog', { name: 'Session requested by Price feed' });
    await expectText(dialog, '(as asked: this request allows no changes)');
    await expectText(dialog, 'Warden creates one and sends it to the server encrypted to its age key');
    expect(await dialog.getByRole('checkbox', { name: 'Grant Full control' }).isDisabled()).toBe(true);
    expect(await dialog.getByLabel('Session lasts').isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Continue to approval' }).click();
    const ack = dialog.getByRole('checkbox', { name: /I understand this gives Price feed/ });
    await expect.poll(() => ack.getAttribute('aria-invalid')).toBe('true');
    expect(await calls(app, 'request_grant')).toEqual([]);
    await ack.check();
    await dialog.getByRole('button', { name: 'Continue to approval' }).click();
    await expectText(dialog.getByTestId('request-outcome'), 'Approved and sent.');
    expect((await calls(app, 'request_grant'))[0]).toMatchObject({ grant: { permissions: [{ type: 'root' }], durationSecs: 7 * 86400 } });
  });

  test('a rejected approval keeps the request open to ask again or decline', async () => {
    const { page } = await openRequest({ request: requestView(), requestOutcome: 'rejected' });
    const dialog = page.getByRole('dialog', { name: 'Session requested by Price feed' });
    await dialog.getByRole('button', { name: 'Continue to approval' }).click();
    await expectText(dialog, 'The approval was rejected; nothing was signed.');
    expect(await dialog.getByRole('button', { name: 'Decline' }).isEnabled()).toBe(true);
  });

  test('a request that cannot be opened says why and nothing else happens', async () => {
    const { app, page } = await openRequest({ request: requestView() }, 'warden://request?d=expired');
    const dialog = page.getByRole('dialog', { name: 'Open a permission request' });
    await expectText(dialog, 'expired at 1800000000');
    expect(await calls(app, 'request_grant')).toEqual([]);
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await page.getByRole('dialog').count()).toBe(0);
  });

  test('a link the app was opened with goes straight to the request, on the Sessions screen', async () => {
    app = await harness.open({ keys: [MAIN_KEY], request: requestView(), incoming: 'warden://request?d=eyJ9' }, { height: 1400 });
    const dialog = app.page.getByRole('dialog', { name: 'Session requested by Price feed' });
    await dialog.waitFor();
    expect(await calls(app, 'request_open')).toEqual([{ text: 'warden://request?d=eyJ9' }]);
    await expectText(app.page.locator('#sessions-title'), 'Sessions');
    await app.shot('request-handed-over');
  });

  test('a request file that cannot be read says why in the request dialog', async () => {
    app = await harness.open({
      keys: [MAIN_KEY],
      request: requestView(),
      incoming: { code: 'invalid_input', message: '/home/you/x.warden-request.json is larger than a request may be (16384 bytes)' },
    });
    const dialog = app.page.getByRole('dialog', { name: 'Open a permission request' });
    await dialog.waitFor();
    await expectText(dialog, 'is larger than a request may be');
    expect(await calls(app, 'request_open')).toEqual([]);
  });
});

