// Resetting Warden from Settings, in the real app over a real keychain: the plan names the
// owner key and the files before anything goes; a "Cancel" in the native dialog Rust raises
// keeps everything; a confirmed reset erases every keychain entry of the app (owner key,
// session key, API key) and every file it kept (settings, session list, activity log,
// answered requests, the devnet), and Warden closes. The CLI, pointed at the same keychain
// namespace and folders, then finds no key at all.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { launch } from '../lib/harness.mjs';
import { createOwnerKey, fundFromFaucet } from '../lib/flows.mjs';
import { show, warden } from '../lib/cli.mjs';
import { confirmDialogAnswer } from '../lib/native-dialog.mjs';

const LABEL = 'Reset me';

test('reset: the plan first, a cancel keeps everything, then every key and file is gone and Warden closes', async () => {
  const app = await launch('reset');
  let exited = false;
  try {
    await app.byLabel('Create owner key');
    await createOwnerKey(app, LABEL);
    await fundFromFaucet(app);
    const key = (await app.invoke('keys_list')).value[0];
    // An API key in the keychain too, and a settings file (the app stays on the devnet).
    const apiKey = await app.invoke('backend_use_alchemy', { apiKey: 'reset-test-api-key', chainId: 11155111, policyId: null });
    assert.equal(apiKey.ok, true, JSON.stringify(apiKey));
    assert.equal((await app.invoke('backend_use_devnet')).ok, true);

    const plan = (await app.invoke('app_reset_plan')).value;
    assert.deepEqual(plan.ownerKeys.map((k) => [k.label, k.address]), [[LABEL, key.address]], JSON.stringify(plan));
    assert.equal(plan.apiKey, true);
    const under = (dir) => plan.paths.filter((p) => p.startsWith(dir));
    assert.ok(under(app.dirs.config).some((p) => p.endsWith('settings.json')), JSON.stringify(plan.paths));
    assert.ok(under(app.dirs.data).some((p) => p.endsWith('activity.jsonl')), JSON.stringify(plan.paths));
    assert.ok(under(app.dirs.state).some((p) => p.endsWith('devnet')), JSON.stringify(plan.paths));
    assert.ok(plan.paths.every((p) => existsSync(p)), 'the plan lists what exists');
    assert.ok(plan.summary[0].includes(key.address), plan.summary.join('\n'));

    await app.click('Settings');
    await app.click('Show what a reset removes');
    const shown = await app.byLabel('What a reset removes');
    assert.match(await shown.text(), new RegExp(`Owner key “${LABEL}”`));
    await app.screenshot('reset-plan');

    // "Cancel" in the native dialog: nothing changes.
    await app.click('Reset Warden…');
    await confirmDialogAnswer('Reset Warden?', { accept: false });
    await app.until('the button to be ready again', async () => (await (await app.byLabel('Reset Warden…')).property('disabled')) === false);
    assert.equal((await app.invoke('keys_list')).value.length, 1, 'the key is still there');
    assert.ok(plan.paths.every((p) => existsSync(p)), 'every file is still there');
    await app.screenshot('reset-cancelled');

    // Confirmed: Warden removes everything and closes.
    await app.click('Reset Warden…');
    await confirmDialogAnswer('Reset Warden?', { accept: true, mnemonic: 'r' });
    await app.until('the app to close', async () => {
      try {
        await app.bodyText();
        return false;
      } catch {
        return true;
      }
    }, { timeout: 60000 });
    exited = true;
  } finally {
    await app.close({ appExited: exited });
  }
  const left = (dir) => (existsSync(dir) ? readdirSync(dir) : []);
  // Warden's own folders under the XDG ones (the webview's caches beside them are not Warden's).
  assert.deepEqual(left(join(app.dirs.data, 'warden')), [], 'nothing is left in the data folder');
  assert.deepEqual(left(join(app.dirs.state, 'warden')), [], 'nothing is left in the state folder');
  assert.deepEqual(left(app.dirs.config), [], 'nothing is left in the config folder');
  const listed = await warden('reset', ['key', 'list'], { env: app.env });
  assert.equal(listed.code, 0, show(listed));
  assert.doesNotMatch(listed.stdout, /0x[0-9a-fA-F]{40}/, `no owner key is left: ${show(listed)}`);
  assert.ok(!existsSync(join(app.dirs.config, 'settings.json')));
});
