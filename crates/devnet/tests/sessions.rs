//! Accounts, sessions and calls against a real anvil: the wire shapes (every result is
//! checked against the official schemas), MAv2 nonces and call data, enforcement with the
//! numbers in the errors, and no state change from a refused operation. (Each refusal's
//! full live shape — code, message, revert data — is in `live_shapes.rs`.)

#![allow(clippy::unwrap_used)]

mod common;

use alloy_primitives::{Address, Bytes, U256, address};
use common::*;
use serde_json::{Value, json};
use warden_core::mav2::account::sma_b_address;
use warden_core::mav2::constants::ENTRY_POINT_V07;
use warden_core::mav2::nonce::{owner_key, session_first_use_key};
use warden_core::signing::DigestSigner;

const ALICE: Address = address!("00000000000000000000000000000000000a11ce");
const BOB: Address = address!("0000000000000000000000000000000000000b0b");
const MILLI: u128 = 1_000_000_000_000_000;

fn owner() -> Address {
    signer(OWNER_KEY).address()
}
fn session_key() -> Address {
    signer(SESSION_KEY).address()
}

#[tokio::test]
async fn accounts_are_sma_b_by_default_with_salts_ids_and_7702() {
    let d = devnet().await;
    let url = d.url();
    let r =
        wallet(&url, "wallet_requestAccount", json!([{"signerAddress": owner(), "includeCounterfactualInfo": true}]))
            .await;
    let first = addr(&r["accountAddress"]);
    assert_eq!(first, sma_b_address(owner(), U256::ZERO));
    assert_eq!(r["counterfactualInfo"]["factoryType"], "MAv2.0.0-sma-b");
    assert_eq!(r["counterfactualInfo"]["factoryAddress"], "0x00000000000017c61b5bEe81050EC8eFc9c6fecd");
    // The existing account is returned and the hint ignored.
    let again =
        wallet(&url, "wallet_requestAccount", json!([{"signerAddress": owner(), "creationHint": {"salt": "0x5"}}]))
            .await;
    assert_eq!((again["accountAddress"].clone(), again["id"].clone()), (r["accountAddress"].clone(), r["id"].clone()));
    // A new id makes an additional account with the next salt; the same id finds it again.
    let id = "0b6e5a8e-7c1d-4f2a-9e3b-5d4c3b2a1f00";
    let second = wallet(&url, "wallet_requestAccount", json!([{"signerAddress": owner(), "id": id}])).await;
    assert_eq!(addr(&second["accountAddress"]), sma_b_address(owner(), U256::from(1)));
    assert_eq!(second["id"], id);
    let by_id = wallet(&url, "wallet_requestAccount", json!([{"signerAddress": owner(), "id": id}])).await;
    assert_eq!(by_id["accountAddress"], second["accountAddress"]);
    let by_address = wallet(&url, "wallet_requestAccount", json!([{"accountAddress": second["accountAddress"]}])).await;
    assert_eq!(by_address["id"], id);

    // Paging.
    let page = wallet(&url, "wallet_listAccounts", json!([{"signerAddress": owner(), "limit": 1}])).await;
    assert_eq!(page["meta"]["totalCount"], 2);
    assert_eq!(page["accounts"][0]["accountAddress"], r["accountAddress"]);
    let after = page["meta"]["after"].clone();
    let last = wallet(&url, "wallet_listAccounts", json!([{"signerAddress": owner(), "after": after}])).await;
    assert_eq!(last["accounts"][0]["accountAddress"], second["accountAddress"]);
    assert_eq!(last["meta"]["after"], Value::Null);

    // 7702: the EOA itself, with its delegation.
    let eoa = signer(OTHER_KEY).address();
    let s =
        wallet(&url, "wallet_requestAccount", json!([{"signerAddress": eoa, "creationHint": {"accountType": "7702"}}]))
            .await;
    assert_eq!(addr(&s["accountAddress"]), eoa);
    assert_eq!(s["delegation"], "0x69007702764179f14F51cdce752f4f775d74E139");

    let caps = wallet(&url, "wallet_getCapabilities", json!([first])).await;
    assert_eq!(caps["0x0"]["atomic"]["status"], "supported");

    // Refusals.
    let (code, msg) = err(&url, "wallet_requestAccount", json!([{"accountAddress": ALICE}])).await;
    assert_eq!(code, -32602);
    assert!(msg.contains("unknown account"), "{msg}");
    let (code, msg) =
        err(&url, "wallet_requestAccount", json!([{"signerAddress": BOB, "creationHint": {"accountType": "la-v2"}}]))
            .await;
    assert_eq!(code, -32602);
    assert!(msg.contains("Modular Account v2 only"), "{msg}");
    let (code, msg) = err(&url, "wallet_requestAccount", json!([{"signerAddress": "0x12"}])).await;
    assert_eq!(code, -32602, "{msg}");
    let (code, _) = err(&url, "wallet_listAccounts", json!([{"signerAddress": owner(), "after": "bm9wZQ"}])).await;
    assert_eq!(code, -32602);
}

