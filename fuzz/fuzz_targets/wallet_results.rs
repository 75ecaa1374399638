//! Every `wallet_*` result type an endpoint returns, and a prepared call through
//! `verify_prepared`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_core::api::{CreateSession, GetCallsStatus, PrepareCalls, RequestAccount, RpcMethod, SendPreparedCalls};

fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let _ = RequestAccount::parse_result(v.clone());
    let _ = CreateSession::parse_result(v.clone());
    let _ = SendPreparedCalls::parse_result(v.clone());
    let _ = GetCallsStatus::parse_result(v.clone());
    let _ = warden_core::calls::CallOutcome::parse(v.clone());
    if let Ok(prepared) = PrepareCalls::parse_result(v) {
        let expect = warden_core::signing::PreparedExpectation {
            chain_id: 1,
            sender: alloy_primitives::Address::ZERO,
            calls: &[],
            execute_user_op: None,
            fees: warden_core::signing::FeeBounds::default(),
        };
        let _ = warden_core::signing::verify_prepared(&prepared, &expect);
    }
});

