// The installed package on a machine that never saw the source tree: a clean HOME (no XDG
// variables, so the defaults under HOME), a PATH with nothing on it (no node, npm, anvil or
// cargo), a fresh keychain. The app and the CLI must find everything they need in the
// package: the embedded devnet's anvil beside them in /usr/bin, the UI inside the binary.
// Run by tests/install/run.sh after it installed the .deb.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { launch, writeArtifact } from '../../e2e/lib/harness.mjs';
import { accountAddress, assertAddress, createOwnerKey, fundFromFaucet } from '../../e2e/lib/flows.mjs';

const TMP = process.env.WARDEN_INSTALL_TMP;
const HOME = join(TMP, 'home');
const BARE_PATH = join(TMP, 'empty-path');
const NAMESPACE = `dev.warden.install.${process.pid}`;

/** What a user's session has: HOME, a bus, a display; nothing from the build machine. */
const USER_ENV = {
  HOME,
  PATH: BARE_PATH,
  XDG_DATA_HOME: null,
  XDG_CONFIG_HOME: null,
  XDG_CACHE_HOME: null,
  XDG_STATE_HOME: null,
  WARDEN_CONFIG_DIR: null,
  WARDEN_ANVIL: null,
  CARGO_TARGET_DIR: null,
  WARDEN_KEYCHAIN_NAMESPACE: NAMESPACE,
};

function userEnv() {
  const env = { ...process.env };
  for (const [k, v] of Object.entries(USER_ENV)) {
    if (v === null) delete env[k];
    else env[k] = v;
  }
  return env;
}

rmSync(HOME, { recursive: true, force: true });
mkdirSync(HOME, { recursive: true });
mkdirSync(BARE_PATH, { recursive: true });

/** Runs an installed binary with the user's environment; resolves to {code, stdout, stderr}. */
function run(name, bin, args, { until = null, timeout = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (until && until.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? `signal ${signal}`, stdout, stderr };
      writeArtifact(`install-${name}.txt`, `$ ${bin} ${args.join(' ')}\nexit ${result.code}\n--- stdout\n${stdout}--- stderr\n${stderr}`);
      resolve(result);
    });
  });
}