#[tokio::test]
async fn a_session_installs_on_first_use_and_its_native_allowance_is_enforced() {
    let d = devnet().await;
    let url = d.url();
    let account = funded_account(&url, owner(), 10 * MILLI * 1000).await;
    let expiry = 4_000_000_000u64;
    let g = grant(
        &url,
        account,
        session_key(),
        json!([{"type": "native-token-transfer", "data": {"allowance": format!("{:#x}", 3 * MILLI)}},
               {"type": "contract-access", "data": {"address": ALICE}}]),
        Some(expiry),
    )
    .await;
    assert_eq!(g.typed_data["message"]["nonce"], "0x1020000000000000000", "entity 1, deferred flag");
    assert_eq!(g.typed_data["domain"], json!({"chainId": 31337, "verifyingContract": account.to_checksum(None)}));
    let caps = json!({"permissions": g.capability()});

    // First use: deferred nonce, factory data, executeUserOp prefix (execution hooks).
    let send = |value: u128| json!([{"to": ALICE, "value": format!("{value:#x}"), "data": "0x"}]);
    let prepared = prepare(&url, account, send(MILLI), caps.clone()).await;
    assert_eq!(prepared["type"], "user-operation-v070");
    assert_eq!(prepared["data"]["nonce"], "0x1020000000000000000");
    assert_eq!(prepared["data"]["factory"], "0x00000000000017c61b5bEe81050EC8eFc9c6fecd");
    assert!(prepared["data"]["callData"].as_str().unwrap().starts_with("0x8dd7712f34fcd5be"));
    assert_eq!(prepared["signatureRequest"]["type"], "personal_sign");
    let signed = sign_prepared(&prepared, SESSION_KEY, caps.clone());
    let sent = wallet(&url, "wallet_sendPreparedCalls", json!([signed.clone()])).await;
    let id = sent["id"].as_str().unwrap().to_owned();
    assert_eq!(
        id,
        format!("0x{}{}", "0".repeat(60) + "7a69", &prepared["details"]["data"]["hash"].as_str().unwrap()[2..])
    );
    let st = status(&url, &id).await;
    assert_eq!(st["status"], 200, "{st}");
    assert!(!st["receipts"].as_array().unwrap().is_empty());
    assert_eq!(balance(&d.node, ALICE).await, U256::from(MILLI));
    // Sending the same signed operation again is idempotent.
    let again = wallet(&url, "wallet_sendPreparedCalls", json!([signed])).await;
    assert_eq!(again["id"], sent["id"]);
    assert_eq!(balance(&d.node, ALICE).await, U256::from(MILLI));
    assert_eq!(
        ep_nonce(&d.node, account, session_first_use_key(U256::ZERO, 1, false)).await,
        (U256::from(0x102) << 64) + U256::from(1)
    );

    // Later uses: the installed key, no factory.
    let prepared = prepare(&url, account, send(2 * MILLI), caps.clone()).await;
    assert_eq!(prepared["data"]["nonce"], "0x1000000000000000000");
    assert!(prepared["data"].get("factory").is_none());
    let signed = sign_prepared(&prepared, SESSION_KEY, caps.clone());
    let sent = wallet(&url, "wallet_sendPreparedCalls", json!([signed])).await;
    assert_eq!(status(&url, sent["id"].as_str().unwrap()).await["status"], 200);
    assert_eq!(balance(&d.node, ALICE).await, U256::from(3 * MILLI));

    // Beyond the allowance: refused at prepare, with the numbers, and nothing changes.
    let usage_before = ok(&url, "devnet_sessionUsage", json!([g.session_id])).await;
    assert_eq!(usage_before["limits"][0]["spent"], json!(format!("{:#x}", 3 * MILLI)));
    assert_eq!(usage_before["installed"], true);
    let account_before = balance(&d.node, account).await;
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": send(MILLI), "from": account, "chainId": CHAIN, "capabilities": caps}]),
    )
    .await;
    assert_eq!(code, -32521);
    assert_eq!(
        msg,
        "execution reverted: PreExecHookReverted(NativeTokenLimitModule entity 1, ExceededNativeTokenLimit()): native-token-transfer allowance exceeded: requested 1000000000000000 wei, remaining 0 wei"
    );
    assert_eq!(balance(&d.node, account).await, account_before);
    assert_eq!(ok(&url, "devnet_sessionUsage", json!([g.session_id])).await, usage_before);

    // A target outside the allow-list.
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": [{"to": BOB, "value": "0x0"}], "from": account, "chainId": CHAIN, "capabilities": caps}]),
    )
    .await;
    assert_eq!(code, -32500);
    assert!(
        msg.starts_with(
            "AA23 reverted: PreUserOpValidationHookReverted(AllowlistModule entity 1, AddressNotAllowed())"
        ),
        "{msg}"
    );
    assert!(msg.contains(&format!("target {BOB} is not allowed")), "{msg}");
}

