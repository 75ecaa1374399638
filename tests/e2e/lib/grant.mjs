// The grant wizard, the approval window and the sessions dashboard, driven the way a person
// uses them: through labelled controls, one step at a time. The approval window is a second
// top-level window Rust opens (label `approval`, approval.html); WebDriver reaches it through
// window handles, and every helper here says which window it leaves the session in.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/** Sessions → New session: the wizard's first step. */
export async function openGrantWizard(app) {
  await app.click('Sessions');
  await app.until('the sessions screen', async () => /Sessions/.test((await app.textOf('#sessions-title')) ?? ''));
  await app.click('New session');
  await app.byLabel('Session label');
}

/** Step 1: label and "Generate in Warden"; Next. */
export async function keyStep(app, label) {
  await app.fill('Session label', label);
  const generate = await app.byLabel('Generate in Warden');
  if (!(await generate.property('checked'))) await generate.click();
  assert.equal(await generate.property('checked'), true, 'a generated session key is chosen');
}

/** Step 2: an expiry preset by name ("1 day"). */
export async function expiryStep(app, preset) {
  await app.until('the expiry step', () => app.has(preset));
  const radio = await app.byLabel(preset);
  await radio.click();
  assert.equal(await radio.property('checked'), true, `expiry ${preset} chosen`);
}

export async function next(app) {
  await app.click('Next');
}

/** Sets a <select> to `value` as a person picking an option does (input + change events). */
export async function choose(app, select, value) {
  const ok = await app.session.execute(
    `const [sel, value] = arguments;
     if (![...sel.options].some((o) => o.value === value)) return false;
     sel.value = value;
     sel.dispatchEvent(new Event('input', { bubbles: true }));
     sel.dispatchEvent(new Event('change', { bubbles: true }));
     return true;`,
    select,
    value,
  );
  assert.ok(ok, `the select offers ${value}`);
}

/** The text of the selected option of a <select>. */
export function selectedText(app, select) {
  return app.session.execute('return arguments[0].selectedOptions[0]?.textContent.trim() ?? null;', select);
}

/**
 * Step 3: adds one permission card and fills it. `p` is {type, amount?, unit?, address?,
 * symbol?}: `type` a wire type; `unit` ETH/gwei/wei for native limits; for an ERC-20 limit
 * `symbol` is the token's, and the test waits until Warden read it from the chain before typing
 * the allowance in whole tokens. Returns the card (a fieldset).
 */
export async function addPermission(app, p) {
  const count = await app.session.execute(
    `return document.querySelectorAll('fieldset[aria-label^="Permission "]').length;`,
  );
  await app.click('Add permission');
  const card = await app.byLabel(`Permission ${count + 1}`);
  const type = await app.byLabel('Permission type', { within: card });
  if ((await type.property('value')) !== p.type) await choose(app, type, p.type);
  await app.until(`permission ${count + 1} to be ${p.type}`, async () => (await type.property('value')) === p.type);

  if (p.address) {
    const what = p.type === 'erc20-token-transfer' ? 'Token address' : 'Contract address';
    const input = await app.byLabel(what, { within: card });
    await input.clear();
    await input.type(p.address);
  }
  if (p.type === 'erc20-token-transfer') {
    // Warden reads symbol and decimals from the chain; the unit becomes the token's.
    const line = await app.until(`the token's symbol from the chain`, async () => {
      const t = await app.textOf('[data-testid$="-token"]', { within: card });
      return t && t.includes(p.symbol) ? t : null;
    });
    assert.match(line, new RegExp(`^${p.symbol} · \\d+ decimals · `), `the token line: ${line}`);
    const unit = await app.byLabel('Unit', { within: card });
    await app.until('the token unit', async () => (await selectedText(app, unit)) === p.symbol);
  }
  if (p.amount !== undefined) {
    const amount = await app.byLabel(p.type === 'gas-limit' ? 'Gas limit' : 'Allowance', { within: card });
    await amount.clear();
    await amount.type(p.amount);
    if (p.unit) {
      const unit = await app.byLabel('Unit', { within: card });
      if ((await unit.property('value')) !== p.unit) await choose(app, unit, p.unit);
    }
  }
  return card;
}

