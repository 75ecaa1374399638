// The sessions dashboard: statuses, expiry countdown, usage bars with their source, test call
// (only when Warden holds the key), revoke with progress, forget with confirmation, the empty
// state, and reloading on `sessions-changed`.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type AppPage, type Harness } from './harness';
import type { Scenario } from './fake-backend';
import { MAIN_KEY, USAGE, WETH, alerts, button, expectText, expectVisibleText, now, session } from './fixtures';

let harness: Harness;
let app: AppPage | null = null;
beforeAll(async () => (harness = await startHarness()));
afterAll(async () => harness?.close());
afterEach(() => {
  expect(app?.problems() ?? []).toEqual([]);
  app = null;
});

const BOT = session({ id: 's1', label: 'Trading bot', createdAt: now() - 600 });
const KIOSK = session({ id: 's2', label: 'Kiosk', status: 'waiting', keyHeldByWarden: false, expirySec: null, createdAt: now() - 1200 });
const OLD = session({ id: 's3', label: 'Old script', status: 'expired', expirySec: now() - 86400, createdAt: now() - 9 * 86400 });
const GONE = session({ id: 's4', label: 'Revoked helper', status: 'revoked', createdAt: now() - 20 * 86400 });

async function openSessions(scenario: Scenario = {}) {
  app = await harness.open({ keys: [MAIN_KEY], sessions: [BOT, KIOSK, OLD, GONE], usage: { s1: USAGE }, ...scenario });
  await app.page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  await button(app.page, 'Sessions').click();
  await app.page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
  return app;
}
const card = (app: AppPage, label: string) => app.page.getByRole('article', { name: label, exact: true });