#[tokio::test]
async fn bad_signatures_replays_stale_nonces_and_unknown_ids_are_refused_without_effect() {
    let d = devnet().await;
    let url = d.url();
    let account = funded_account(&url, owner(), 1000 * MILLI).await;
    let g = grant(&url, account, session_key(), json!([{"type": "root"}]), None).await;
    let caps = json!({"permissions": g.capability()});
    let calls = json!([{"to": ALICE, "value": "0x1"}]);

    // Signed by the wrong key.
    let prepared = prepare(&url, account, calls.clone(), caps.clone()).await;
    let wrong = sign_prepared(&prepared, OTHER_KEY, caps.clone());
    let (code, msg) = err(&url, "wallet_sendPreparedCalls", json!([wrong])).await;
    assert_eq!(code, -32507);
    assert!(msg.starts_with("AA24 signature error"), "{msg}");
    assert!(msg.contains(&format!("but the session key is {}", session_key())), "{msg}");
    // The grant signed by someone else than the owner.
    let forged = grant(&url, account, session_key(), json!([{"type": "root"}]), None).await;
    let bad_grant = json!({"permissions": {"sessionId": forged.session_id, "signature": g.signature}});
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": calls, "from": account, "chainId": CHAIN, "capabilities": bad_grant}]),
    )
    .await;
    assert_eq!(code, -32500, "{msg}");
    assert!(msg.starts_with("AA23 reverted: DeferredActionSignatureInvalid()"), "{msg}");
    assert!(msg.contains("the account owner is"), "{msg}");
    // Unknown session.
    let unknown = json!({"permissions": {"sessionId": "0x000102030405060708090a0b0c0d0e0f", "signature": g.signature}});
    let (code, _) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": calls, "from": account, "chainId": CHAIN, "capabilities": unknown}]),
    )
    .await;
    assert_eq!(code, -32602);
    // Tampered after prepare.
    let mut tampered = sign_prepared(&prepared, SESSION_KEY, caps.clone());
    tampered["data"]["callGasLimit"] = json!("0x1");
    let (code, msg) = err(&url, "wallet_sendPreparedCalls", json!([tampered])).await;
    assert_eq!(code, -32602);
    assert!(msg.contains("was not prepared by this devnet"), "{msg}");
    // Permissions not repeated on send.
    let mut no_caps = sign_prepared(&prepared, SESSION_KEY, caps.clone());
    no_caps.as_object_mut().unwrap().remove("capabilities");
    let (code, msg) = err(&url, "wallet_sendPreparedCalls", json!([no_caps])).await;
    assert_eq!(code, -32602);
    assert!(msg.contains("must repeat the permissions capability"), "{msg}");
    assert_eq!(balance(&d.node, ALICE).await, U256::ZERO);

    // Two operations prepared on the same nonce: the second is stale once the first ran.
    let other = prepare(&url, account, json!([{"to": ALICE, "value": "0x2"}]), caps.clone()).await;
    assert_eq!(other["data"]["nonce"], prepared["data"]["nonce"]);
    let first = sign_prepared(&prepared, SESSION_KEY, caps.clone());
    wallet(&url, "wallet_sendPreparedCalls", json!([first])).await;
    let nonce_after = ep_nonce(&d.node, account, session_first_use_key(U256::ZERO, 1, true)).await;
    let (code, msg) =
        err(&url, "wallet_sendPreparedCalls", json!([sign_prepared(&other, SESSION_KEY, caps.clone())])).await;
    assert_eq!(code, -32500, "{msg}");
    assert!(msg.starts_with("AA25 invalid account nonce"), "{msg}");
    assert_eq!(balance(&d.node, ALICE).await, U256::from(1));
    assert_eq!(ep_nonce(&d.node, account, session_first_use_key(U256::ZERO, 1, true)).await, nonce_after);

    // Unknown call ids and wrong chains.
    let (code, _) = err(&url, "wallet_getCallsStatus", json!(["0x1234"])).await;
    assert_eq!(code, 5730);
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": calls, "from": account, "chainId": "0x1", "capabilities": caps}]),
    )
    .await;
    assert_eq!(code, -32602);
    assert!(msg.contains("is not this devnet's chain"), "{msg}");
    // Shapes.
    let (code, _) = err(&url, "wallet_sendPreparedCalls", json!([{"type": "user-operation-v070"}])).await;
    assert_eq!(code, -32602);
    let (code, _) = err(&url, "wallet_createSession", json!([])).await;
    assert_eq!(code, -32602);
}

