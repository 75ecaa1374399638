// Running the `warden` command-line tool the way a server does with the credentials the app
// exported: the binary the same `cargo test --workspace` build made, beside the app binary
// (WARDEN_CLI_BIN overrides). Its environment is the test's, without WARDEN_ENDPOINT /
// WARDEN_PASSPHRASE, so only the credentials document says where and how to call. Every run's
// command line, exit status and output is saved next to the screenshots.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { writeArtifact } from './harness.mjs';

export const WARDEN_CLI = process.env.WARDEN_CLI_BIN || join(dirname(process.env.WARDEN_APP_BIN ?? ''), 'warden');

let runs = 0;

/** Runs `warden ARGS`; resolves to {code, stdout, stderr}. `name` prefixes the saved output;
 * `env` (e.g. an app's, to reach its keychain namespace and folders) replaces the test's. */
export function warden(name, args, { timeout = 240000, env: base = process.env } = {}) {
  if (!existsSync(WARDEN_CLI)) throw new Error(`no warden binary at ${WARDEN_CLI} (built by cargo test --workspace)`);
  const env = { ...base };
  delete env.WARDEN_ENDPOINT;
  delete env.WARDEN_PASSPHRASE;
  return new Promise((resolve, reject) => {
    const child = spawn(WARDEN_CLI, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      runs += 1;
      const result = { code: code ?? `signal ${signal}`, stdout, stderr };
      writeArtifact(
        `${name}-cli-${String(runs).padStart(2, '0')}.txt`,
        `$ warden ${args.map((a) => (/[\s'()]/.test(a) ? `'${a}'` : a)).join(' ')}\nexit ${result.code}\n--- stdout\n${stdout}--- stderr\n${stderr}`,
      );
      resolve(result);
    });
  });
}

/** The result as text for assertion messages. */
export const show = (r) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