/** Processes running with this test's keychain namespace, with their executables. */
function ourProcesses() {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const env = readFileSync(`/proc/${d}/environ`, 'latin1').split('\0');
      if (env.includes(`WARDEN_KEYCHAIN_NAMESPACE=${NAMESPACE}`)) out.push({ pid: Number(d), exe: readlinkSync(`/proc/${d}/exe`) });
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

test('the installed binaries carry no path into a source tree', () => {
  for (const bin of ['/usr/bin/warden-app', '/usr/bin/warden', '/usr/bin/anvil']) {
    assert.ok(existsSync(bin), `${bin} is installed`);
  }
  for (const bin of ['/usr/bin/warden-app', '/usr/bin/warden']) {
    const bytes = readFileSync(bin);
    assert.equal(bytes.indexOf('node_modules/@foundry-rs'), -1, `${bin} names the npm package's folder`);
  }
  const files = readFileSync(join(TMP, 'package-files.txt'), 'utf8').split('\n');
  for (const f of [
    '/usr/share/applications/dev.warden.Warden.desktop',
    '/usr/share/metainfo/dev.warden.Warden.metainfo.xml',
    '/usr/share/mime/packages/dev.warden.Warden.xml',
    '/usr/share/bash-completion/completions/warden',
    '/usr/share/zsh/vendor-completions/_warden',
    '/usr/share/fish/vendor_completions.d/warden.fish',
    '/usr/share/man/man1/warden.1.gz',
    '/usr/share/man/man1/warden-devnet.1.gz',
    '/usr/share/icons/hicolor/scalable/apps/warden-app.svg',
    ...[16, 24, 32, 48, 64, 128, 256, 512].map((n) => `/usr/share/icons/hicolor/${n}x${n}/apps/warden-app.png`),
  ]) {
    assert.ok(files.includes(f), `the package installs ${f}`);
  }
  // The desktop entry opens warden://request links with the app (the link as its argument).
  const entry = readFileSync('/usr/share/applications/dev.warden.Warden.desktop', 'utf8');
  assert.match(entry, /^Exec=warden-app %u$/m, entry);
  assert.match(entry, /^MimeType=x-scheme-handler\/warden;application\/x-warden-request\+json;$/m, entry);
  assert.match(readFileSync('/usr/share/mime/packages/dev.warden.Warden.xml', 'utf8'), /glob pattern="\*\.warden-request\.json"/);
  assert.equal(readFileSync(join(TMP, 'package-verify.txt'), 'utf8'), '', 'dpkg --verify finds every file as packaged');
  const status = readFileSync(join(TMP, 'package-status.txt'), 'utf8');
  assert.match(status, /^Depends:.*libwebkit2gtk-4\.1-0/m);
  assert.match(status, /^Depends:.*libgtk-3-0/m);
  assert.match(status, /^Recommends:.*gnome-keyring/m);
});

test('installed app: create owner key, account on the embedded devnet, fund, balance shows', async () => {
  const dirs = { root: join(TMP, 'app') };
  mkdirSync(dirs.root, { recursive: true });
  const app = await launch('install', { app: '/usr/bin/warden-app', env: USER_ENV, dirs });
  try {
    await app.byLabel('Create owner key', { timeout: 60000 });
    assert.match(await app.bodyText(), /Local devnet — nothing here is real money/);
    await app.screenshot('onboarding');
    await createOwnerKey(app, 'Main');
    assertAddress(await accountAddress(app));
    const balance = await fundFromFaucet(app);
    assert.equal(balance, '1 ETH');
    await app.screenshot('funded-account');

    // The devnet's node is the anvil the package installed beside the app.
    const anvils = ourProcesses().filter((p) => p.exe.endsWith('/anvil'));
    assert.deepEqual(anvils.map((p) => p.exe), ['/usr/bin/anvil']);
  } finally {
    writeArtifact('install-app.log', await app.close().catch((e) => String(e)));
  }
  // Where things live: the XDG defaults under HOME, nothing in HOME itself.
  // The config folder holds the owner-key index (settings.json joins it once a setting is
  // changed: the defaults are not written out).
  assert.ok(readdirSync(join(HOME, '.config/warden')).some((n) => n.endsWith('owner-keys.json')), 'the key index in ~/.config/warden');
  assert.ok(existsSync(join(HOME, '.local/share/warden/activity.jsonl')), 'the activity log in ~/.local/share/warden');
  assert.ok(existsSync(join(HOME, '.local/state/warden/devnet')), 'the devnet in ~/.local/state/warden');
  const inHome = readdirSync(HOME).filter((n) => !['.config', '.local', '.cache'].includes(n));
  assert.deepEqual(inHome, [], 'nothing else in the home folder');
});

test('installed CLI: version, the key the app made, and a devnet', async () => {
  const version = await run('version', '/usr/bin/warden', ['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^warden \d+\.\d+\.\d+/);

  const keys = await run('key-list', '/usr/bin/warden', ['key', 'list']);
  assert.equal(keys.code, 0, keys.stderr);
  assert.match(keys.stdout, /Main/, 'the owner key the app created, from the same keychain');

  const devnet = await run('devnet', '/usr/bin/warden', ['devnet', '--port', '0'], { until: /listening on/ });
  assert.match(devnet.stdout, /^warden devnet listening on http:\/\/127\.0\.0\.1:\d+ chain 31337/, devnet.stderr);
  assert.equal(devnet.code, 0, `warden devnet stops cleanly on SIGTERM: ${devnet.stderr}`);
  writeFileSync(join(TMP, 'cli-ok'), 'ok');
});