#[tokio::test]
async fn expired_and_revoked_sessions_are_refused() {
    let d = devnet().await;
    let url = d.url();
    let node = d.anvil.clone();
    let account = funded_account(&url, owner(), 1000 * MILLI).await;
    let perms = json!([{"type": "contract-access", "data": {"address": ALICE}}]);
    let calls = json!([{"to": ALICE, "value": "0x1"}]);

    // Expiry against the node's clock.
    let now = quantity(&ok(&d.node, "eth_getBlockByNumber", json!(["latest", false])).await["timestamp"]).to::<u64>();
    let g = grant(&url, account, session_key(), perms.clone(), Some(now + 100)).await;
    let caps = json!({"permissions": g.capability()});
    prepare(&url, account, calls.clone(), caps.clone()).await;
    ok(&node, "evm_increaseTime", json!([200])).await;
    ok(&node, "evm_mine", json!([])).await;
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": calls, "from": account, "chainId": CHAIN, "capabilities": caps}]),
    )
    .await;
    assert_eq!(code, -32503);
    assert!(msg.starts_with(&format!("AA22 expired or not due: session expired: expirySec {}", now + 100)), "{msg}");

    // An unused grant is revoked by bumping its deferred nonce key from the account.
    let unused = grant(&url, account, session_key(), perms.clone(), None).await;
    let unused_caps = json!({"permissions": unused.capability()});
    let key = session_first_use_key(U256::ZERO, 2, false);
    let bump = json!([{"to": ENTRY_POINT_V07, "data": entry_point_increment(key)}]);
    let id = send_calls(&url, account, bump, json!({}), OWNER_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": calls, "from": account, "chainId": CHAIN, "capabilities": unused_caps}]),
    )
    .await;
    assert_eq!(code, -32500);
    assert!(msg.starts_with("AA25 invalid account nonce: session revoked: its grant was cancelled"), "{msg}");

    // An installed session is revoked by the owner uninstalling its validation.
    let used = grant(&url, account, session_key(), perms, None).await;
    let used_caps = json!({"permissions": used.capability()});
    let id = send_calls(&url, account, calls.clone(), used_caps.clone(), SESSION_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    let uninstall = uninstall_validation(3);
    let id = send_calls(&url, account, json!([{"to": account, "data": uninstall}]), json!({}), OWNER_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": calls, "from": account, "chainId": CHAIN, "capabilities": used_caps}]),
    )
    .await;
    assert_eq!(code, -32500);
    assert!(msg.starts_with("AA23 reverted: ValidationFunctionMissing(0x34fcd5be)"), "{msg}");
    assert!(msg.contains("uninstalled its validation (entity 3)"), "{msg}");
    let usage = ok(&url, "devnet_sessionUsage", json!([used.session_id])).await;
    assert_eq!((usage["installed"].clone(), usage["revoked"].clone()), (json!(true), json!(true)));
}