describe('dashboard', () => {
  test('status badges, countdown, usage with source, and which actions each session offers', async () => {
    const app = await openSessions();
    const { page } = app;
    await expect.poll(() => page.getByRole('article').count()).toBe(4);
    expect(await page.getByRole('article').evaluateAll((a) => a.map((x) => x.querySelector('h2')?.textContent))).toEqual([
      'Trading bot',
      'Kiosk',
      'Old script',
      'Revoked helper',
    ]);
    const bot = card(app, 'Trading bot');
    await expectText(bot.getByTestId('status'), 'Active');
    await expectText(card(app, 'Kiosk').getByTestId('status'), 'Waiting for first use');
    await expectText(card(app, 'Old script').getByTestId('status'), 'Expired');
    await expectText(card(app, 'Revoked helper').getByTestId('status'), 'Revoked');

    await expectText(bot.getByTestId('expiry'), 'Expires in 1 day 3 h');
    await expectText(card(app, 'Kiosk').getByTestId('expiry'), 'Never expires');
    await expectText(card(app, 'Old script').getByTestId('expiry'), 'Expired on');
    await expectText(card(app, 'Revoked helper').getByTestId('expiry'), 'No longer usable.');
    await expectText(card(app, 'Kiosk'), 'held by the server');

    const usage = bot.getByRole('list', { name: 'Usage of Trading bot' });
    const bars = usage.locator('progress');
    await expect.poll(() => bars.count()).toBe(2);
    expect(await bars.evaluateAll((b) => b.map((x) => (x as HTMLProgressElement).value))).toEqual([300, 950]);
    expect(await bars.first().getAttribute('aria-label')).toBe('ETH: 0.15 ETH of 0.5 ETH used');
    await expectText(usage, 'devnet count');
    await expectText(usage, 'observed');
    await expectText(usage, 'Only calls Warden sent');
    expect(await bars.nth(1).getAttribute('class')).toContain('high');

    // Test call only where Warden holds the key and the session is live; revoke only when live.
    expect(await bot.getByRole('button', { name: 'Send test call' }).count()).toBe(1);
    expect(await card(app, 'Kiosk').getByRole('button', { name: 'Send test call' }).count()).toBe(0);
    expect(await card(app, 'Kiosk').getByRole('button', { name: 'Revoke' }).count()).toBe(1);
    expect(await card(app, 'Old script').getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect(await card(app, 'Revoked helper').getByRole('button', { name: 'Send test call' }).count()).toBe(0);
    for (const label of ['Trading bot', 'Kiosk', 'Old script', 'Revoked helper']) {
      expect(await card(app, label).getByRole('button', { name: 'Forget' }).count()).toBe(1);
      expect(await card(app, label).getByRole('button', { name: 'Export' }).count()).toBe(1);
    }
    await app.shot('sessions-dashboard');
  });

  test('the countdown counts down', async () => {
    const app = await openSessions({ sessions: [session({ id: 's9', label: 'Short', expirySec: now() + 125 })] });
    const expiry = card(app, 'Short').getByTestId('expiry');
    await expectText(expiry, 'Expires in 2 min');
    const first = await expiry.textContent();
    await expect.poll(() => expiry.textContent(), { timeout: 3000 }).not.toBe(first);
  });

  test('no sessions: says what a session is and offers to create one', async () => {
    const app = await openSessions({ sessions: [] });
    await expectText(app.page.locator('main'), 'No sessions yet');
    await app.shot('sessions-empty');
    await button(app.page, 'Create the first session').click();
    await app.page.getByRole('heading', { name: 'New session', level: 1 }).waitFor();
  });

  test('sessions-changed reloads the list', async () => {
    const app = await openSessions({ sessions: [] });
    await expectText(app.page.locator('main'), 'No sessions yet');
    await app.page.evaluate(() => {
      window.__WARDEN_SCENARIO__!.sessions = [];
    });
    const before = (await app.calls()).filter((c) => c.cmd === 'sessions_list').length;
    await app.page.evaluate(() => window.__WARDEN_FAKE__.emit('sessions-changed', null));
    await expect.poll(async () => (await app.calls()).filter((c) => c.cmd === 'sessions_list').length).toBe(before + 1);
  });

  test('records that did not load are listed apart with the reason; the others show', async () => {
    const app = await openSessions({
      quarantined: [
        { label: 'Nightly job', reason: 'session #2: expirySec: differs from the credentials document', quarantinedAt: now() - 60, keptIn: '/home/u/.local/share/warden/sessions.quarantine.json' },
      ],
    });
    await card(app, 'Trading bot').waitFor();
    const note = app.page.getByTestId('quarantined');
    await expectText(note, 'One session record could not be read');
    await expectText(note, '“Nightly job”: session #2: expirySec: differs from the credentials document');
    await expectText(note, 'sessions.quarantine.json');
    await app.shot('sessions-quarantined');
  });

  test('a list set aside as damaged: nothing starts over it until Start a new list is pressed', async () => {
    const refusal = {
      code: 'store_corrupt' as const,
      message:
        '/d/sessions.json: the sessions file was damaged and set aside as /d/sessions.json.corrupt-1; Warden does not start a new list over it without asking: start a new list (the Sessions screen offers it), or repair that file and move it back',
    };
    const app = await openSessions({ failures: { sessions_list: [refusal, refusal] } });
    await expectText(alerts(app.page), 'A Warden data file is damaged or from a newer version.');
    const offer = app.page.getByTestId('set-aside');
    await expectText(offer, 'does not delete it');
    expect((await app.calls()).filter((c) => c.cmd === 'sessions_start_new_list')).toEqual([]);
    await button(app.page, 'Try again').click();
    await expectText(offer, 'does not delete it');
    await app.shot('sessions-set-aside');
    await button(app.page, 'Start a new list').click();
    await expectText(app.page.locator('main'), 'Grant a server a session key');
    expect(await offer.count()).toBe(0);
    expect((await app.calls()).filter((c) => c.cmd === 'sessions_start_new_list').length).toBe(1);
  });

  test('a list that cannot be read is explained, and Try again recovers', async () => {
    const app = await openSessions({ failures: { sessions_list: [{ code: 'internal', message: 'sessions.json: bad json' }] } });
    await expectText(alerts(app.page), 'Something went wrong inside Warden.');
    await button(app.page, 'Try again').click();
    await card(app, 'Trading bot').waitFor();
  });
});

describe('actions', () => {
  test('send test call: checks its fields, then shows progress and the result', async () => {
    const app = await openSessions({ stepDelay: 10, holdAt: 'signing' });
    const bot = card(app, 'Trading bot');
    await bot.getByRole('button', { name: 'Send test call' }).click();
    const form = app.page.getByRole('form', { name: 'Test call with Trading bot' });
    await form.getByRole('button', { name: 'Send', exact: true }).click();
    await expectText(form, 'Enter the address to call.');
    await form.getByLabel('Call target', { exact: true }).fill(WETH);
    await form.getByLabel('Value', { exact: true }).fill('0.01');
    await form.getByLabel('Call data', { exact: true }).fill('0xabc');
    await form.getByRole('button', { name: 'Send', exact: true }).click();
    await expectText(form, 'Call data is whole bytes');
    await form.getByLabel('Call data', { exact: true }).fill('0x');
    await form.getByRole('button', { name: 'Send', exact: true }).click();
    await form.getByRole('list', { name: 'Test call progress' }).waitFor();
    await expectVisibleText(app.page, 'Signing with the session key');
    await app.shot('sessions-test-call-progress');
    await app.page.evaluate(() => (globalThis as { __wardenReleaseStep?: () => void }).__wardenReleaseStep?.());
    await expectText(form.getByTestId('test-call-result'), 'The test call went through. Call status: confirmed (200)');
    expect((await app.calls()).filter((c) => c.cmd === 'session_test_call').map((c) => c.args)).toEqual([
      { id: 's1', to: WETH, value: '10000000000000000', data: '0x' },
    ]);
    await app.shot('sessions-test-call');
  });

  test('a test call on a BNB Smart Chain session takes its value in BNB', async () => {
    const BNB_BOT = session({
      id: 's9',
      label: 'BNB bot',
      chainId: 56,
      currency: { name: 'BNB', symbol: 'BNB', decimals: 18 },
      permissions: [{ index: 0, kind: 'native-token-transfer', title: 'Send BNB', detail: 'up to 0.5 BNB in total', risks: [] }],
    });
    const app = await openSessions({ sessions: [BNB_BOT], usage: {}, stepDelay: 10 });
    const bot = card(app, 'BNB bot');
    await expectText(bot, 'up to 0.5 BNB in total');
    await bot.getByRole('button', { name: 'Send test call' }).click();
    const form = app.page.getByRole('form', { name: 'Test call with BNB bot' });
    const unit = form.getByRole('combobox', { name: 'Unit' });
    expect(await unit.inputValue()).toBe('BNB');
    expect(await unit.locator('option').allTextContents()).toEqual(['BNB', 'gwei', 'wei']);
    await form.getByLabel('Call target', { exact: true }).fill(WETH);
    await form.getByLabel('Value', { exact: true }).fill('0.25');
    await expectText(form.getByTestId(/-conversion$/), '= 250,000,000 gwei = 250,000,000,000,000,000 wei');
    await form.getByRole('button', { name: 'Send', exact: true }).click();
    await expectText(form.getByTestId('test-call-result'), 'The test call went through.');
    expect((await app.calls()).filter((c) => c.cmd === 'session_test_call').map((c) => c.args)).toEqual([
      { id: 's9', to: WETH, value: '250000000000000000', data: '0x' },
    ]);
  });

  test('revoke asks first, then shows progress and the result; the session shows revoked', async () => {
    const app = await openSessions({ stepDelay: 10, holdAt: 'signing' });
    const bot = card(app, 'Trading bot');
    await bot.getByRole('button', { name: 'Revoke' }).click();
    const confirm = app.page.getByRole('group', { name: 'Confirm revoking Trading bot' });
    await expectText(confirm, 'the server can no longer use it');
    await app.shot('sessions-revoke-confirm');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    expect((await app.calls()).map((c) => c.cmd)).not.toContain('session_revoke');

    await bot.getByRole('button', { name: 'Revoke' }).click();
    await confirm.getByRole('button', { name: 'Revoke session' }).click();
    await confirm.getByRole('list', { name: 'Revocation progress' }).waitFor();
    await expectVisibleText(app.page, 'Signing with your owner key');
    await app.page.evaluate(() => (globalThis as { __wardenReleaseStep?: () => void }).__wardenReleaseStep?.());
    await expectText(bot.getByTestId('revoke-result'), 'Session revoked.');
    await expectText(bot.getByTestId('status'), 'Revoked');
    expect(await confirm.locator('li.done').count()).toBe(6);
    await app.shot('sessions-revoked');
  });

  test('a revocation that fails on chain says so and the session stays active', async () => {
    const app = await openSessions({ stepDelay: 10, revokeStatus: { status: 500, statusText: 'reverted' } });
    const bot = card(app, 'Trading bot');
    await bot.getByRole('button', { name: 'Revoke' }).click();
    await bot.getByRole('button', { name: 'Revoke session' }).click();
    await expectText(bot.getByTestId('revoke-result'), 'The revocation did not go through. Call status: reverted (500)');
    expect((await bot.locator('li.failed').textContent())?.trim()).toBe('Failed');
    await expectText(bot.getByTestId('status'), 'Active');
  });

  test('forget asks first, says it does not revoke, and removes only that session', async () => {
    const app = await openSessions();
    const bot = card(app, 'Trading bot');
    await bot.getByRole('button', { name: 'Forget' }).click();
    const confirm = app.page.getByRole('group', { name: 'Confirm forgetting Trading bot' });
    await expectText(confirm, 'This does not revoke it');
    await app.shot('sessions-forget-confirm');
    await confirm.getByRole('button', { name: 'Forget session' }).click();
    await expect.poll(() => app.page.getByRole('article').count()).toBe(3);
    expect((await app.calls()).filter((c) => c.cmd === 'session_forget').map((c) => c.args)).toEqual([{ id: 's1' }]);
  });

  test('a cancel in the native dialogs leaves the session as it was, with no error', async () => {
    const cancelled = (title: string) => [{ code: 'not_confirmed' as const, message: `not confirmed: “${title}” was cancelled` }];
    const app = await openSessions({
      stepDelay: 10,
      failures: { session_revoke: cancelled('Revoke session?'), session_forget: cancelled('Forget session?') },
    });
    const bot = card(app, 'Trading bot');
    await bot.getByRole('button', { name: 'Revoke' }).click();
    await bot.getByRole('button', { name: 'Revoke session' }).click();
    await expect.poll(async () => (await app.calls()).filter((c) => c.cmd === 'session_revoke').length).toBe(1);
    await bot.getByRole('button', { name: 'Revoke session' }).waitFor();
    expect(await bot.getByTestId('revoke-result').count()).toBe(0);
    expect(await alerts(app.page).count()).toBe(0);
    await expectText(bot.getByTestId('status'), 'Active');

    await bot.getByRole('button', { name: 'Forget' }).click();
    await bot.getByRole('button', { name: 'Forget session' }).click();
    await expect.poll(async () => (await app.calls()).filter((c) => c.cmd === 'session_forget').length).toBe(1);
    expect(await alerts(app.page).count()).toBe(0);
    expect(await app.page.getByRole('article').count()).toBe(4);
  });

  test('a failed forget keeps the session and says why', async () => {
    const app = await openSessions({ failures: { session_forget: [{ code: 'session_unknown', message: 'no session s1' }] } });
    const bot = card(app, 'Trading bot');
    await bot.getByRole('button', { name: 'Forget' }).click();
    await bot.getByRole('button', { name: 'Forget session' }).click();
    await expectText(alerts(app.page), 'Warden does not know that session.');
    expect(await app.page.getByRole('article').count()).toBe(4);
  });
});

test('a narrow window keeps the dashboard inside it', async () => {
  app = await harness.open({ keys: [MAIN_KEY], sessions: [BOT, KIOSK], usage: { s1: USAGE } }, { width: 420, height: 900 });
  await app.page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  await button(app.page, 'Sessions').click();
  await card(app, 'Trading bot').locator('progress').first().waitFor();
  expect(await app.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
  await app.shot('sessions-narrow');
});
