//! Gas policies, as Alchemy's Gas Manager has them: an operation that names a policy the
//! devnet knows (`paymasterService.policyId`, or any of `policyIds`) is sponsored — the
//! paymaster fields are set, `feePayment.sponsored` is true, the account pays no gas and the
//! gas-limit hook does not count it; without one the account pays. A policy id the devnet
//! does not know is refused, as the Gas Manager refuses it (`MethodError::UnknownPolicy`).
//!
//! The devnet always knows [`crate::DEFAULT_POLICY_ID`]; `devnet_createPolicy` makes more.
//! Left out: policy rules (spend caps, allow-lists, dates) — a known policy sponsors
//! everything.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use warden_core::api::{GasPolicy, SendPaymasterService, UuidV4};

use super::state::State;
use super::{Emulator, MethodError};

/// A gas policy the devnet knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub name: String,
}

/// The default policy's id as a [`UuidV4`].
pub fn default_policy() -> UuidV4 {
    #[allow(clippy::expect_used)]
    crate::DEFAULT_POLICY_ID.parse().expect("DEFAULT_POLICY_ID is a valid UUID v4")
}

fn is_known(state: &State, id: &UuidV4) -> bool {
    *id == default_policy() || state.policies.contains_key(id)
}

/// The policy that sponsors an operation naming `policy`: the first one the devnet knows.
pub fn sponsor(state: &State, policy: &GasPolicy) -> Result<UuidV4, MethodError> {
    let ids: &[UuidV4] = match policy {
        GasPolicy::Single(id) => std::slice::from_ref(id),
        GasPolicy::Several(ids) => ids,
    };
    ids.iter()
        .copied()
        .find(|id| is_known(state, id))
        .ok_or_else(|| MethodError::UnknownPolicy { policy: policy.to_string() })
}

/// Checks the send's `paymasterService` against the policy the operation was prepared
/// with: the clients repeat it on send (both official SDKs do), so a sponsored operation
/// sent without it, or with another policy, is refused; so is a policy on an operation
/// prepared without one.
pub fn check_send(prepared: Option<UuidV4>, sent: Option<&SendPaymasterService>) -> Result<(), MethodError> {
    let mismatch = |reason: String| Err(MethodError::PolicyMismatch { reason });
    match (prepared, sent) {
        (None, None) => Ok(()),
        (Some(id), None) => mismatch(format!(
            "the operation was prepared sponsored by gas policy {id}; repeat that paymasterService on send"
        )),
        (None, Some(s)) => mismatch(format!(
            "the operation was prepared without a gas policy, but the send names {}; prepare it again with that policy",
            s.policy
        )),
        (Some(id), Some(s)) => {
            let names = match &s.policy {
                GasPolicy::Single(one) => *one == id,
                GasPolicy::Several(ids) => ids.contains(&id),
            };
            if names {
                Ok(())
            } else {
                mismatch(format!(
                    "the send names gas policy {}, but the operation was prepared sponsored by {id}",
                    s.policy
                ))
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreatePolicy {
    #[serde(default)]
    name: Option<String>,
}

/// `devnet_createPolicy`: params `[]` or `[{"name": …}]`; result `{"policyId": uuid}`.
pub async fn create_policy(emu: &Emulator, params: Value) -> Result<Value, MethodError> {
    let bad = |e: String| {
        MethodError::Invalid(format!("devnet_createPolicy params must be [] or [{{\"name\": string}}]: {e}"))
    };
    let args: Vec<CreatePolicy> = serde_json::from_value(params).map_err(|e| bad(e.to_string()))?;
    let name = match args.as_slice() {
        [] => None,
        [one] => one.name.clone(),
        _ => return Err(bad(format!("{} params", args.len()))),
    };
    let id = UuidV4::new_random();
    let mut state = emu.state.lock().await;
    let name = name.unwrap_or_else(|| format!("policy {}", state.policies.len() + 1));
    state.policies.insert(id, Policy { name });
    Ok(json!({"policyId": id}))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_first_known_policy_sponsors_and_an_unknown_one_is_refused() {
        let mut state = State::default();
        let made = UuidV4::new_random();
        state.policies.insert(made, Policy { name: "x".into() });
        let stranger = UuidV4::new_random();
        assert_eq!(sponsor(&state, &GasPolicy::Single(default_policy())).unwrap(), default_policy());
        assert_eq!(sponsor(&state, &GasPolicy::Several(vec![stranger, made])).unwrap(), made);
        let e = sponsor(&state, &GasPolicy::Single(stranger)).unwrap_err();
        assert!(e.to_string().starts_with("Invalid Policy ID."), "{e}");
    }

    #[test]
    fn the_send_must_repeat_the_prepared_policy() {
        let id = default_policy();
        let other = UuidV4::new_random();
        let send = |p| SendPaymasterService { policy: p, webhook_data: None };
        assert!(check_send(None, None).is_ok());
        assert!(check_send(Some(id), Some(&send(GasPolicy::Single(id)))).is_ok());
        assert!(check_send(Some(id), Some(&send(GasPolicy::Several(vec![other, id])))).is_ok());
        assert!(check_send(Some(id), None).is_err());
        assert!(check_send(Some(id), Some(&send(GasPolicy::Single(other)))).is_err());
        assert!(check_send(None, Some(&send(GasPolicy::Single(id)))).is_err());
    }
}
