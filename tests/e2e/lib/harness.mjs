// Launching the real Warden app for one test: its own tauri-driver (and so its own
// WebKitWebDriver and app process), its own data and config folders and keychain
// namespace, and a WebDriver session on its window. Plus the helpers the specs share:
// finding controls by their accessible name, screenshots, invoking commands the way the
// UI does, and a recorder of everything Rust sends to the webview.
//
// Paths come from run.sh: WARDEN_APP_BIN (the debug app built with custom-protocol),
// TAURI_DRIVER, WARDEN_E2E_SCREENSHOTS and WARDEN_E2E_TMP.

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Session } from './webdriver.mjs';

const APP = required('WARDEN_APP_BIN');
const DRIVER = required('TAURI_DRIVER');
const SHOTS = required('WARDEN_E2E_SCREENSHOTS');
const TMP = required('WARDEN_E2E_TMP');

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through tests/e2e/run.sh`);
  return v;
}

/** WebKit's WebDriver, found on the test's PATH and passed to tauri-driver by path, so an
 * app can run with a PATH that has nothing on it (the install test does). */
const NATIVE_DRIVER = execFileSync('sh', ['-c', 'command -v WebKitWebDriver'], { encoding: 'utf8' }).trim();

let nextPort = 4500 + (process.pid % 200) * 2;

/** Finds the visible element whose accessible name is `name` (aria-label, a <label>,
 * aria-labelledby, or a button's/link's own text), or null; inside the element given as the
 * second argument when there is one. Runs in the page. */
const FIND_BY_LABEL = `
  const name = arguments[0];
  const scope = arguments[1] || document;
  const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const text = (el) => (el.textContent || '').replace(/\\s+/g, ' ').trim();
  const candidates = [];
  for (const el of scope.querySelectorAll('[aria-label]')) if (el.getAttribute('aria-label') === name) candidates.push(el);
  for (const label of scope.querySelectorAll('label')) if (text(label) === name && label.control) candidates.push(label.control);
  for (const el of scope.querySelectorAll('[aria-labelledby]')) {
    const t = el.getAttribute('aria-labelledby').split(/\\s+/).map((id) => { const l = document.getElementById(id); return l ? text(l) : ''; }).join(' ').trim();
    if (t === name) candidates.push(el);
  }
  for (const el of scope.querySelectorAll('button, a, [role=button], [role=tab], [role=radio], [role=link]')) if (text(el) === name) candidates.push(el);
  return candidates.find(visible) || null;
`;

/** The first visible element matching a CSS selector (arguments[0]) inside arguments[1] or
 * the document, or null. Runs in the page. */
const FIND_BY_CSS = `
  const scope = arguments[1] || document;
  return [...scope.querySelectorAll(arguments[0])].find((el) => el.getClientRects().length > 0) || null;
`;

/** Installs the IPC recorder: every payload Rust delivers to the page — command results,
 * command errors and events — goes through `__TAURI_INTERNALS__.runCallback`, which looks
 * the callback up in the `callbacks` map; wrapping that map's `get` sees each payload
 * before the UI does, including for callbacks registered before the recorder. */
const INSTALL_RECORDER = `
  if (window.__wardenIpcLog) return 'already';
  const internals = window.__TAURI_INTERNALS__;
  if (!internals || !(internals.callbacks instanceof Map)) return 'no-callbacks-map';
  const log = [];
  const get = Map.prototype.get;
  Object.defineProperty(internals.callbacks, 'get', {
    value(id) {
      const callback = get.call(this, id);
      if (typeof callback !== 'function') return callback;
      return (data) => {
        let s;
        try { s = JSON.stringify(data); } catch { s = String(data); }
        log.push(s);
        return callback(data);
      };
    },
  });
  Object.defineProperty(window, '__wardenIpcLog', { value: log });
  return 'installed';
