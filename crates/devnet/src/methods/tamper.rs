//! `devnet_setTamper`: a test-only switch that makes the devnet a dishonest server.
//!
//! Warden must never sign a grant that differs from what the user asked for, nor believe
//! what the server reports when the chain can say otherwise. To test that against a real
//! server, a devnet started with `--test-hooks` ([`crate::DevnetConfig`]'s `test_hooks`)
//! accepts `devnet_setTamper([mode])`. The grant modes change the next
//! `wallet_createSession`, which grants more than it was asked:
//!
//! | mode | what the next grant installs instead |
//! |---|---|
//! | `root` | full control (`root`) |
//! | `higher-allowance` | the first native, ERC-20 or gas allowance × 1000 |
//! | `other-key` | the asked permissions, for a session key nobody asked for |
//! | `future-nonce` | the asked permissions, signed over a nonce one ahead of the EntryPoint's (a grant the owner could not cancel by consuming its nonce) |
//! | `reuse-entity` | the asked permissions, under the entity id of the account's previous session (installing it would replace that session's signer and merge permissions) |
//!
//! The send modes change the next `wallet_sendPreparedCalls` of their kind:
//!
//! | mode | what the next send does |
//! |---|---|
//! | `lie-revocation` | the next owner operation (a revocation) is checked as usual, then reported confirmed (status 200, no receipts) without being executed: the session stays installed, the grant's nonce unconsumed; sending the same operation again runs it |
//! | `conflict-after-send` | the next session operation runs, and is remembered under its call id, but the send answers `AA25 invalid account nonce` as if another operation had taken the nonce |
//!
//! `off` clears a pending mode. The broader grant goes through the normal path — validated,
//! encoded, nonce and digest computed, remembered as the session — so its typed data is
//! internally consistent and `rawPayload` is its true digest: only a comparison with the
//! request can tell. A mode applies once, to the first request of its kind. Without
//! `--test-hooks` the method does not exist (-32601).

use alloy_primitives::{Address, U256};
use rand::RngCore;
use serde_json::{Value, json};
use warden_core::api::CreateSessionParams;
use warden_core::permissions::Permission;

use super::{Emulator, MethodError};

/// How the next grant is broadened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TamperMode {
    Root,
    HigherAllowance,
    OtherKey,
    ReuseEntity,
    FutureNonce,
    LieRevocation,
    ConflictAfterSend,
}

/// The modes' names, for error messages.
const MODES: &str =
    "root, higher-allowance, other-key, reuse-entity, future-nonce, lie-revocation, conflict-after-send, off";

impl TamperMode {
    fn parse(s: &str) -> Option<Option<Self>> {
        match s {
            "root" => Some(Some(Self::Root)),
            "higher-allowance" => Some(Some(Self::HigherAllowance)),
            "other-key" => Some(Some(Self::OtherKey)),
            "reuse-entity" => Some(Some(Self::ReuseEntity)),
            "future-nonce" => Some(Some(Self::FutureNonce)),
            "lie-revocation" => Some(Some(Self::LieRevocation)),
            "conflict-after-send" => Some(Some(Self::ConflictAfterSend)),
            "off" => Some(None),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Root => "root",
            Self::HigherAllowance => "higher-allowance",
            Self::OtherKey => "other-key",
            Self::ReuseEntity => "reuse-entity",
            Self::FutureNonce => "future-nonce",
            Self::LieRevocation => "lie-revocation",
            Self::ConflictAfterSend => "conflict-after-send",
        }
    }

    /// Whether the mode changes a grant (the others change a send).
    fn is_grant_mode(self) -> bool {
        !matches!(self, Self::LieRevocation | Self::ConflictAfterSend)
    }
}

/// `devnet_setTamper([mode])`.
pub async fn set_tamper(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    if !emu.test_hooks {
        return Err(MethodError::TestHooksDisabled { method: "devnet_setTamper" });
    }
    let [mode]: [String; 1] = serde_json::from_value(params)
        .map_err(|e| MethodError::Invalid(format!("devnet_setTamper params must be [mode] ({MODES}): {e}")))?;
    let parsed = TamperMode::parse(&mode)
        .ok_or_else(|| MethodError::Invalid(format!("devnet_setTamper: unknown mode {mode:?} ({MODES})")))?;
    *emu.tamper.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = parsed;
    tracing::warn!(mode, "devnet test hook: the server will lie once");
    Ok(json!({ "mode": parsed.map_or("off", TamperMode::name) }))
}

/// What a pending mode does to the next grant: the (possibly broadened) request, and
/// whether to reuse the previous session's entity id.
pub(crate) struct Tampered {
    pub params: CreateSessionParams,
    pub reuse_entity: bool,
    pub nonce_ahead: bool,
}

/// Clears and returns the pending mode if `applies` says it is one for this request.
fn take_if(emu: &Emulator, applies: impl FnOnce(TamperMode) -> bool) -> Option<TamperMode> {
    let mut pending = emu.tamper.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    match *pending {
        Some(mode) if applies(mode) => pending.take(),
        _ => None,
    }
}

/// Clears a pending send mode `mode`, returning whether it was pending.
pub(crate) fn take_send_mode(emu: &Emulator, mode: TamperMode) -> bool {
    let taken = take_if(emu, |m| m == mode).is_some();
    if taken {
        tracing::warn!(mode = mode.name(), "devnet test hook: lying about this send");
    }
    taken
}

/// Applies and clears a pending grant mode to a `wallet_createSession` request.
pub(crate) fn apply_pending(emu: &Emulator, mut p: CreateSessionParams) -> Result<Tampered, MethodError> {
    let Some(mode) = take_if(emu, TamperMode::is_grant_mode) else {
        return Ok(Tampered { params: p, reuse_entity: false, nonce_ahead: false });
    };
    match mode {
        TamperMode::Root => p.permissions = vec![Permission::Root],
        TamperMode::HigherAllowance => {
            let raise = |a: &mut U256| {
                *a = if a.is_zero() {
                    U256::from(10u64).pow(U256::from(18u64))
                } else {
                    a.saturating_mul(U256::from(1000u64))
                }
            };
            let target = p.permissions.iter_mut().find_map(|perm| match perm {
                Permission::NativeTokenTransfer { allowance } | Permission::Erc20TokenTransfer { allowance, .. } => {
                    Some(allowance)
                }
                Permission::GasLimit { limit } => Some(limit),
                _ => None,
            });
            match target {
                Some(a) => raise(a),
                None => {
                    return Err(MethodError::Invalid(
                        "devnet tamper higher-allowance: the request has no allowance to raise".into(),
                    ));
                }
            }
        }
        TamperMode::OtherKey => {
            let mut bytes = [0u8; 20];
            rand::rng().fill_bytes(&mut bytes);
            p.key.public_key = Address::from(bytes);
        }
        TamperMode::ReuseEntity
        | TamperMode::FutureNonce
        | TamperMode::LieRevocation
        | TamperMode::ConflictAfterSend => {}
    }
    tracing::warn!(mode = mode.name(), "devnet test hook: granting more than asked");
    Ok(Tampered {
        params: p,
        reuse_entity: mode == TamperMode::ReuseEntity,
        nonce_ahead: mode == TamperMode::FutureNonce,
    })
}
