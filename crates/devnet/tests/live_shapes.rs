//! Each refusal class answers in its live shape — the ERC-7769 code, the EntryPoint's
//! reason first in the message with the numbers after it, and the MAv2 revert data in
//! `error.data` — changes nothing (balances, EntryPoint nonces, usage, blocks), and is
//! classified by Warden's core as the limit or session state it is.

#![allow(clippy::unwrap_used)]

mod common;

use alloy_primitives::{Address, Bytes, FixedBytes, U256, address};
use alloy_sol_types::{SolCall, sol};
use common::*;
use serde_json::{Value, json};
use warden_core::calls::{CallsError, Stage};
use warden_core::mav2::constants::{
    ALLOWLIST_MODULE, ENTRY_POINT_V07, NATIVE_TOKEN_LIMIT_MODULE, SELECTOR_EXECUTE_BATCH,
};
use warden_core::mav2::nonce::{owner_key, session_first_use_key, session_installed_key};
use warden_core::mav2::reverts::{AccountRevert, ModuleEntity, ModuleRevert};
use warden_core::rpc::RpcError;
use warden_core::signing::{DigestSigner, LocalSigner};
use warden_core::{Coded, ErrorCode};

const ALICE: Address = address!("00000000000000000000000000000000000a11ce");
const BOB: Address = address!("0000000000000000000000000000000000000b0b");
const MILLI: u128 = 1_000_000_000_000_000;
/// The second hook entity of a session with entity 1 (gas limit, ERC-20 limits).
const HOOK_ENTITY: u32 = 0x8000_0000;

sol! {
    function transfer(address to, uint256 amount);
    function balanceOf(address who) returns (uint256);
}

fn session_key() -> Address {
    signer(SESSION_KEY).address()
}

/// Warden's classification of a refusal as it came over the wire.
fn classify(stage: Stage, code: i64, message: &str, data: &Value) -> CallsError {
    let data = (!data.is_null()).then(|| data.to_string());
    CallsError::from_endpoint(
        stage,
        RpcError::Rpc { method: "m".into(), host: "devnet".into(), code, message: message.into(), data },
    )
}

/// Everything a refusal must leave as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    account: U256,
    alice: U256,
    token_alice: U256,
    nonces: Vec<U256>,
    usage: Value,
    block: Value,
}

struct World {
    d: TestNet,
    account: Address,
    token: Address,
    grant: Grant,
    session_id: String,
}

impl World {
    async fn snapshot(&self) -> Snapshot {
        let node = &self.d.node;
        let data = Bytes::from(balanceOfCall { who: ALICE }.abi_encode());
        let token_alice = quantity(&ok(node, "eth_call", json!([{"to": self.token, "data": data}, "latest"])).await);
        let mut nonces = Vec::new();
        for key in
            [owner_key(), session_first_use_key(U256::ZERO, 1, false), session_installed_key(U256::ZERO, 1, false)]
        {
            nonces.push(ep_nonce(node, self.account, key).await);
        }
        Snapshot {
            account: balance(node, self.account).await,
            alice: balance(node, ALICE).await,
            token_alice,
            nonces,
            usage: ok(&self.d.url, "devnet_sessionUsage", json!([self.session_id])).await,
            block: ok(node, "eth_blockNumber", json!([])).await,
        }
    }
}

