// The export dialog: secret choices (none / plaintext after confirmation / keystore with the
// passphrase twice / age recipient), destinations (file / clipboard / server with the
// loopback-only http rule), the server's answer, and the QR code of the secret-less document
// read back by a real QR reader.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { SHOTS, startHarness, type AppPage, type Harness } from './harness';
import type { Scenario } from './fake-backend';
import { AGE_RECIPIENT, MAIN_KEY, alerts, button, expectText, session } from './fixtures';
import type { SecretChoice } from '../../src/lib/bindings/SecretChoice';

let harness: Harness;
let app: AppPage | null = null;
beforeAll(async () => (harness = await startHarness()));
afterAll(async () => harness?.close());
afterEach(() => {
  expect(app?.problems() ?? []).toEqual([]);
  app = null;
});

const BOT = session({ id: 's1', label: 'Trading bot' });
const KIOSK = session({ id: 's2', label: 'Kiosk', keyHeldByWarden: false });

async function openExport(label = 'Trading bot', scenario: Scenario = {}) {
  app = await harness.open({ keys: [MAIN_KEY], sessions: [BOT, KIOSK], ...scenario }, { height: 1100 });
  const { page } = app;
  await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  await button(page, 'Sessions').click();
  await page.getByRole('article', { name: label, exact: true }).getByRole('button', { name: 'Export' }).click();
  const dialog = page.getByRole('dialog', { name: `Export “${label}”` });
  await dialog.waitFor();
  return { app, dialog };
}

const exports = async (app: AppPage) => (await app.calls()).filter((c) => c.cmd === 'session_export').map((c) => c.args);
const submit = (dialog: Locator) => dialog.getByRole('button', { name: 'Export session' }).click();

async function errorOf(input: Locator): Promise<string> {
  await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
  let text = '';
  for (const id of ids) text += (await input.page().locator(`[id="${id}"]`).textContent()) ?? '';
  return text.trim();
}