/** The text of the visible error notes and field errors (inside `within`), or null. Screens
 * show a failed command this way; waiting for something else then stops at once. */
export async function shownErrors(app, { within = null } = {}) {
  const texts = await app.session.execute(
    `const scope = arguments[0] || document;
     return [...scope.querySelectorAll('.error-note, .field-error, .general-errors')]
       .filter((el) => el.getClientRects().length > 0)
       .map((el) => el.textContent.replace(/\\s+/g, ' ').trim());`,
    within,
  );
  return texts.length > 0 ? texts.join(' | ') : null;
}

/** Waits for `check()` to be truthy, failing at once when the screen shows an error. */
export async function untilNoError(app, what, check, opts = {}) {
  const r = await app.until(what, async () => {
    const value = await check();
    if (value) return { value };
    const error = await shownErrors(app, { within: opts.within ?? null });
    return error ? { error } : null;
  }, opts);
  if (r.error) {
    await app.screenshot(`error-${what.replace(/\W+/g, '-')}`);
    assert.fail(`${what}: the app shows an error: ${r.error}`);
  }
  return r.value;
}

/** Next on the permissions step: `permissions_check`, then the summary. Returns its text. */
export async function toSummary(app) {
  await next(app);
  await untilNoError(app, 'the summary step', async () => (await app.textOf('#grant-step-3')) === 'Summary', { timeout: 30000 });
  await app.until('the permissions in words', async () => (await app.textOf('.summary .views')) || null);
  return app.textOf('.summary');
}

/**
 * Request approval → the approval window. Rust opens (or reuses) the window labelled
 * `approval`; the session ends up in whichever other window shows an unanswered request.
 * Resolves to {main, approval} handles.
 */
export async function requestApproval(app) {
  const main = await app.session.windowHandle();
  await app.click('Request approval');
  return { main, approval: await findApprovalWindow(app, main) };
}

/** Switches to the window (other than `main`) that shows an unanswered request; fails when
 * the main window shows an error instead. Resolves to its handle. */
export async function findApprovalWindow(app, main) {
  const approval = await app.until('the approval window to show a request', async () => {
    for (const handle of await app.session.windowHandles()) {
      if (handle === main) continue;
      try {
        await app.session.switchToWindow(handle);
        const open = await app.session.execute(OPEN_REQUEST);
        if (open) return handle;
      } catch {
        // A window closing or still loading: look again.
      }
    }
    await app.session.switchToWindow(main);
    const error = await shownErrors(app);
    return error ? { error } : null;
  }, { timeout: 60000, interval: 250 });
  if (typeof approval !== 'string') {
    await app.screenshot('request-approval-error');
    assert.fail(`Request approval: the app shows an error: ${approval.error}`);
  }
  return approval;
}

/** Whether this window is the approval window with a request not yet answered. */
const OPEN_REQUEST = `
  const root = document.getElementById('approval');
  if (!root) return false;
  const reject = [...root.querySelectorAll('button')].some((b) => b.textContent.trim() === 'Reject');
  return reject && !root.querySelector('[data-testid="outcome"]');
`;

