// The activity screen: entries newest first, filters by kind and session (sent to
// activity_list), and the integrity banner: intact, or broken at entry N with the problem,
// and how far the log was checked against its record in the keychain.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type AppPage, type Harness } from './harness';
import type { Scenario } from './fake-backend';
import type { ActivityEntry } from '../../src/lib/bindings/ActivityEntry';
import { MAIN_KEY, alerts, button, expectText, now, session } from './fixtures';

let harness: Harness;
let app: AppPage | null = null;
beforeAll(async () => (harness = await startHarness()));
afterAll(async () => harness?.close());
afterEach(() => {
  expect(app?.problems() ?? []).toEqual([]);
  app = null;
});

const BOT = session({ id: 's1', label: 'Trading bot' });
const KIOSK = session({ id: 's2', label: 'Kiosk', status: 'waiting' });
const t0 = now() - 7200;
const entry = (seq: number, kind: ActivityEntry['kind'], summary: string, sessionId: string | null): ActivityEntry => ({
  seq,
  at: t0 + seq * 60,
  kind,
  summary,
  sessionId,
  hash: `0x${String(seq).repeat(64).slice(0, 64)}`,
});
const ENTRIES: ActivityEntry[] = [
  entry(1, 'account_created', 'Smart account 0x5a9F…2266 on chain 31337', null),
  entry(2, 'grant_requested', 'Session “Trading bot”: 3 permissions, 1 day', BOT.sessionId),
  entry(3, 'approved', 'Session “Trading bot” approved and signed', BOT.sessionId),
  entry(4, 'exported', 'Session “Trading bot” exported as keystore to a file', BOT.sessionId),
  entry(5, 'grant_requested', 'Session “Kiosk”: 1 permission', KIOSK.sessionId),
  entry(6, 'rejected', 'Session “Kiosk” rejected', KIOSK.sessionId),
  entry(7, 'test_call', 'Test call with “Trading bot”: 0.01 ETH to 0xC02a…6Cc2, confirmed', BOT.sessionId),
];

const AGREES = { keychainCheck: 'agrees', keychainNote: "The keychain's record of the newest entry (7) matches." } as const;

async function openActivity(scenario: Scenario) {
  app = await harness.open({ keys: [MAIN_KEY], sessions: [BOT, KIOSK], ...scenario });
  await app.page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  await button(app.page, 'Activity').click();
  await app.page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
  return app;
}