async fn latest_block(node: &str) -> (u64, u64) {
    let b = ok(node, "eth_getBlockByNumber", json!(["latest", false])).await;
    (quantity(&b["number"]).to::<u64>(), quantity(&b["timestamp"]).to::<u64>())
}

#[tokio::test]
async fn expiry_is_checked_against_the_next_blocks_time_even_when_no_block_was_mined() {
    let d = devnet().await;
    let url = d.url();
    let node = d.anvil.clone();
    let account = funded_account(&url, owner(), 1000 * MILLI).await;
    let perms = json!([{"type": "contract-access", "data": {"address": ALICE}}]);
    let calls = json!([{"to": ALICE, "value": "0x1"}]);
    let key = warden_core::mav2::nonce::session_installed_key(U256::ZERO, 1, false);

    // A live session, installed by a first use; then an operation prepared while it is live.
    let (_, now) = latest_block(&d.node).await;
    let expiry = now + 1000;
    let g = grant(&url, account, session_key(), perms.clone(), Some(expiry)).await;
    let caps = json!({"permissions": g.capability()});
    let id = send_calls(&url, account, calls.clone(), caps.clone(), SESSION_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    let prepared = prepare(&url, account, calls.clone(), caps.clone()).await;
    let signed = sign_prepared(&prepared, SESSION_KEY, caps.clone());

    // The clock moves past the expiry, but no block is mined: the latest block is still
    // inside the session's time range, the block the operation would run in is not.
    ok(&node, "evm_increaseTime", json!([2000])).await;
    let (number, latest) = latest_block(&d.node).await;
    assert!(latest <= expiry, "no block was mined past the expiry");
    let (alice, nonce) = (balance(&d.node, ALICE).await, ep_nonce(&d.node, account, key).await);
    let (code, msg) = err(&url, "wallet_sendPreparedCalls", json!([signed])).await;
    assert_eq!(code, -32503, "{msg}");
    assert!(
        msg.starts_with(&format!(
            "AA22 expired or not due: session expired: expirySec {expiry} is before the time of the next block"
        )),
        "{msg}"
    );
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": calls, "from": account, "chainId": CHAIN, "capabilities": caps}]),
    )
    .await;
    assert_eq!(code, -32503, "{msg}");
    assert!(msg.starts_with(&format!("AA22 expired or not due: session expired: expirySec {expiry}")), "{msg}");
    assert_eq!(latest_block(&d.node).await.0, number, "a refusal mines nothing");
    assert_eq!((balance(&d.node, ALICE).await, ep_nonce(&d.node, account, key).await), (alice, nonce));

    // evm_setNextBlockTimestamp: one second past the expiry is refused; exactly at the
    // expiry is still inside the range (TimeRangeModule refuses only `timestamp > validUntil`),
    // and the operation refused a moment ago was kept and now runs.
    let (_, now) = latest_block(&d.node).await;
    let next = quantity(&ok(&d.node, "eth_getBlockByNumber", json!(["pending", false])).await["timestamp"]).to::<u64>();
    let expiry = next.max(now) + 1000;
    let g = grant(&url, account, session_key(), perms, Some(expiry)).await;
    let caps = json!({"permissions": g.capability()});
    let id = send_calls(&url, account, calls.clone(), caps.clone(), SESSION_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    let prepared = prepare(&url, account, calls.clone(), caps.clone()).await;
    let signed = sign_prepared(&prepared, SESSION_KEY, caps);
    ok(&node, "evm_setNextBlockTimestamp", json!([expiry + 1])).await;
    let (code, msg) = err(&url, "wallet_sendPreparedCalls", json!([signed.clone()])).await;
    assert_eq!(code, -32503, "{msg}");
    assert_eq!(
        msg,
        format!(
            "AA22 expired or not due: session expired: expirySec {expiry} is before the time of the next block {}",
            expiry + 1
        )
    );
    ok(&node, "evm_setNextBlockTimestamp", json!([expiry])).await;
    let alice = balance(&d.node, ALICE).await;
    let sent = wallet(&url, "wallet_sendPreparedCalls", json!([signed])).await;
    let st = status(&url, sent["id"].as_str().unwrap()).await;
    assert_eq!(st["status"], 200, "{st}");
    assert_eq!(balance(&d.node, ALICE).await, alice + U256::from(1));
    let block = ok(&d.node, "eth_getBlockByNumber", json!([st["receipts"][0]["blockNumber"], false])).await;
    assert_eq!(quantity(&block["timestamp"]).to::<u64>(), expiry, "the call ran in a block at exactly the expiry");
}

#[tokio::test]
async fn operations_on_an_automining_node_mine_no_empty_blocks() {
    let d = devnet().await;
    let url = d.url();
    let account = funded_account(&url, owner(), 1000 * MILLI).await;
    let (start, _) = latest_block(&d.node).await;
    for i in 0..20u64 {
        let id =
            send_calls(&url, account, json!([{"to": ALICE, "value": format!("{:#x}", i + 1)}]), json!({}), OWNER_KEY)
                .await;
        assert_eq!(status(&url, &id).await["status"], 200);
    }
    let (end, _) = latest_block(&d.node).await;
    // Each operation is one transaction (the calls and the nonce increment): one block each.
    assert_eq!(end - start, 20, "blocks mined for 20 one-call operations");
    for n in start + 1..=end {
        let block = ok(&d.node, "eth_getBlockByNumber", json!([format!("{n:#x}"), false])).await;
        assert_eq!(block["transactions"].as_array().unwrap().len(), 1, "block {n}");
    }
}

#[tokio::test]
async fn owner_batches_are_atomic_and_sponsorship_costs_the_account_nothing() {
    let d = devnet().await;
    let url = d.url();
    let node = d.anvil.clone();
    let account = funded_account(&url, owner(), 1000 * MILLI).await;
    let reverter = address!("00000000000000000000000000000000000fa11d");
    ok(&node, "anvil_setCode", json!([reverter, "0x60006000fd"])).await;

    // First owner op deploys (factory) and uses the owner key 0x01.
    let prepared = prepare(&url, account, json!([{"to": ALICE, "value": "0x5"}]), json!({})).await;
    assert_eq!(prepared["data"]["nonce"], "0x10000000000000000");
    assert!(prepared["data"]["factory"].is_string());
    let id = {
        let signed = sign_prepared(&prepared, OWNER_KEY, json!({}));
        wallet(&url, "wallet_sendPreparedCalls", json!([signed])).await["id"].as_str().unwrap().to_owned()
    };
    assert_eq!(status(&url, &id).await["status"], 200);

    // A batch whose second call reverts: nothing of it happens, the nonce is consumed.
    let before = (balance(&d.node, ALICE).await, ep_nonce(&d.node, account, owner_key()).await);
    let id = send_calls(
        &url,
        account,
        json!([{"to": ALICE, "value": "0x7"}, {"to": reverter, "data": "0x12345678"}]),
        json!({}),
        OWNER_KEY,
    )
    .await;
    let st = status(&url, &id).await;
    assert_eq!(st["status"], 500, "{st}");
    assert!(st["revertReason"].as_str().unwrap().starts_with("calls[1]"), "{st}");
    assert_eq!(balance(&d.node, ALICE).await, before.0);
    assert_eq!(ep_nonce(&d.node, account, owner_key()).await, before.1 + U256::from(1));

    // Sponsored by the default gas policy: the account pays only the value.
    let policy = json!({"paymasterService": default_policy()});
    let account_before = balance(&d.node, account).await;
    let prepared = prepare(&url, account, json!([{"to": ALICE, "value": "0x9"}]), policy.clone()).await;
    assert_eq!(prepared["data"]["paymaster"], "0x2cc0c7981D846b9F2a16276556f6e8cb52BfB633");
    assert_eq!(prepared["feePayment"]["sponsored"], true);
    let signed = sign_prepared(&prepared, OWNER_KEY, policy.clone());
    let sent = wallet(&url, "wallet_sendPreparedCalls", json!([signed])).await;
    assert_eq!(status(&url, sent["id"].as_str().unwrap()).await["status"], 200);
    assert_eq!(balance(&d.node, account).await, account_before - U256::from(9));

    // Not enough funds for the gas, and no policy: refused (AA21), nothing sent.
    let poor = funded_account(&url, signer(OTHER_KEY).address(), 1000).await;
    let prepared = prepare(&url, poor, json!([{"to": ALICE, "value": "0x1"}]), json!({})).await;
    assert_eq!(prepared["feePayment"]["sponsored"], false);
    let signed = sign_prepared(&prepared, OTHER_KEY, json!({}));
    let (code, msg) = err(&url, "wallet_sendPreparedCalls", json!([signed])).await;
    assert_eq!(code, -32500);
    assert!(msg.starts_with("AA21 didn't pay prefund"), "{msg}");
    assert!(msg.contains("has 1000 wei"), "{msg}");
}

#[tokio::test]
async fn gas_limit_is_charged_unless_sponsored() {
    let d = devnet().await;
    let url = d.url();
    let account = funded_account(&url, owner(), 1000 * MILLI).await;
    let g = grant(
        &url,
        account,
        session_key(),
        json!([{"type": "gas-limit", "data": {"limit": "0x1"}}, {"type": "contract-access", "data": {"address": ALICE}}]),
        None,
    )
    .await;
    let caps = json!({"permissions": g.capability()});
    let calls = json!([{"to": ALICE, "value": "0x1"}]);
    let (code, msg) = err(
        &url,
        "wallet_prepareCalls",
        json!([{"calls": calls, "from": account, "chainId": CHAIN, "capabilities": caps}]),
    )
    .await;
    assert_eq!(code, -32500);
    assert!(msg.starts_with("AA23 reverted: PreUserOpValidationHookReverted(NativeTokenLimitModule entity 2147483648, ExceededNativeTokenLimit()): gas-limit exceeded: the operation may cost up to "), "{msg}");
    assert!(msg.ends_with("remaining 1 wei"), "{msg}");
    let sponsored = json!({"permissions": g.capability(), "paymasterService": default_policy()});
    let id = send_calls(&url, account, calls, sponsored, SESSION_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    let usage = ok(&url, "devnet_sessionUsage", json!([g.session_id])).await;
    assert_eq!(usage["limits"][0]["spent"], "0x0");
}

fn entry_point_increment(key: U256) -> Bytes {
    warden_devnet::entry_point::increment_nonce_data(key)
}

fn uninstall_validation(entity: u32) -> Bytes {
    alloy_sol_types::sol! { function uninstallValidation(bytes24 validationFunction, bytes uninstallData, bytes[] hookUninstallData); }
    use alloy_sol_types::SolCall;
    let mut f = [0u8; 24];
    f[..20].copy_from_slice(warden_core::mav2::constants::SINGLE_SIGNER_VALIDATION_MODULE.as_slice());
    f[20..].copy_from_slice(&entity.to_be_bytes());
    uninstallValidationCall { validationFunction: f.into(), uninstallData: Bytes::new(), hookUninstallData: vec![] }
        .abi_encode()
        .into()
}