/// An account with 10 ETH and 100 tokens, and session 1 on it: native limit 3 mETH, ERC-20
/// limit 50 tokens, contract access to Alice, `approve` only on a second contract.
async fn world() -> (World, Value) {
    let d = devnet().await;
    let url = d.url();
    let account = funded_account(&url, signer(OWNER_KEY).address(), 10_000 * MILLI).await;
    let token = addr(&ok(&url, "devnet_deployToken", json!(["Test", "TST", 18])).await["address"]);
    ok(&url, "devnet_mint", json!([token, account, "0x64"])).await;
    let g = grant(
        &url,
        account,
        session_key(),
        json!([
            {"type": "native-token-transfer", "data": {"allowance": format!("{:#x}", 3 * MILLI)}},
            {"type": "erc20-token-transfer", "data": {"address": token, "allowance": "0x32"}},
            {"type": "contract-access", "data": {"address": ALICE}},
            {"type": "functions-on-contract", "data": {"address": BOB, "functions": ["0x095ea7b3"]}},
        ]),
        None,
    )
    .await;
    let caps = json!({"permissions": g.capability()});
    // Install it with a first use.
    let id = send_calls(&url, account, json!([{"to": ALICE, "value": "0x1"}]), caps.clone(), SESSION_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    (World { d, account, token, session_id: g.session_id.clone(), grant: g }, caps)
}

fn prepare_params(account: Address, calls: Value, caps: &Value) -> Value {
    json!([{"calls": calls, "from": account, "chainId": CHAIN, "capabilities": caps}])
}

/// Execution-phase limits: `execution reverted` (-32521) with the hook's revert wrapped in
/// `PreExecHookReverted`, the numbers in the message.
#[tokio::test]
async fn native_and_erc20_limits_answer_execution_reverted_with_the_hook_revert() {
    let (w, caps) = world().await;
    let url = w.d.url();
    let before = w.snapshot().await;

    let (code, msg, data) = err_data(
        &url,
        "wallet_prepareCalls",
        prepare_params(w.account, json!([{"to": ALICE, "value": format!("{:#x}", 3 * MILLI)}]), &caps),
    )
    .await;
    assert_eq!(code, -32521);
    assert_eq!(
        msg,
        format!(
            "execution reverted: PreExecHookReverted(NativeTokenLimitModule entity 1, ExceededNativeTokenLimit()): native-token-transfer allowance exceeded: requested {} wei, remaining {} wei",
            3 * MILLI,
            3 * MILLI - 1
        )
    );
    assert_eq!(
        revert_of(&data),
        AccountRevert::PreExecHook {
            hook: ModuleEntity::new(NATIVE_TOKEN_LIMIT_MODULE, 1),
            reason: ModuleRevert::ExceededNativeTokenLimit
        }
    );
    let e = classify(Stage::Prepare, code, &msg, &data);
    assert!(matches!(e, CallsError::PermissionDenied { limit: "native-token-transfer", .. }), "{e:?}");

    let transfer = Bytes::from(transferCall { to: ALICE, amount: U256::from(51) }.abi_encode());
    let (code, msg, data) = err_data(
        &url,
        "wallet_prepareCalls",
        prepare_params(w.account, json!([{"to": w.token, "data": transfer}]), &caps),
    )
    .await;
    assert_eq!(code, -32521);
    assert!(msg.ends_with(&format!("allowance of token {} exceeded: requested 51, remaining 50", w.token)), "{msg}");
    assert_eq!(
        revert_of(&data),
        AccountRevert::PreExecHook {
            hook: ModuleEntity::new(ALLOWLIST_MODULE, HOOK_ENTITY),
            reason: ModuleRevert::ExceededTokenLimit
        }
    );
    let e = classify(Stage::Prepare, code, &msg, &data);
    assert!(
        matches!(e, CallsError::PermissionDenied { limit: "erc20-token-transfer", token: Some(t), .. } if t == w.token),
        "{e:?}"
    );
    assert_eq!(w.snapshot().await, before);
}

/// Validation-phase refusals: `AA23 reverted` (-32500) with the allow-list hook's revert,
/// or the account's own `ValidationFunctionMissing` for an account function not granted.
#[tokio::test]
async fn allow_list_and_account_functions_answer_aa23_with_the_revert() {
    let (w, caps) = world().await;
    let url = w.d.url();
    let before = w.snapshot().await;
    let cases = [
        (
            json!([{"to": BOB, "value": "0x0", "data": "0xa9059cbb"}]),
            AccountRevert::PreUserOpValidationHook {
                hook: ModuleEntity::new(ALLOWLIST_MODULE, 1),
                reason: ModuleRevert::SelectorNotAllowed,
            },
            "allow-list",
            "function 0xa9059cbb",
        ),
        (
            json!([{"to": "0x00000000000000000000000000000000000000c4", "value": "0x0"}]),
            AccountRevert::PreUserOpValidationHook {
                hook: ModuleEntity::new(ALLOWLIST_MODULE, 1),
                reason: ModuleRevert::AddressNotAllowed,
            },
            "allow-list",
            "is not allowed for this session",
        ),
        (
            json!([{"to": w.account, "data": "0x12345678"}]),
            AccountRevert::ValidationFunctionMissing { selector: FixedBytes([0x12, 0x34, 0x56, 0x78]) },
            "account-functions",
            "account function 0x12345678 is not granted",
        ),
    ];
    for (calls, revert, limit, words) in cases {
        let (code, msg, data) = err_data(&url, "wallet_prepareCalls", prepare_params(w.account, calls, &caps)).await;
        assert_eq!(code, -32500, "{msg}");
        assert!(msg.starts_with(&format!("AA23 reverted: {revert}: ")), "{msg}");
        assert!(msg.contains(words), "{msg}");
        assert_eq!(revert_of(&data), revert);
        let e = classify(Stage::Prepare, code, &msg, &data);
        assert!(matches!(e, CallsError::PermissionDenied { limit: l, .. } if l == limit), "{e:?}");
    }
    assert_eq!(w.snapshot().await, before);
}

/// The gas limit is a validation hook: AA23 with `PreUserOpValidationHookReverted` on the
/// session's hook entity; a sponsored operation is not counted.
#[tokio::test]
async fn the_gas_limit_answers_aa23_and_does_not_count_sponsored_operations() {
    let d = devnet().await;
    let url = d.url();
    let account = funded_account(&url, signer(OWNER_KEY).address(), 1000 * MILLI).await;
    let g = grant(
        &url,
        account,
        session_key(),
        json!([{"type": "gas-limit", "data": {"limit": "0x2710"}}, {"type": "contract-access", "data": {"address": ALICE}}]),
        None,
    )
    .await;
    let caps = json!({"permissions": g.capability()});
    let calls = json!([{"to": ALICE, "value": "0x1"}]);
    let (code, msg, data) = err_data(&url, "wallet_prepareCalls", prepare_params(account, calls.clone(), &caps)).await;
    assert_eq!(code, -32500);
    assert!(msg.starts_with("AA23 reverted: PreUserOpValidationHookReverted(NativeTokenLimitModule entity 2147483648, ExceededNativeTokenLimit()): gas-limit exceeded: the operation may cost up to "), "{msg}");
    assert!(msg.ends_with("remaining 10000 wei"), "{msg}");
    assert_eq!(
        revert_of(&data),
        AccountRevert::PreUserOpValidationHook {
            hook: ModuleEntity::new(NATIVE_TOKEN_LIMIT_MODULE, HOOK_ENTITY),
            reason: ModuleRevert::ExceededNativeTokenLimit
        }
    );
    assert!(matches!(
        classify(Stage::Prepare, code, &msg, &data),
        CallsError::PermissionDenied { limit: "gas-limit", .. }
    ));

    let sponsored = json!({"permissions": g.capability(), "paymasterService": default_policy()});
    let id = send_calls(&url, account, calls, sponsored, SESSION_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    let usage = ok(&url, "devnet_sessionUsage", json!([g.session_id])).await;
    assert_eq!(usage["limits"][0]["spent"], "0x0");
}

/// Expiry is the time range (-32503, AA22) with the range in `data`; an uninstalled
/// session no longer validates `executeBatch` (AA23 `ValidationFunctionMissing`); a grant
/// cancelled before its first use fails the EntryPoint's nonce check (AA25).
#[tokio::test]
async fn expired_and_revoked_sessions_answer_aa22_aa23_and_aa25() {
    let (w, caps) = world().await;
    let url = w.d.url();
    let now = quantity(&ok(&w.d.node, "eth_getBlockByNumber", json!(["latest", false])).await["timestamp"]).to::<u64>();
    let perms = json!([{"type": "contract-access", "data": {"address": ALICE}}]);
    let calls = json!([{"to": ALICE, "value": "0x1"}]);

    // Expired (session 2).
    let short = grant(&url, w.account, session_key(), perms.clone(), Some(now + 50)).await;
    ok(&w.d.anvil, "evm_increaseTime", json!([100])).await;
    ok(&w.d.anvil, "evm_mine", json!([])).await;
    let before = w.snapshot().await;
    let short_caps = json!({"permissions": short.capability()});
    let (code, msg, data) =
        err_data(&url, "wallet_prepareCalls", prepare_params(w.account, calls.clone(), &short_caps)).await;
    assert_eq!(code, -32503);
    assert!(msg.starts_with(&format!("AA22 expired or not due: session expired: expirySec {}", now + 50)), "{msg}");
    assert_eq!(data, json!({"validUntil": format!("{:#x}", now + 50), "validAfter": "0x0", "paymaster": null}));
    assert_eq!(classify(Stage::Prepare, code, &msg, &data).code(), ErrorCode::SessionExpired);

    // Cancelled before first use (session 3): the owner consumes the nonce it signed.
    let unused = grant(&url, w.account, session_key(), perms, None).await;
    let key = session_first_use_key(U256::ZERO, 3, false);
    let bump = json!([{"to": ENTRY_POINT_V07, "data": warden_devnet::entry_point::increment_nonce_data(key)}]);
    let id = send_calls(&url, w.account, bump, json!({}), OWNER_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    let unused_caps = json!({"permissions": unused.capability()});
    let (code, msg, data) =
        err_data(&url, "wallet_prepareCalls", prepare_params(w.account, calls.clone(), &unused_caps)).await;
    assert_eq!(code, -32500);
    assert!(msg.starts_with("AA25 invalid account nonce: session revoked: its grant was cancelled"), "{msg}");
    assert_eq!(data, Value::Null);
    assert_eq!(classify(Stage::Prepare, code, &msg, &data).code(), ErrorCode::SessionRevoked);

    // Uninstalled (session 1, used).
    let install: Bytes = w.grant.typed_data["message"]["call"].as_str().unwrap().parse().unwrap();
    let uninstall = warden_core::mav2::revocation::uninstall_call(&install).unwrap();
    let id = send_calls(&url, w.account, json!([{"to": w.account, "data": uninstall}]), json!({}), OWNER_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    let before_uninstalled = w.snapshot().await;
    let (code, msg, data) = err_data(&url, "wallet_prepareCalls", prepare_params(w.account, calls, &caps)).await;
    assert_eq!(code, -32500);
    assert!(msg.starts_with("AA23 reverted: ValidationFunctionMissing(0x34fcd5be): session revoked"), "{msg}");
    assert_eq!(
        revert_of(&data),
        AccountRevert::ValidationFunctionMissing { selector: FixedBytes(SELECTOR_EXECUTE_BATCH) }
    );
    assert_eq!(classify(Stage::Prepare, code, &msg, &data).code(), ErrorCode::SessionRevoked);
    assert_eq!(w.snapshot().await, before_uninstalled);
    assert_ne!(before, before_uninstalled, "the owner's two operations ran");
}

/// A session operation signed by another key (-32507, AA24); an operation whose nonce
/// another one took (-32500, AA25, a nonce conflict for Warden).
#[tokio::test]
async fn a_wrong_signature_answers_aa24_and_a_stale_nonce_aa25() {
    let (w, caps) = world().await;
    let url = w.d.url();
    let calls = json!([{"to": ALICE, "value": "0x2"}]);
    let prepared = prepare(&url, w.account, calls.clone(), caps.clone()).await;
    let twin = prepare(&url, w.account, json!([{"to": ALICE, "value": "0x3"}]), caps.clone()).await;
    assert_eq!(prepared["data"]["nonce"], twin["data"]["nonce"]);
    let before = w.snapshot().await;

    let forged = sign_prepared(&prepared, OTHER_KEY, caps.clone());
    let (code, msg, data) = err_data(&url, "wallet_sendPreparedCalls", json!([forged])).await;
    assert_eq!(code, -32507);
    assert!(msg.starts_with("AA24 signature error: the user operation signature recovers to"), "{msg}");
    assert!(msg.contains(&format!("but the session key is {}", session_key())), "{msg}");
    assert_eq!(classify(Stage::Send, code, &msg, &data).code(), ErrorCode::BadSignature);
    assert_eq!(w.snapshot().await, before);

    let id =
        wallet(&url, "wallet_sendPreparedCalls", json!([sign_prepared(&prepared, SESSION_KEY, caps.clone())])).await;
    assert_eq!(status(&url, id["id"].as_str().unwrap()).await["status"], 200);
    let after_first = w.snapshot().await;
    let (code, msg, data) =
        err_data(&url, "wallet_sendPreparedCalls", json!([sign_prepared(&twin, SESSION_KEY, caps)])).await;
    assert_eq!(code, -32500);
    assert!(msg.starts_with("AA25 invalid account nonce: the operation has nonce"), "{msg}");
    assert!(classify(Stage::Send, code, &msg, &data).is_nonce_conflict());
    assert_eq!(w.snapshot().await, after_first);
}

/// Without a gas policy the account pays: an account that cannot pay the gas is refused
/// at send (AA21); a policy id the devnet does not know is refused at prepare as the Gas
/// Manager refuses it; a created policy sponsors; the send must repeat the policy.
#[tokio::test]
async fn prefund_and_gas_policies_answer_as_the_service_does() {
    let d = devnet().await;
    let url = d.url();
    let owner = LocalSigner::random();
    let r = wallet(&url, "wallet_requestAccount", json!([{"signerAddress": owner.address()}])).await;
    let account = addr(&r["accountAddress"]);
    let calls = json!([{"to": ALICE, "value": "0x0"}]);

    // No ETH, no policy.
    let prepared = prepare(&url, account, calls.clone(), json!({})).await;
    assert_eq!(prepared["feePayment"]["sponsored"], false);
    let signed = sign_with(&prepared, &owner, json!({}));
    let (code, msg, data) = err_data(&url, "wallet_sendPreparedCalls", json!([signed])).await;
    assert_eq!(code, -32500);
    assert!(msg.starts_with(&format!("AA21 didn't pay prefund: account {account} has 0 wei")), "{msg}");
    assert_eq!(classify(Stage::Send, code, &msg, &data).code(), ErrorCode::PermissionDenied);
    assert_eq!(ok(&d.node, "eth_getCode", json!([account, "latest"])).await, json!("0x"), "not deployed");

    // An unknown policy.
    let stranger = json!({"paymasterService": {"policyId": "6f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"}});
    let (code, msg, data) =
        err_data(&url, "wallet_prepareCalls", prepare_params(account, calls.clone(), &stranger)).await;
    assert_eq!(code, -32602);
    assert!(msg.starts_with(warden_devnet::methods::INVALID_POLICY_MESSAGE), "{msg}");
    assert_eq!(classify(Stage::Prepare, code, &msg, &data).code(), ErrorCode::InvalidInput);

    // A created policy sponsors; among several ids the known one is used.
    let created = ok(&url, "devnet_createPolicy", json!([{"name": "test"}])).await["policyId"].clone();
    assert!(created.as_str().unwrap().parse::<warden_core::api::UuidV4>().is_ok(), "{created}");
    let both = json!({"paymasterService": {"policyIds": ["6f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", created]}});
    let prepared = prepare(&url, account, calls.clone(), both.clone()).await;
    assert_eq!(prepared["feePayment"]["sponsored"], true);
    // Sent without the policy: refused, nothing runs.
    let (code, msg) = err(&url, "wallet_sendPreparedCalls", json!([sign_with(&prepared, &owner, json!({}))])).await;
    assert_eq!(code, -32602);
    assert!(msg.contains("repeat that paymasterService on send"), "{msg}");
    let sent = wallet(&url, "wallet_sendPreparedCalls", json!([sign_with(&prepared, &owner, both)])).await;
    assert_eq!(status(&url, sent["id"].as_str().unwrap()).await["status"], 200);
    assert_eq!(balance(&d.node, account).await, U256::ZERO, "the policy paid");
    assert_ne!(ok(&d.node, "eth_getCode", json!([account, "latest"])).await, json!("0x"), "deployed");
}

/// A native limit used up between prepare and send fails in execution, as on chain: the
/// operation is included with status 500 and the hook's revert as its reason, its nonce is
/// consumed, nothing moves and the native usage does not change.
#[tokio::test]
async fn an_execution_limit_reached_after_prepare_fails_the_operation_on_chain() {
    let (w, caps) = world().await;
    let url = w.d.url();
    let pay = |v: u128| json!([{"to": ALICE, "value": format!("{v:#x}")}]);
    // Prepared within the limit (3 mETH less the 1 wei of the first use)...
    let late = prepare(&url, w.account, pay(2 * MILLI), caps.clone()).await;
    // ...then another operation, on a parallel nonce key, spends 2 mETH of it.
    let mut parallel = caps.clone();
    parallel["nonceOverride"] = json!({"nonceKey": "0x1"});
    let id = send_calls(&url, w.account, pay(2 * MILLI), parallel, SESSION_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);
    let before = w.snapshot().await;

    let sent = wallet(&url, "wallet_sendPreparedCalls", json!([sign_prepared(&late, SESSION_KEY, caps)])).await;
    let st = status(&url, sent["id"].as_str().unwrap()).await;
    assert_eq!(st["status"], 500, "{st}");
    assert_eq!(
        st["revertReason"],
        format!(
            "PreExecHookReverted(NativeTokenLimitModule entity 1, ExceededNativeTokenLimit()): native-token-transfer allowance exceeded: requested {} wei, remaining {} wei",
            2 * MILLI,
            MILLI - 1
        )
    );
    let after = w.snapshot().await;
    assert_eq!((after.alice, after.token_alice, &after.usage), (before.alice, before.token_alice, &before.usage));
    assert_eq!(after.nonces[2], before.nonces[2] + U256::from(1), "the nonce was consumed");
    assert!(after.account < before.account, "the account paid the gas");
}

/// Signs a prepared user operation with `key`; the send repeats `capabilities`.
fn sign_with(prepared: &Value, key: &LocalSigner, capabilities: Value) -> Value {
    let hash: alloy_primitives::B256 =
        serde_json::from_value(prepared["signatureRequest"]["data"]["raw"].clone()).unwrap();
    let sig =
        warden_core::signing::signature_bytes(&key.sign_digest(&alloy_primitives::eip191_hash_message(hash)).unwrap());
    json!({
        "type": prepared["type"],
        "data": prepared["data"],
        "chainId": prepared["chainId"],
        "signature": {"type": "secp256k1", "data": Bytes::copy_from_slice(&sig)},
        "capabilities": capabilities,
    })
}
