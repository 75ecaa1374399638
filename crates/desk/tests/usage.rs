//! The app's usage lines (`warden_desk::usage`, over core's `devnet_sessionUsage` reading)
//! against a real devnet: a session granted through `RpcClient` and `verify_grant`, stored
//! as a `SessionRecord`, used within its limits; its usage lines come from
//! `devnet_sessionUsage` on the devnet and from the session list's recorded calls
//! elsewhere, with units and the source named.

#![allow(clippy::unwrap_used)]

// The devnet's own test helpers (a devnet per test, its JSON-RPC calls), one copy for both crates.
#[path = "../../devnet/tests/common/mod.rs"]
mod common;

use std::collections::HashMap;

use alloy_primitives::{Address, Bytes, U256, address};
use alloy_sol_types::{SolCall, sol};
use common::*;
use serde_json::json;
use warden_core::api::{Call, CreateSession, CreateSessionParams, KeyDescriptor, KeyType};
use warden_core::credentials::SessionCredentials;
use warden_core::permissions::{Permission, TokenInfo};
use warden_core::rpc::{Endpoint, RpcClient, RpcConfig};
use warden_core::signing::{DigestSigner, verify_grant};
use warden_core::usage::{UsageError, fetch_devnet_usage};
use warden_core::{Coded, ErrorCode};
use warden_desk::store::{EndpointKind, EndpointRef, SentCall, SentCallState, SessionRecord};
use warden_desk::usage::{UsageSource, devnet_lines, observed_lines, session_usage};
use warden_testkit::signed_credentials;

sol! {
    function transfer(address to, uint256 amount);
}

const ALICE: Address = address!("00000000000000000000000000000000000a11ce");
const MILLI_ETH: u64 = 1_000_000_000_000_000;

/// Grants `permissions` to anvil's second key through the real client and returns the
/// credentials the owner's signature makes.
async fn grant_credentials(
    rpc: &RpcClient,
    url: &str,
    account: Address,
    permissions: Vec<Permission>,
) -> SessionCredentials {
    let owner = signer(OWNER_KEY);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let request = CreateSessionParams {
        account,
        chain_id: 31337,
        key: KeyDescriptor { ty: KeyType::Secp256k1, public_key: signer(SESSION_KEY).address() },
        permissions,
        expiry_sec: Some(now + 86_400),
    };
    let result = rpc.call::<CreateSession>(&request).await.unwrap();
    let grant = verify_grant(&request, &result, now).unwrap();
    let creds = signed_credentials(&grant, &owner, url, now, None);
    creds.check().unwrap();
    creds
}

