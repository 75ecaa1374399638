//! Credentials documents for core's tests and the desk's store test (which includes this
//! file with `#[path]`): one real grant (the contexts vector, verified and signed by
//! anvil's first key) and synthetic ones with fresh session ids.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

use alloy_primitives::{Address, Bytes, FixedBytes, U256};
use serde_json::Value;
use warden_core::api::{CreateSessionParams, CreateSessionResult, KeyDescriptor, KeyType};
use warden_core::credentials::{AccountType, FORMAT_V1, Secret, SessionCredentials};
use warden_core::mav2::context::Context;
use warden_core::permissions::Permission;
use warden_core::signing::verify_grant;
use warden_testkit::{signed_credentials, signer};

/// anvil's published test keys: #0 is the owner, #7 the session key of the vector used.
pub const OWNER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
pub const SESSION_KEY: &str = "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356";

fn vectors(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec/vectors").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A real grant: the contexts vector's scoped case, verified and signed by the owner.
pub fn real_credentials(secret: Option<Secret>) -> SessionCredentials {
    let v = vectors("contexts.sample.json");
    let case = v["cases"].as_array().unwrap().iter().find(|c| c["id"] == "ctx-8-trading-bot-base").unwrap();
    let req: CreateSessionParams =
        serde_json::from_value(case["createSessionParamsSentByClient"]["v5"].clone()).unwrap();
    let res: CreateSessionResult = serde_json::from_value(case["serverResponse"].clone()).unwrap();
    let grant = verify_grant(&req, &res, 1_700_000_000).unwrap();
    signed_credentials(&grant, &signer(OWNER_KEY), "http://127.0.0.1:8545", 1_700_000_000, secret)
}

/// A consistent document without grant data, with session id `n`, a native allowance of
/// `n + 1` wei and access to one contract, expiring at `expiry` (0 = never).
pub fn synthetic_credentials(n: u64, expiry: u64) -> SessionCredentials {
    let mut id = [0u8; 16];
    id[8..].copy_from_slice(&n.to_be_bytes());
    let session_id = FixedBytes::<16>::from(id);
    let signature = Bytes::from(vec![0x11; 65]);
    let account: Address = "0x1111111111111111111111111111111111111111".parse().unwrap();
    SessionCredentials {
        format: FORMAT_V1.into(),
        created_at: 1_700_000_000,
        endpoint: "https://api.example.org/v2".into(),
        chain_id: 84532,
        account,
        account_type: AccountType::SmaB,
        owner: "0x2222222222222222222222222222222222222222".parse().unwrap(),
        session_id: Bytes::copy_from_slice(session_id.as_slice()),
        context: Context::Remote { session_id, signature: signature.clone() }.encode(),
        signature,
        key: KeyDescriptor {
            ty: KeyType::Secp256k1,
            public_key: "0x3333333333333333333333333333333333333333".parse().unwrap(),
        },
        permissions: vec![
            Permission::NativeTokenTransfer { allowance: U256::from(n + 1) },
            Permission::ContractAccess { address: "0x4444444444444444444444444444444444444444".parse().unwrap() },
        ],
        expiry_sec: expiry,
        paymaster: None,
        grant: None,
        secret: None,
    }
}
