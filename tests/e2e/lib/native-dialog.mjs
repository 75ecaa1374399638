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

/** The ids of the visible windows titled exactly `title` (xdotool exits 1 when there are
 * none; it takes a regular expression, so the title's own `?`, `.` and the like are escaped). */
async function windowsNamed(title) {
  const literal = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  try {
    return (await xdotool(['search', '--onlyvisible', '--name', `^${literal}$`])).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Polls `check` every 200 ms until it returns a truthy value, which it resolves to. */
async function poll(what, check, timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} after ${timeout} ms`);
    await sleep(200);
  }
}

/**
 * Answers the GTK save dialog titled `title` with the absolute `path`: focuses it, replaces
 * the suggested name with the path and presses Enter. Resolves once the dialog is gone.
 */
export async function saveDialogAnswer(title, path, { timeout = 30000 } = {}) {
  const id = await poll(`no window titled "${title}"`, async () => (await windowsNamed(title)).at(-1), timeout);
  // The dialog fills in its suggested name a moment after it maps.
  await sleep(500);
  await xdotool(['windowfocus', '--sync', id]);
  await xdotool(['key', '--clearmodifiers', 'ctrl+a']);
  await xdotool(['type', '--delay', '15', path]);
  await xdotool(['key', 'Return']);
  await poll(`the "${title}" dialog is still open after Enter`, async () => (await windowsNamed(title)).length === 0, timeout);
}

/**
 * Answers the GTK open dialog titled `title` with the absolute `path`: focuses it, opens its
 * location entry (Ctrl+L), types the path and presses Enter. Resolves once it is gone.
 */
export async function openDialogAnswer(title, path, { timeout = 30000 } = {}) {
  const id = await poll(`no window titled "${title}"`, async () => (await windowsNamed(title)).at(-1), timeout);
  await sleep(500);
  await xdotool(['windowfocus', '--sync', id]);
  await xdotool(['key', '--clearmodifiers', 'ctrl+l']);
  await sleep(200);
  await xdotool(['type', '--delay', '15', path]);
  // The location entry may take the first Enter to accept its completion; a second opens.
  for (let i = 0; i < 5 && (await windowsNamed(title)).length > 0; i += 1) {
    await xdotool(['key', 'Return']);
    await sleep(700);
  }
  await poll(`the "${title}" dialog is still open after Enter`, async () => (await windowsNamed(title)).length === 0, timeout);
}

/**
 * Answers the native confirmation dialog titled `title` that Warden raises from Rust before
 * an irreversible or secret-revealing action: with `accept`, presses the action's button
 * through its mnemonic (Alt + `mnemonic`, the first letter of the button's label); otherwise
 * presses Escape, which a person uses to say no. Resolves once the dialog is gone. Fails if
 * `finished()` turns true before the dialog was seen (the action ended without asking).
 */
export async function confirmDialogAnswer(title, { accept, mnemonic, timeout = 30000, finished = () => false }) {
  const id = await poll(`no window titled "${title}"`, async () => {
    const found = (await windowsNamed(title)).at(-1);
    if (!found && finished()) throw new Error(`"${title}" was never asked: the action ended without it`);
    return found;
  }, timeout);
  await sleep(300);
  await xdotool(['windowfocus', '--sync', id]);
  await xdotool(['key', '--clearmodifiers', accept ? `alt+${mnemonic}` : 'Escape']);
  await poll(`the "${title}" dialog is still open`, async () => (await windowsNamed(title)).length === 0, timeout);
}

/** Runs `action` (which makes Warden raise the confirmation `title`) and answers the
 * dialog as `answer` says, resolving to what `action` resolved to. */
export async function withConfirmation(title, answer, action) {
  let settled = false;
  const pending = action().finally(() => {
    settled = true;
  });
  // A failure of the action itself is reported by `await pending` below.
  pending.catch(() => {});
  await confirmDialogAnswer(title, { ...answer, finished: () => settled });
  return pending;
}