/** The decoded request as the approval window shows it. Call in the approval window. */
export async function approvalView(app) {
  return app.session.execute(`
    const text = (sel) => { const el = document.querySelector(sel); return el ? el.textContent.replace(/\\s+/g, ' ').trim() : null; };
    const approve = [...document.querySelectorAll('button')].find((b) => /^Approv/.test(b.textContent.trim()));
    return {
      title: document.title,
      account: text('[data-testid="account"]'),
      sessionKey: text('[data-testid="session-key"]'),
      digest: text('[data-testid="digest"]'),
      verification: text('[data-testid="verification"]'),
      verifiedHeading: text('#verify-title'),
      permissions: [...document.querySelectorAll('.views li')].map((li) => ({
        title: li.querySelector('.view-title')?.textContent.trim() ?? '',
        detail: li.querySelector('.view-detail')?.textContent.trim() ?? '',
      })),
      risks: [...document.querySelectorAll('.risks li')].map((li) => li.dataset.severity + ': ' + li.textContent.replace(/\\s+/g, ' ').trim()),
      mismatches: [...document.querySelectorAll('table.mismatches tbody tr')].map((tr) => ({
        field: tr.querySelector('th')?.textContent.trim() ?? '',
        expected: tr.querySelectorAll('td')[0]?.textContent.trim() ?? '',
        actual: tr.querySelectorAll('td')[1]?.textContent.trim() ?? '',
      })),
      countdown: text('[data-testid="countdown"]'),
      outcome: text('[data-testid="outcome"]'),
      approveButton: approve ? { text: approve.textContent.trim(), disabled: approve.disabled } : null,
      body: document.body.innerText,
    };
  `);
}

/**
 * Presses `button` (Approve or Reject) in the approval window and waits for its answer there;
 * the window may close itself once answered. Resolves to the outcome text, or null when the
 * window was gone before it could be read. Leaves the session in the main window.
 */
export async function answerApproval(app, handles, button, shoot) {
  if (button === 'Approve') {
    // Approve arms once the window has been in front for a second (as a person would see it).
    await app.until('Approve to be armed', () =>
      app.session.execute(`const b = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Approve');
        return Boolean(b && !b.disabled);`), { timeout: 15000 });
  }
  await app.click(button);
  let outcome = null;
  try {
    outcome = await app.until(`the approval window's answer to ${button}`, async () => {
      const handlesNow = await app.session.windowHandles();
      if (!handlesNow.includes(handles.approval)) return 'closed';
      return app.textOf('[data-testid="outcome"]');
    }, { timeout: 60000 });
    if (outcome !== 'closed' && shoot) await shoot();
  } catch (e) {
    // A window that closes while being read answers "no such window".
    if (!/no such window|NoSuchWindow|no_such_window/i.test(String(e))) throw e;
    outcome = 'closed';
  }
  await app.session.switchToWindow(handles.main);
  return outcome === 'closed' ? null : outcome;
}

/** The grant wizard's final card (data-testid grant-outcome) text once it reads `heading`. */
export async function grantOutcome(app, heading) {
  return app.until(`the wizard to say "${heading}"`, async () => {
    const t = await app.textOf('[data-testid="grant-outcome"]');
    return t && t.includes(heading) ? t : null;
  }, { timeout: 60000 });
}

/** Opens the Export dialog of the session `label` (its `card`), chooses Plaintext and ticks
 * its confirmation. Resolves to the dialog. */
export async function exportPlaintext(app, card, label) {
  await app.click('Export', { within: card });
  const dialog = await app.byLabel(`Export “${label}”`);
  await app.click('Plaintext', { within: dialog });
  const confirm = await app.byLabel('I understand anyone who reads this document can use the session', { within: dialog });
  await confirm.click();
  assert.equal(await confirm.property('checked'), true);
  return dialog;
}

/** The session card (an article) whose heading is `label`. */
export function sessionCard(app, label, opts) {
  return app.byLabel(label, opts);
}

/** The card's status badge text. */
export async function cardStatus(app, card) {
  return app.textOf('[data-testid="status"]', { within: card });
}

/** Re-opens the sessions screen (it reads sessions and usage afresh). */
export async function reopenSessions(app) {
  await app.click('Account');
  await sleep(300);
  await app.click('Sessions');
  await app.until('the sessions screen', async () => /Sessions/.test((await app.textOf('#sessions-title')) ?? ''));
}