describe('secret', () => {
  test('keystore (the default for a key Warden holds): passphrase twice, length, match, strength', async () => {
    const { app, dialog } = await openExport();
    expect(await dialog.getByRole('radio', { name: 'Keystore (passphrase)' }).isChecked()).toBe(true);
    expect(await dialog.getByRole('radio', { name: 'Save to file' }).isChecked()).toBe(true);
    const pass = dialog.getByLabel('Passphrase', { exact: true });
    const repeat = dialog.getByLabel('Repeat passphrase', { exact: true });
    await submit(dialog);
    expect(await errorOf(pass)).toContain('Enter a passphrase');
    await pass.fill('short');
    await submit(dialog);
    expect(await errorOf(pass)).toContain('Use at least 12 characters');
    await pass.fill('correct horse battery');
    await expectText(dialog.getByTestId('strength'), 'Strong.');
    await repeat.fill('correct horse batterx');
    expect(await errorOf(repeat)).toContain('The two passphrases are not the same.');
    await app.shot('export-keystore-mismatch');
    expect(await exports(app)).toEqual([]);
    await repeat.fill('correct horse battery');
    await expectText(dialog, 'The passphrases match.');
    await submit(dialog);
    await expectText(dialog.getByTestId('export-result'), 'Saved. /home/you/trading-bot.session.json');
    expect(await exports(app)).toEqual([
      { id: 's1', secret: { kind: 'keystore', passphrase: 'correct horse battery' }, destination: { kind: 'file' } },
    ]);
    // The passphrase is not kept in the page after it went to Rust.
    expect(await pass.inputValue()).toBe('');
    expect(await repeat.inputValue()).toBe('');
    await app.shot('export-keystore-saved');
  });

  test('the strength hint: too short, acceptable, strong', async () => {
    const { dialog } = await openExport();
    const pass = dialog.getByLabel('Passphrase', { exact: true });
    await pass.fill('abc');
    await expectText(dialog.getByTestId('strength'), 'Too short');
    await pass.fill('abcdefghijkl');
    await expectText(dialog.getByTestId('strength'), 'Acceptable.');
    await pass.fill('Tr0ub4dor&3-xkcd-Plus');
    await expectText(dialog.getByTestId('strength'), 'Strong.');
  });

  test('plaintext only after the explicit confirmation', async () => {
    const { app, dialog } = await openExport();
    await dialog.getByRole('radio', { name: 'Plaintext' }).check();
    await submit(dialog);
    const box = dialog.getByRole('checkbox', { name: 'I understand anyone who reads this document can use the session' });
    expect(await errorOf(box)).toContain('Tick the box to confirm');
    expect(await exports(app)).toEqual([]);
    await app.shot('export-plaintext');
    await box.check();
    await dialog.getByRole('radio', { name: 'Copy to clipboard' }).check();
    await expectText(dialog, 'The clipboard will hold the session key in plaintext');
    await submit(dialog);
    await expectText(dialog.getByTestId('export-result'), 'Copied to the clipboard.');
    await expectText(dialog.getByTestId('export-result'), 'Warden clears it in 30 seconds if the clipboard still holds it');
    expect((await exports(app))[0]).toEqual({ id: 's1', secret: { kind: 'plaintext', confirmed: true }, destination: { kind: 'clipboard' } });
  });

  test('age recipient: every format error, then a valid one', async () => {
    const { app, dialog } = await openExport();
    await dialog.getByRole('radio', { name: 'age recipient' }).check();
    const recipient = dialog.getByRole('textbox', { name: 'age recipient', exact: true });
    const cases: [string, string][] = [
      ['', 'starts with age1'],
      ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI', 'starts with age1 (an SSH key'],
      ['AGE1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p', 'all lower case'],
      ['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcacbp', 'no b, i, o or 1'],
      ['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac', 'is 62 characters long; this has 60'],
      ['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8q', 'its checksum does not match'],
    ];
    for (const [value, message] of cases) {
      await recipient.fill(value);
      await submit(dialog);
      expect(await errorOf(recipient), value).toContain(message);
    }
    await app.shot('export-age-error');
    await recipient.fill(AGE_RECIPIENT);
    await submit(dialog);
    await dialog.getByTestId('export-result').waitFor();
    expect((await exports(app))[0]!.secret).toEqual({ kind: 'age', recipient: AGE_RECIPIENT } satisfies SecretChoice);
  });

  test('a key the server holds: only "No secret" is possible', async () => {
    const { app, dialog } = await openExport('Kiosk');
    expect(await dialog.getByRole('radio', { name: 'No secret' }).isChecked()).toBe(true);
    for (const name of ['Plaintext', 'Keystore (passphrase)', 'age recipient'])
      expect(await dialog.getByRole('radio', { name }).isDisabled()).toBe(true);
    await expectText(dialog, 'The server holds this session’s key');
    await submit(dialog);
    await dialog.getByTestId('export-result').waitFor();
    expect((await exports(app))[0]!.secret).toEqual({ kind: 'none' });
    await app.shot('export-no-secret');
  });
});

describe('destination', () => {
  test('send to server: URL rules (plain http only to this computer), bearer, the answer shown', async () => {
    const { app, dialog } = await openExport('Trading bot', { postStatus: 201, postReply: '{"stored":true,"id":"bot-7"}' });
    await dialog.getByRole('radio', { name: 'No secret' }).check();
    await dialog.getByRole('radio', { name: 'Send to server' }).check();
    const url = dialog.getByLabel('Server URL', { exact: true });
    const bearer = dialog.getByLabel('Bearer token', { exact: true });
    await expectText(dialog, 'plain http:// is allowed only to this computer');
    const cases: [string, string][] = [
      ['', 'Enter the server URL'],
      ['example.org/sessions', 'That is not a full URL'],
      ['http://example.org/sessions', 'Plain http:// is only allowed to this computer'],
      ['http://192.168.1.5:8080/s', 'Plain http:// is only allowed to this computer'],
      ['ftp://example.org/s', 'Use an https:// URL'],
      ['https://user:pw@example.org/s', 'Put credentials in the Bearer token field'],
    ];
    for (const [value, message] of cases) {
      await url.fill(value);
      await submit(dialog);
      expect(await errorOf(url), value).toContain(message);
    }
    await app.shot('export-url-error');
    await url.fill('http://127.0.0.1:8787/sessions');
    await expectText(dialog, 'Plain http to this computer: fine for a server running here.');
    await bearer.fill('two words');
    await submit(dialog);
    expect(await errorOf(bearer)).toContain('no spaces or line breaks');
    await bearer.fill('tok_123');
    await submit(dialog);
    await expectText(dialog.getByTestId('export-result'), 'The server accepted it. It answered HTTP 201.');
    await expectText(dialog.getByTestId('export-result'), '{"stored":true,"id":"bot-7"}');
    await url.fill('https://[::1]:9/x');
    await submit(dialog);
    await url.fill('http://localhost:8787/sessions');
    await submit(dialog);
    await expect.poll(async () => (await exports(app)).length).toBe(3);
    expect((await exports(app)).map((a) => a?.destination)).toEqual([
      { kind: 'post', url: 'http://127.0.0.1:8787/sessions', bearer: 'tok_123' },
      { kind: 'post', url: 'https://[::1]:9/x', bearer: 'tok_123' },
      { kind: 'post', url: 'http://localhost:8787/sessions', bearer: 'tok_123' },
    ]);
    await app.shot('export-posted');
  });

  test('a server that refuses shows its status and reply', async () => {
    const { dialog } = await openExport('Kiosk', { postStatus: 403, postReply: 'forbidden: bad token' });
    await dialog.getByRole('radio', { name: 'Send to server' }).check();
    await dialog.getByLabel('Server URL', { exact: true }).fill('https://pair.example.org/s');
    await submit(dialog);
    await expectText(dialog.getByTestId('export-result'), 'The server refused it. It answered HTTP 403.');
    await expectText(dialog.getByTestId('export-result'), 'forbidden: bad token');
  });

  test('an export that fails is explained and the dialog stays', async () => {
    const { app, dialog } = await openExport('Kiosk', { failures: { session_export: [{ code: 'export_failed', message: 'connection reset' }] } });
    await submit(dialog);
    await expectText(alerts(app.page), 'The export did not complete.');
    await expectText(alerts(app.page), 'connection reset');
    await submit(dialog);
    await dialog.getByTestId('export-result').waitFor();
  });

  test('Close and Escape close the dialog', async () => {
    const { app, dialog } = await openExport('Kiosk');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await app.page.getByRole('article', { name: 'Kiosk', exact: true }).getByRole('button', { name: 'Export' }).click();
    await dialog.waitFor();
    await app.page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  });
});

describe('document and QR', () => {
  test('a real QR reader reads the secret-less document from the screen', async () => {
    const { app, dialog } = await openExport('Kiosk');
    const qr = dialog.getByRole('img', { name: 'QR code of the session document' });
    await qr.waitFor();
    await dialog.getByText('Show the document').click();
    const document = (await dialog.getByTestId('export-document').textContent()) ?? '';
    expect(JSON.parse(document)).toMatchObject({ version: 'warden.session.v1', sessionKey: { address: KIOSK.sessionKey } });
    const file = join(SHOTS, 'export-qr.png');
    await qr.screenshot({ path: file });
    const read = spawnSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' });
    expect(read.error).toBeUndefined();
    expect(read.stdout.trim()).toBe(document);
    await app.shot('export-qr-dialog');
  });

  test('a document too large for a QR code says so', async () => {
    const { dialog } = await openExport('Kiosk', { previewTooLarge: true });
    await expectText(dialog, 'Too large for a QR code.');
    expect(await dialog.getByRole('img', { name: 'QR code of the session document' }).count()).toBe(0);
  });
});
