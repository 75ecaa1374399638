// The save dialog Warden opens for "Save to file" is a native GTK window, outside the web
// view, so WebDriver cannot reach it. A person types a path into it and presses Enter;
// xdotool does the same through the X server (XTEST key events), so the test goes through
// the real dialog and the real path Warden gets back from it.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const run = promisify(execFile);

async function xdotool(args) {
  const { stdout } = await run('xdotool', args, { timeout: 15000 });
  return stdout.trim();
}

/** The id of the visible window titled `title`, waiting up to `timeout` ms for it. */
async function windowNamed(title, timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      const ids = await xdotool(['search', '--onlyvisible', '--name', `^${title}$`]);
      if (ids) return ids.split('\n').at(-1);
    } catch {
      // xdotool exits 1 while no window matches.
    }
    if (Date.now() > deadline) throw new Error(`no window titled "${title}" after ${timeout} ms`);
    await sleep(200);
  }
}

/**
 * Answers the GTK save dialog titled `title` with the absolute `path`: focuses it, replaces
 * the suggested name with the path and presses Enter. Resolves once the dialog is gone.
 */
export async function saveDialogAnswer(title, path, { timeout = 30000 } = {}) {
  const id = await windowNamed(title, timeout);
  // The dialog fills in its suggested name a moment after it maps.
  await sleep(500);
  await xdotool(['windowfocus', '--sync', id]);
  await xdotool(['key', '--clearmodifiers', 'ctrl+a']);
  await xdotool(['type', '--delay', '15', path]);
  await xdotool(['key', 'Return']);
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      await xdotool(['search', '--onlyvisible', '--name', `^${title}$`]);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`the "${title}" dialog is still open after Enter`);
    await sleep(200);
  }
}
