// Page-test harness: serves the built ui/dist on loopback with the CSP the app ships (so a
// CSP violation fails the test), drives Debian's Chromium through playwright-core (no browser
// download), injects the fake backend, freezes Object.prototype as the app does, and saves light and dark screenshots of each screen.

import { createServer, type Server } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Call, Scenario } from './fake-backend';

const UI_DIR = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DIST = join(UI_DIR, 'dist');
export const SHOTS = join(UI_DIR, 'test-results');

/** The CSP src-tauri ships, read from tauri.conf.json (`app.security.csp`) so the two cannot
 *  drift; tauri adds its own hashes for its IPC script, which the fake backend does not need. */
const TAURI_CONF = join(UI_DIR, '..', 'src-tauri', 'tauri.conf.json');
export const CSP = Object.entries(
  (JSON.parse(readFileSync(TAURI_CONF, 'utf8')) as { app: { security: { csp: Record<string, string> } } })
    .app.security.csp,
)
  .map(([directive, sources]) => `${directive} ${sources}`)
  .join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

function serve(): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(DIST, path === '/' ? 'index.html' : path);
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CSP,
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

async function bundleFakeBackend(): Promise<string> {
  const out = await build({
    entryPoints: [join(UI_DIR, 'tests/pages/fake-backend.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

export type Harness = {
  open(scenario: Scenario, options?: { width?: number; height?: number; path?: string }): Promise<AppPage>;
  close(): Promise<void>;
};

export type AppPage = {
  page: Page;
  context: BrowserContext;
  /** Every command the UI invoked, in order. */
  calls(): Promise<Call[]>;
  /** Console errors, page errors and CSP violations seen so far. */
  problems(): string[];
  /** Full-page screenshots in light and dark: test-results/NAME-light.png and -dark.png. */
  shot(name: string): Promise<void>;
};

export async function startHarness(): Promise<Harness> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('ui/dist is missing: run `npm run build` first');
  await mkdir(SHOTS, { recursive: true });
  const [server, fake] = await Promise.all([serve(), bundleFakeBackend()]);
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const contexts: BrowserContext[] = [];

  return {
    async open(scenario, options = {}) {
      const context = await browser.newContext({
        viewport: { width: options.width ?? 900, height: options.height ?? 900 },
        colorScheme: 'light',
        reducedMotion: 'reduce',
        permissions: ['clipboard-read', 'clipboard-write'],
      });
      contexts.push(context);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
        });
      });
      await page.addInitScript(`window.__WARDEN_SCENARIO__ = ${JSON.stringify(scenario)};`);
      await page.addInitScript(fake);
      // The app ships freezePrototype (tauri.conf.json): Tauri freezes Object.prototype before
      // the page's own scripts run, so every page test runs the UI that way too; a library
      // that assigns to an inherited built-in (`exports.toString = …`) fails here as a page error.
      await page.addInitScript(() => Object.freeze(Object.prototype));
      await page.goto(origin + (options.path ?? '/'));
      return {
        page,
        context,
        calls: () => page.evaluate(() => window.__WARDEN_CALLS__),
        problems: () => [...problems],
        async shot(name) {
          for (const scheme of ['light', 'dark'] as const) {
            await page.emulateMedia({ colorScheme: scheme });
            await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
          }
          await page.emulateMedia({ colorScheme: 'light' });
        },
      };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}