`;

export class App {
  constructor(name, driver, session, dirs, logFile) {
    this.name = name;
    this.driver = driver;
    this.session = session;
    this.dirs = dirs;
    this.logFile = logFile;
    this.shots = 0;
  }

  /** The visible control named `name` (inside the element `within`, when given), waiting up
   * to `timeout` ms for it. */
  async byLabel(name, { timeout = 15000, within = null } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const el = await this.session.execute(FIND_BY_LABEL, name, within);
      if (el) return el;
      if (Date.now() > deadline) {
        await this.screenshot(`missing-${name.replace(/\W+/g, '-')}`);
        throw new Error(`no visible control named "${name}" after ${timeout} ms`);
      }
      await sleep(100);
    }
  }

  /** Whether a control named `name` is visible now (inside `within`, when given). */
  async has(name, { within = null } = {}) {
    return (await this.session.execute(FIND_BY_LABEL, name, within)) !== null;
  }

  /** Clicks the control named `name`, scrolled into view first as a person would (WebKit's
   * driver does not scroll inside a modal dialog's own scroll area). */
  async click(name, opts) {
    const el = await this.byLabel(name, opts);
    await this.session.execute(`arguments[0].scrollIntoView({ block: 'center' });`, el);
    await el.click();
  }

  async fill(name, value, opts) {
    const el = await this.byLabel(name, opts);
    await el.clear();
    await el.type(value);
  }

  /** Waits until `check()` returns a truthy value, and returns it. */
  async until(what, check, { timeout = 30000, interval = 150 } = {}) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        last = await check();
        if (last) return last;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) {
        await this.screenshot(`timeout-${what.replace(/\W+/g, '-')}`);
        throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last})`);
      }
      await sleep(interval);
    }
  }

  /** The page's visible text. */
  bodyText() {
    return this.session.execute('return document.body.innerText;');
  }

  /** The visible element matching `css` (inside `within`, when given), waiting up to
   * `timeout` ms for it. */
  async byCss(css, { timeout = 15000, within = null } = {}) {
    let found = null;
    await this.until(`an element ${css}`, async () => {
      found = await this.session.execute(FIND_BY_CSS, css, within);
      return found;
    }, { timeout, interval: 100 });
    return found;
  }

  /** The visible text of the element matching `css`, or null when there is none. */
  async textOf(css, { within = null } = {}) {
    const el = await this.session.execute(FIND_BY_CSS, css, within);
    return el ? (await el.text()).trim() : null;
  }

  /** The text (or value, for inputs) of the control named `name`. */
  async valueOf(name) {
    const el = await this.byLabel(name);
    const tag = await this.session.execute('return arguments[0].tagName;', el);
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return el.property('value');
    return el.text();
  }

  /** Saves a PNG of the window to the screenshot folder as `<test>-<n>-<what>.png`. */
  async screenshot(what) {
    this.shots += 1;
    const file = join(SHOTS, `${this.name}-${String(this.shots).padStart(2, '0')}-${what}.png`);
    try {
      // WebKitWebDriver snapshots the last composited frame: let the page paint first.
      await this.session.executeAsync(
        'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));',
      );
      await sleep(150);
      writeFileSync(file, await this.session.screenshot());
    } catch (e) {
      writeFileSync(`${file}.error.txt`, String(e));
    }
    return file;
  }

  /** Calls a command the way the UI's ipc.ts does; resolves to {ok, value} or {ok, error}. */
  invoke(command, args = {}) {
    return this.session.executeAsync(
      `const [command, args, done] = arguments;
       window.__TAURI_INTERNALS__.invoke(command, args).then(
         (value) => done({ ok: true, value }),
         (error) => done({ ok: false, error }));`,
      command,
      args,
    );
  }

  async installIpcRecorder() {
    const result = await this.session.execute(INSTALL_RECORDER);
    if (result !== 'installed' && result !== 'already') throw new Error(`IPC recorder: ${result}`);
  }

  /** Every payload recorded so far, as JSON text. */
  ipcLog() {
    return this.session.execute('return window.__wardenIpcLog ? Array.from(window.__wardenIpcLog) : null;');
  }

  /** Closes the app and its drivers; returns everything they printed (the app's log).
   * Fails when a process the app started (its devnet's anvil, WebKit) outlives it.
   * Deleting the WebDriver session closes the app's windows, but stopping the driver right
   * after can cut that short and leave the app running with its windows: the app is then
   * asked to end as a desktop session would at logout (SIGTERM, which it handles by
   * stopping its devnet), and everything it started must still be gone within the time. */
  async close({ appExited = false } = {}) {
    try {
      await this.session.delete();
    } catch (error) {
      // An app that closed itself (a reset) leaves no session to delete.
      if (!appExited) throw error;
    }
    await stopDriver(this.driver);
    const ours = () => processesWithEnv(`WARDEN_KEYCHAIN_NAMESPACE=${this.namespace}`);
    const deadline = Date.now() + 30000;
    let asked = false;
    let left = ours();
    while (left.length > 0 && Date.now() < deadline) {
      if (!asked && Date.now() > deadline - 25000) {
        for (const p of left.filter((p) => /warden-app/.test(p.cmd.split(' ')[0]))) {
          try {
            process.kill(p.pid, 'SIGTERM');
          } catch {
            // already gone
          }
        }
        asked = true;
      }
      await sleep(200);
      left = ours();
    }
    if (left.length > 0) {
      for (const p of left) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      throw new Error(`processes outlived the app: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
    }
    return readFileSync(this.logFile, 'utf8');
  }
}

/** Processes whose environment contains `entry` (e.g. this test's keychain namespace). */
function processesWithEnv(entry) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const env = readFileSync(`/proc/${d}/environ`, 'latin1').split('\0');
      if (env.includes(entry)) {
        out.push({ pid: Number(d), cmd: readFileSync(`/proc/${d}/cmdline`, 'latin1').replaceAll('\0', ' ').trim() });
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

async function stopDriver(driver) {
  if (driver.exitCode !== null || driver.signalCode !== null) return;
  const exited = new Promise((resolve) => driver.once('exit', resolve));
  driver.kill('SIGTERM');
  const timer = setTimeout(() => driver.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Fresh folders for one test: data, config, cache, state. */
export function testDirs(name) {
  const root = join(TMP, name);
  rmSync(root, { recursive: true, force: true });
  const dirs = { root, data: join(root, 'data'), config: join(root, 'config'), cache: join(root, 'cache'), state: join(root, 'state'), xdgConfig: join(root, 'xdg-config') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  return dirs;
}

/**
 * Starts the app for test `name`. `env` is added to (or, with a null value, removed from)
 * the environment the app runs in; `app` is the binary (default WARDEN_APP_BIN). Resolves
 * once the page has rendered something.
 */
export async function launch(name, { env = {}, dirs = testDirs(name), app: application = APP } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const port = nextPort;
  nextPort += 2;
  const namespace = `dev.warden.e2e.${name}.${process.pid}`;
  const childEnv = {
    ...process.env,
    XDG_DATA_HOME: dirs.data,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_CACHE_HOME: dirs.cache,
    XDG_STATE_HOME: dirs.state,
    WARDEN_CONFIG_DIR: dirs.config,
    WARDEN_KEYCHAIN_NAMESPACE: namespace,
    RUST_LOG: 'debug,wry=info,tao=info,hyper=info,hyper_util=info,reqwest=info,h2=info,rustls=info',
  };
  for (const [k, v] of Object.entries(env)) {
    if (v === null) delete childEnv[k];
    else childEnv[k] = v;
  }
  const logFile = join(dirs.root, 'app.log');
  writeFileSync(logFile, '');
  const out = openSync(logFile, 'a');
  const driverArgs = ['--port', String(port), '--native-port', String(port + 1), '--native-driver', NATIVE_DRIVER];
  const driver = spawn(DRIVER, driverArgs, {
    env: childEnv,
    stdio: ['ignore', out, out],
  });
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (driver.exitCode !== null) throw new Error(`tauri-driver exited: ${readFileSync(logFile, 'utf8')}`);
    try {
      const res = await fetch(`${base}/status`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 20000) throw new Error('tauri-driver did not start');
    await sleep(100);
  }
  const session = await Session.create(base, { 'tauri:options': { application } });
  await session.setTimeouts({ script: 60000 });
  const app = new App(name, driver, session, dirs, logFile);
  app.namespace = childEnv.WARDEN_KEYCHAIN_NAMESPACE;
  app.env = childEnv;
  app.binary = application;
  await app.until('the UI to render', () =>
    session.execute(`const root = document.getElementById('app'); return !!root && root.children.length > 0;`),
  );
  return app;
}

export function writeArtifact(name, text) {
  writeFileSync(join(SHOTS, name), text);
}
