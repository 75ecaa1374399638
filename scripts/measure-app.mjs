// The measuring half of scripts/measure-app.sh (run inside Xvfb and a keyring session):
// start-up over WebDriver, PSS after idle, sizes. Prints a table; asserts nothing.
//   node scripts/measure-app.mjs APP_BIN HELLO_BIN APP_DEB HELLO_DEB

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Session } from '../tests/e2e/lib/webdriver.mjs';

const [appBin, helloBin, appDeb, helloDeb] = process.argv.slice(2);
const RUNS = Number(process.env.RUNS || 5);
const DRIVER = process.env.TAURI_DRIVER;
const IDLE_MS = 30000;

const CLK_TCK = 100;
const btimeMs = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))[1]) * 1000;

function startTimeMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return btimeMs + (Number(fields[19]) * 1000) / CLK_TCK;
}

function children(pid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

function descendants(pid) {
  const out = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    for (const c of children(p)) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

function pssKiB(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    const anon = /^Pss_Anon:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return { pss: m ? Number(m[1]) : 0, anon: anon ? Number(anon[1]) : 0 };
  } catch {
    return { pss: 0, anon: 0 };
  }
}

function freshEnv() {
  const dir = mkdtempSync(join(tmpdir(), 'warden-measure-'));
  return {
    ...process.env,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    XDG_STATE_HOME: join(dir, 'state'),
    WARDEN_CONFIG_DIR: join(dir, 'warden'),
    WARDEN_KEYCHAIN_NAMESPACE: `dev.warden.measure.${basename(dir)}`,
  };
}

async function withDriver(env, fn) {
  const port = 4700;
  const driver = spawn(DRIVER, ['--port', String(port), '--native-port', String(port + 1)], { env, stdio: 'ignore' });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) break;
      } catch {
        // not yet
      }
      if (i > 200) throw new Error('tauri-driver did not start');
      await sleep(50);
    }
    return await fn(`http://127.0.0.1:${port}`);
  } finally {
    driver.kill('SIGTERM');
    await new Promise((r) => driver.once('exit', r));
  }
}

function findApp(bin) {
  const name = basename(bin).slice(0, 15);
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d) && comm(Number(d)) === name).map(Number);
  return pids.sort((a, b) => startTimeMs(b) - startTimeMs(a))[0];
}

/** One launch: ms from process start to first contentful paint (and to `readyCss`). */
async function startOnce(bin, readyCss) {
  return withDriver(freshEnv(), async (base) => {
    const session = await Session.create(base, { 'tauri:options': { application: bin } });
    try {
      const pid = findApp(bin);
      const started = startTimeMs(pid);
      let ready = null;
      for (let i = 0; i < 400 && readyCss; i++) {
        ready = await session.execute(
          `return document.querySelector(arguments[0]) ? performance.timeOrigin + performance.now() : null;`,
          readyCss,
        );
        if (ready) break;
        await sleep(10);
      }
      const fcp = await session.execute(
        `const e = performance.getEntriesByName('first-contentful-paint')[0] || performance.getEntriesByType('paint')[0];
         return e ? performance.timeOrigin + e.startTime : null;`,
      );
      return { fcp: fcp ? fcp - started : NaN, ready: ready ? ready - started : NaN };
    } finally {
      await session.delete();
    }
  });
}

async function idlePss(bin) {
  const child = spawn(bin, [], { env: freshEnv(), stdio: 'ignore' });
  try {
    await sleep(IDLE_MS);
    const procs = [child.pid, ...descendants(child.pid)];
    let app = { pss: 0, anon: 0 };
    let other = { pss: 0, anon: 0 };
    const names = [];
    for (const p of procs) {
      const m = pssKiB(p);
      const c = comm(p);
      names.push(`${c}:${Math.round(m.pss / 1024)}`);
      const target = p === child.pid || c.startsWith('WebKit') ? app : other;
      target.pss += m.pss;
      target.anon += m.anon;
    }
    return { app, other, names };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  }
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const mib = (kib) => (kib / 1024).toFixed(1);
const mb = (bytes) => (bytes / 1e6).toFixed(2);

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`measure: ${RUNS} start-up runs per app; load average before: ${load()}`);

const results = {};
for (const [name, bin, ready] of [
  ['hello', helloBin, 'h1'],
  ['warden', appBin, 'main h1'],
]) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await startOnce(bin, ready));
  const pss = await idlePss(bin);
  results[name] = { runs, pss, bin };
}

console.log('');
console.log('                                  hello-tauri     warden-app    ratio');
const row = (label, h, w, unit) =>
  console.log(`${label.padEnd(34)}${`${h} ${unit}`.padEnd(16)}${`${w} ${unit}`.padEnd(14)}${(Number(w) / Number(h)).toFixed(2)}`);
const fcpH = median(results.hello.runs.map((r) => r.fcp));
const fcpW = median(results.warden.runs.map((r) => r.fcp));
row('first contentful paint (median)', fcpH.toFixed(0), fcpW.toFixed(0), 'ms');
row('first screen (median)', median(results.hello.runs.map((r) => r.ready)).toFixed(0), median(results.warden.runs.map((r) => r.ready)).toFixed(0), 'ms');
row('PSS app + WebKit after 30 s', mib(results.hello.pss.app.pss), mib(results.warden.pss.app.pss), 'MiB');
row('  of which anonymous', mib(results.hello.pss.app.anon), mib(results.warden.pss.app.anon), 'MiB');
row('release binary', mb(statSync(helloBin).size), mb(statSync(appBin).size), 'MB');
row('.deb', mb(statSync(helloDeb).size), mb(statSync(appDeb).size), 'MB');
console.log('');
console.log(`warden other processes (anvil): ${mib(results.warden.pss.other.pss)} MiB PSS`);
console.log(`processes: hello ${results.hello.pss.names.join(' ')} | warden ${results.warden.pss.names.join(' ')}`);
console.log(`fcp runs ms: hello ${results.hello.runs.map((r) => r.fcp.toFixed(0)).join(' ')} | warden ${results.warden.runs.map((r) => r.fcp.toFixed(0)).join(' ')}`);
console.log(`load average after: ${load()}`);
try {
  console.log(execFileSync('dpkg-deb', ['-I', appDeb], { encoding: 'utf8' }).split('\n').filter((l) => /Depends|Installed-Size/.test(l)).join('\n'));
} catch {
  // informational only
}
