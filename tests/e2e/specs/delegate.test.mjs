// A 7702 account on the devnet: fund it, press Delegate, watch the progress, and end
// delegated — on screen and on chain (account_get reads the delegation from its code).
// Then the delegated account grants a session (the wizard preselects the account on
// screen), the approval window names the owner address as the account, and a test call
// signed with the session key moves ETH from that address.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { launch } from '../lib/harness.mjs';
import { accountAddress, createOwnerKey, fundFromFaucet, prepareFor7702 } from '../lib/flows.mjs';
import { balanceOf, nodeUrl, randomAddress } from '../lib/devnet.mjs';
import {
  addPermission,
  answerApproval,
  approvalView,
  cardStatus,
  expiryStep,
  grantOutcome,
  keyStep,
  next,
  openGrantWizard,
  requestApproval,
  sessionCard,
  toSummary,
} from '../lib/grant.mjs';

const lower = (s) => String(s).toLowerCase();

test('7702 account: delegate, then delegated, then a session for it', async () => {
  const app = await launch('delegate-7702');
  try {
    await prepareFor7702(app);
    await createOwnerKey(app, 'Seven');
    const keys = await app.invoke('keys_list');
    const seven = keys.value.find((k) => k.label === 'Seven');
    assert.equal(seven.selected, true);
    await app.until('the 7702 account on screen', async () => (await accountAddress(app)) === seven.address);
    const status = await app.session.find('[data-testid="delegation-status"]');
    assert.equal(await status.text(), 'Not delegated yet');

    // Before its delegation the account cannot grant a session; Rust says why.
    const early = await app.invoke('grant_start', {
      request: {
        label: 'Too early',
        accountType: '7702',
        key: { kind: 'generate' },
        expirySec: Math.floor(Date.now() / 1000) + 3600,
        permissions: [
          { type: 'native-token-transfer', data: { allowance: '0x2386f26fc10000' } },
          { type: 'contract-access', data: { address: randomAddress() } },
        ],
      },
    });
    assert.equal(early.error?.code, 'not_delegated', JSON.stringify(early));
    assert.match(early.error.message, /not delegated/);

    await fundFromFaucet(app);
    await app.click('Delegate');
    await app.until('the delegation to be confirmed', async () => (await status.text()) === 'Delegated', {
      timeout: 60000,
    });
    const result = await app.session.find('[data-testid="delegation-result"]');
    assert.match(await result.text(), /Delegation confirmed/);
    const account = await app.invoke('account_get', { accountType: '7702' });
    assert.equal(account.value.delegated, true, 'delegated on chain');
    await app.screenshot('delegated');

    // ---- a session for the 7702 account ----
    const node = await nodeUrl(app);
    const recipient = randomAddress();
    await openGrantWizard(app);
    const choice = await app.byLabel('EIP-7702 account');
    assert.equal(await choice.property('checked'), true, 'the wizard is for the account on screen');
    assert.equal(await app.has('This EIP-7702 account is not delegated yet'), false);
    await keyStep(app, 'Seven bot');
    await app.screenshot('wizard-7702');
    await next(app);
    await expiryStep(app, '1 hour');
    await next(app);
    await addPermission(app, { type: 'native-token-transfer', amount: '0.01', unit: 'ETH' });
    await addPermission(app, { type: 'contract-access', address: recipient });
    const summary = await toSummary(app);
    assert.ok(summary.includes(`EIP-7702 account (your owner address): ${seven.address}`), summary);

    const handles = await requestApproval(app);
    const view = await approvalView(app);
    await app.screenshot('approval-7702');
    assert.equal(lower(view.account), lower(seven.address), 'the account is the owner address');
    assert.match(view.body, /EIP-7702 account/);
    assert.equal(view.verifiedHeading, 'Verified against your request');
    await answerApproval(app, handles, 'Approve');
    await grantOutcome(app, 'Session approved');

    await app.click('Go to sessions');
    const card = await sessionCard(app, 'Seven bot');
    assert.equal(await cardStatus(app, card), 'Waiting for first use');
    await app.click('Send test call', { within: card });
    const form = await app.byLabel('Test call with Seven bot');
    await app.fill('Call target', recipient, { within: form });
    await app.fill('Value', '0.002', { within: form });
    await app.click('Send', { within: form });
    const sent = await app.until('the test call to finish', async () => {
      const t = await app.textOf('[data-testid="test-call-result"]', { within: form });
      return t || (await app.textOf('.error-note', { within: form }));
    }, { timeout: 90000 });
    await app.screenshot('test-call-7702');
    assert.match(sent, /The test call went through/, sent);
    assert.equal(await balanceOf(node, recipient), 2n * 10n ** 15n, 'the recipient got 0.002 ETH from the 7702 account');
    const usage = await app.byLabel('Usage of Seven bot', { within: card });
    const usageText = await app.until('the usage of the ETH limit', async () => {
      const t = (await usage.text()).replace(/\s+/g, ' ');
      return /0\.002 ETH of 0\.01 ETH/.test(t) ? t : null;
    });
    assert.match(usageText, /devnet count/i, usageText);
    const listed = (await app.invoke('sessions_list')).value;
    assert.equal(listed.length, 1);
    assert.equal(lower(listed[0].account), lower(seven.address));
    assert.equal(listed[0].status, 'active', 'used once, so active');
  } finally {
    await app.close();
  }
});