describe('activity', () => {
  test('intact: the banner says so, entries newest first with kind, summary and session', async () => {
    const app = await openActivity({ activity: { entries: ENTRIES, intact: true, brokenAt: null, problem: null, ...AGREES } });
    const { page } = app;
    await expectText(page.getByTestId('integrity'), 'The log is intact.');
    await expectText(page.getByTestId('integrity'), 'the newest matches the record in your keychain');
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(7);
    expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-seq')))).toEqual(['7', '6', '5', '4', '3', '2', '1']);
    expect(await rows.first().locator('td').allTextContents()).toEqual([
      '7',
      expect.stringMatching(/\d{4}, \d\d:\d\d$/),
      'Test call',
      'Test call with “Trading bot”: 0.01 ETH to 0xC02a…6Cc2, confirmed',
      'Trading bot',
    ]);
    expect(await rows.last().locator('td').last().textContent()).toBe('—');
    expect(await alerts(page).count()).toBe(0);
    await app.shot('activity-intact');
  });

  test('filters by kind and by session ask activity_list again', async () => {
    const app = await openActivity({ activity: { entries: ENTRIES, intact: true, brokenAt: null, problem: null, ...AGREES } });
    const { page } = app;
    await page.locator('tbody tr').first().waitFor();
    await page.getByLabel('Kind', { exact: true }).selectOption('grant_requested');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    await page.getByLabel('Session', { exact: true }).selectOption({ label: 'Kiosk' });
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await expectText(page.locator('tbody tr'), 'Session “Kiosk”: 1 permission');
    await page.getByLabel('Kind', { exact: true }).selectOption('approved');
    await expectText(page.locator('main'), 'No entries match these filters.');
    expect((await app.calls()).filter((c) => c.cmd === 'activity_list').map((c) => c.args)).toEqual([
      { kind: null, sessionId: null },
      { kind: 'grant_requested', sessionId: null },
      { kind: 'grant_requested', sessionId: KIOSK.sessionId },
      { kind: 'approved', sessionId: KIOSK.sessionId },
    ]);
    await app.shot('activity-filtered');
  });

  test('broken: the banner names the entry and the problem; entries from there on are marked', async () => {
    const app = await openActivity({
      activity: {
        entries: ENTRIES,
        intact: false,
        brokenAt: 4,
        problem: 'Entry 4 does not carry the hash of entry 3: it was edited, or an entry before it was removed.',
        ...AGREES,
      },
    });
    const { page } = app;
    await expectText(alerts(page), 'The log was changed outside Warden: the chain breaks at entry 4.');
    await expectText(alerts(page), 'Entry 4 does not carry the hash of entry 3');
    await expect.poll(() => page.locator('tr.untrusted').count()).toBe(4);
    await expectText(page.locator('tr.break'), 'chain breaks here');
    await app.shot('activity-broken');
  });

  test('deleted with its anchor file: the keychain record tells, and no entry is said to be missing by accident', async () => {
    const app = await openActivity({
      activity: {
        entries: [],
        intact: false,
        brokenAt: 1,
        problem: 'the activity log and its anchor file are gone, but the keychain records entry 7 (the log was deleted)',
        keychainCheck: 'disagrees',
        keychainNote: 'The keychain records entry 7, which this log does not have as it was written.',
      },
    });
    const { page } = app;
    await expectText(alerts(page), 'The log was changed outside Warden: the chain breaks at entry 1.');
    await expectText(alerts(page), 'the keychain records entry 7 (the log was deleted)');
    await expectText(page.locator('main'), 'No entry can be read.');
    expect(await page.locator('main').textContent()).not.toContain('Nothing has happened yet.');
    await app.shot('activity-deleted');
  });

  test('keychain unreadable: the files are intact, but the log is not called intact', async () => {
    const app = await openActivity({
      activity: {
        entries: ENTRIES,
        intact: true,
        brokenAt: null,
        problem: null,
        keychainCheck: 'unavailable',
        keychainNote: 'The keychain check could not be done: the keychain is locked: unlock it (for example the login keyring) and try again',
      },
    });
    const { page } = app;
    const banner = page.getByTestId('integrity');
    await expectText(banner, "The log's files are intact, but the keychain check could not be done.");
    await expectText(page.getByTestId('keychain-note'), 'the keychain is locked');
    expect(await banner.textContent()).not.toContain('The log is intact.');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(7);
    await app.shot('activity-keychain-unchecked');
  });

  test('a log from an earlier Warden is intact and says it is anchored with the next entry', async () => {
    const app = await openActivity({
      activity: {
        entries: ENTRIES,
        intact: true,
        brokenAt: null,
        problem: null,
        keychainCheck: 'not_anchored',
        keychainNote: 'The keychain holds no record of this log yet (a new log, or one from an earlier Warden); it is added with the next entry.',
      },
    });
    await expectText(app.page.getByTestId('integrity'), 'The log is intact.');
    await expectText(app.page.getByTestId('keychain-note'), 'it is added with the next entry');
  });

  test('a log that cannot be read is explained', async () => {
    const app = await openActivity({ failures: { activity_list: [{ code: 'internal', message: 'activity.jsonl: permission denied' }] } });
    await expectText(alerts(app.page), 'Something went wrong inside Warden.');
    await button(app.page, 'Refresh').click();
    await expectText(app.page.locator('main'), 'Nothing has happened yet.');
  });
});
