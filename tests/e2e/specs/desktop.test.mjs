// The desktop presence of the real app: one instance (a second launch hands over to the
// running one, which comes to the front, and exits 0), and OS notifications, observed on
// the test's private D-Bus session (dbus-monitor sees every Notify call to
// org.freedesktop.Notifications): a session that expires within the hour produces exactly
// one "expires soon" notification, however often the app looks again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { launch, writeArtifact } from '../lib/harness.mjs';
import { createOwnerKey, fundFromFaucet } from '../lib/flows.mjs';
import {
  addPermission,
  answerApproval,
  expiryStep,
  grantOutcome,
  keyStep,
  next,
  openGrantWizard,
  reopenSessions,
  requestApproval,
  toSummary,
} from '../lib/grant.mjs';

const RECIPIENT = '0x000000000000000000000000000000000000dEaD';

/** Runs `bin` with `env` until it exits; resolves to {code, stderr}. */
function runToExit(bin, env, timeout = 60000) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? `signal ${signal}`, stderr });
    });
  });
}

test('a second launch hands over to the running app and exits 0', async () => {
  const app = await launch('single-instance');
  let log = '';
  try {
    await app.byLabel('Create owner key');
    const second = await runToExit(app.binary, app.env);
    writeArtifact('single-instance-second-launch.txt', `exit ${second.code}\n${second.stderr}`);
    assert.equal(second.code, 0, `the second launch exits 0: ${second.stderr}`);
    await app.until('the first app to be told', async () =>
      readFileSync(app.logFile, 'utf8').includes('another launch handed over: bringing the main window to the front'),
    );
    // The first one still runs and answers.
    const info = await app.invoke('app_info');
    assert.equal(info.ok, true, JSON.stringify(info));
    assert.equal(await app.session.execute('return document.visibilityState;'), 'visible');
    await app.screenshot('after-second-launch');
  } finally {
    log = await app.close();
  }
  assert.doesNotMatch(log, /could not (show|unminimize|focus) the main window/);
});

/** Watches Notify calls on the session bus; `calls()` returns their text so far. */
function watchNotifications() {
  const monitor = spawn(
    'dbus-monitor',
    ['--session', "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  monitor.stdout.on('data', (d) => (out += d));
  return {
    calls: () => out.split(/\n(?=method call )/).filter((c) => c.startsWith('method call ')),
    stop: () => monitor.kill('SIGTERM'),
  };
}

test('a session expiring within the hour produces exactly one notification', async () => {
  const bus = watchNotifications();
  const app = await launch('notifications');
  try {
    await app.byLabel('Create owner key');
    await createOwnerKey(app, 'Main');
    await fundFromFaucet(app);

    await openGrantWizard(app);
    await keyStep(app, 'Hourly bot');
    await next(app);
    await expiryStep(app, '1 hour');
    await next(app);
    await addPermission(app, { type: 'native-token-transfer', amount: '0.001', unit: 'ETH' });
    await addPermission(app, { type: 'contract-access', address: RECIPIENT });
    await toSummary(app);
    const handles = await requestApproval(app);
    await answerApproval(app, handles, 'Approve', () => app.screenshot('approved'));
    await grantOutcome(app, 'Session approved');

    const expiring = () => bus.calls().filter((c) => c.includes('Session “Hourly bot” expires soon'));
    await app.until('the "expires soon" notification', () => expiring().length > 0, { timeout: 30000 });
    // The app looks again whenever something changes: a test call through the session
    // (progress events, then the session list changes). Wait until it looked again twice.
    const looks = () => (readFileSync(app.logFile, 'utf8').match(/desktop: looked/g) ?? []).length;
    const before = looks();
    const [session] = (await app.invoke('sessions_list')).value;
    const call = await app.invoke('session_test_call', {
      id: session.id,
      to: RECIPIENT,
      value: '1',
      data: '',
    });
    writeArtifact('notifications-test-call.json', JSON.stringify(call, null, 2));
    await app.until('the app to look again twice', () => looks() >= before + 2);
    await reopenSessions(app);
    await app.screenshot('sessions');
    writeArtifact('notifications-dbus.txt', bus.calls().join('\n'));
    assert.equal(expiring().length, 1, `exactly one "expires soon" notification:\n${bus.calls().join('\n')}`);
    assert.match(expiring()[0], /It expires in (59|60) min/);
    // The approval that was waiting was announced once too.
    assert.equal(bus.calls().filter((c) => c.includes('A grant is waiting for your approval')).length, 1);
  } finally {
    bus.stop();
    await app.close();
  }
});
