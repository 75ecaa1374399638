// The built UI runs under the app's CSP: no inline script or style in dist, no eval in the
// bundle, and the harness really notices a violation (so the other page tests' "no CSP
// violation" check can fail).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startHarness, type Harness } from './harness';
import { MAIN_KEY } from './fixtures';

const DIST = join(import.meta.dirname, '../../dist');

let harness: Harness;
beforeAll(async () => (harness = await startHarness()));
afterAll(async () => harness?.close());

test.each(['index.html', 'approval.html'])('dist/%s loads only external scripts and styles', (page) => {
  const html = readFileSync(join(DIST, page), 'utf8');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  expect(scripts.length).toBeGreaterThan(0);
  for (const [, attrs, body] of scripts) {
    expect(attrs).toMatch(/\bsrc="\/assets\/[^"]+\.js"/);
    expect(body!.trim()).toBe('');
  }
  expect(html).not.toMatch(/<style\b/);
  expect(html).not.toMatch(/\sstyle=/);
  expect(html).not.toMatch(/https?:\/\//);
});

test('the bundle has no eval, no Function constructor and no remote URL it loads', () => {
  const assets = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.js'));
  expect(assets.length).toBeGreaterThan(0);
  for (const file of assets) {
    const js = readFileSync(join(DIST, 'assets', file), 'utf8');
    expect(js).not.toMatch(/\beval\(/);
    expect(js).not.toMatch(/new Function\(/);
    expect(js).not.toMatch(/import\(["']https?:/);
  }
});

test('the harness catches a CSP violation (an inline style)', async () => {
  const app = await harness.open({ keys: [MAIN_KEY] });
  await app.page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
  expect(app.problems()).toEqual([]);
  await app.page.evaluate(() => {
    const el = document.createElement('div');
    el.innerHTML = '<span style="color: red">x</span>';
    document.body.append(el);
  });
  await expect.poll(() => app.problems().join('\n')).toMatch(/CSP violation: style-src/);
});