#[tokio::test]
async fn usage_comes_from_the_devnet_there_and_from_observed_calls_elsewhere() {
    let d = devnet().await;
    let url = d.url();
    let rpc = RpcClient::new(Endpoint::new(&url).unwrap(), RpcConfig::default()).unwrap();
    let token = addr(&ok(&url, "devnet_deployToken", json!(["Test USD", "TUSD", 6])).await["address"]);
    let account = funded_account(&url, signer(OWNER_KEY).address(), 10u128.pow(18)).await;
    ok(&url, "devnet_mint", json!([token, account, "0x989680"])).await; // 10 TUSD
    let permissions = vec![
        Permission::NativeTokenTransfer { allowance: U256::from(10 * MILLI_ETH) },
        Permission::Erc20TokenTransfer { allowance: U256::from(5_000_000u64), address: token },
        Permission::ContractAccess { address: ALICE },
        Permission::GasLimit { limit: U256::from(100 * MILLI_ETH) },
    ];
    let creds = grant_credentials(&rpc, &url, account, permissions).await;
    let host = d.addr().to_string();
    let mut record =
        SessionRecord::new("usage test", &creds, EndpointRef { kind: EndpointKind::Devnet, host }, true, 1).unwrap();
    let tokens = HashMap::from([(token, TokenInfo { symbol: "TUSD".into(), decimals: 6 })]);

    // Before any use: zeros from the devnet, with the reason.
    let lines = session_usage(&record, Some(&rpc), &tokens).await.unwrap();
    assert_eq!(lines.iter().map(|l| l.permission_index).collect::<Vec<_>>(), [0, 1, 3], "limited permissions only");
    for l in &lines {
        assert_eq!((l.used.as_str(), l.source), ("0", UsageSource::Devnet), "{l:?}");
        assert!(l.note.as_deref().unwrap().contains("not used yet"), "{l:?}");
    }
    assert_eq!(lines[0].limit_formatted, "0.01 ETH");
    assert_eq!(
        (lines[1].label.as_str(), lines[1].limit_formatted.as_str()),
        (&*format!("Token spending limit (ERC-20): TUSD ({token})"), "5 TUSD")
    );

    // One operation: 1 mETH to Alice and 1.5 TUSD to Alice.
    let transfer: Bytes = transferCall { to: ALICE, amount: U256::from(1_500_000u64) }.abi_encode().into();
    let calls = vec![
        Call { to: ALICE, data: None, value: Some(U256::from(MILLI_ETH)) },
        Call { to: token, data: Some(transfer), value: None },
    ];
    let caps = json!({"permissions": {"sessionId": creds.session_id, "signature": creds.signature}});
    let id = send_calls(&url, account, serde_json::to_value(&calls).unwrap(), caps, SESSION_KEY).await;
    assert_eq!(status(&url, &id).await["status"], 200);

    let lines = session_usage(&record, Some(&rpc), &tokens).await.unwrap();
    assert_eq!((lines[0].used.as_str(), lines[0].used_formatted.as_str()), ("1000000000000000", "0.001 ETH"));
    assert_eq!((lines[1].used.as_str(), lines[1].used_formatted.as_str()), ("1500000", "1.5 TUSD"));
    assert!(U256::from_str_radix(&lines[2].used, 10).unwrap() > U256::ZERO, "gas is charged: {:?}", lines[2]);
    assert!(lines.iter().all(|l| l.note.is_none() && l.source == UsageSource::Devnet), "{lines:?}");

    // Off the devnet, the same session's usage is what Warden observed itself.
    record.sent_calls.push(SentCall {
        call_id: id.parse().unwrap(),
        sent_at: 2,
        calls: calls.clone(),
        outcome: SentCallState::Confirmed,
        gas_cost_wei: None,
    });
    record.sent_calls.push(SentCall {
        call_id: Bytes::from(vec![1; 32]),
        sent_at: 3,
        calls,
        outcome: SentCallState::Failed,
        gas_cost_wei: Some(U256::from(5u64)),
    });
    let observed = observed_lines(&record, &tokens);
    assert_eq!(observed[0].used_formatted, "0.001 ETH");
    assert_eq!(observed[1].used_formatted, "1.5 TUSD", "a failed call is not counted");
    assert_eq!(observed[2].used, "0");
    assert!(observed.iter().all(|l| l.source == UsageSource::Observed));
    assert!(observed[0].note.as_deref().unwrap().contains("1 confirmed call sent by Warden"), "{observed:?}");
    assert!(observed[2].note.as_deref().unwrap().contains("gas cost of 1 of them is unknown"), "{observed:?}");
    record.endpoint.kind = EndpointKind::Alchemy;
    assert_eq!(session_usage(&record, Some(&rpc), &tokens).await.unwrap(), observed);
    record.endpoint.kind = EndpointKind::Devnet;
    assert_eq!(session_usage(&record, None, &tokens).await.unwrap(), observed, "no client: observed");

    // An answer about another session is refused.
    let other = grant_credentials(&rpc, &url, account, vec![Permission::ContractAccess { address: ALICE }]).await;
    let other_usage = fetch_devnet_usage(&rpc, &other.session_id).await.unwrap();
    let e = devnet_lines(&record, &other_usage, &tokens).unwrap_err();
    assert!(matches!(e, UsageError::WrongSession { what: "session", .. }), "{e}");
    assert_eq!(e.code(), ErrorCode::VerificationFailed);

    // An unknown session is the devnet's error, classified.
    let e = fetch_devnet_usage(&rpc, &Bytes::from(vec![9; 16])).await.unwrap_err();
    assert!(matches!(e, UsageError::Rpc(_)) && e.to_string().contains("unknown session"), "{e}");
}
