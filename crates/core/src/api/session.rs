//! `wallet_createSession` (SPEC §4.3). (Interim; replaced by the api module's version.)

use alloy_primitives::{Address, Bytes};
use serde::{Deserialize, Serialize};

use super::{KeySigner, SignatureRequest};
use crate::permissions::Permission;
use crate::wire;

/// Params of `wallet_createSession`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSessionParams {
    #[serde(with = "wire::checksum")]
    pub account: Address,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    pub key: KeySigner,
    pub permissions: Vec<Permission>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::expiry_sec")]
    pub expiry_sec: Option<u64>,
}

/// Result of `wallet_createSession`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSessionResult {
    pub session_id: Bytes,
    #[serde(with = "wire::hex_u32")]
    pub chain_id: u32,
    pub signature_request: SignatureRequest,
}
