//! Account call data for a batch of calls: `executeBatch((address,uint256,bytes)[])`, as
//! the server builds it even for one call, optionally behind the `executeUserOp` selector
//! (required when the session has execution hooks, protocol.md §6.2), and the strict inverse
//! that also understands a single `execute`.

use alloy_primitives::{Bytes, U256};
use alloy_sol_types::SolCall;

use super::Mav2Error;
use super::abi::{Call as AbiCall, executeBatchCall, executeCall};
use super::constants::{SELECTOR_EXECUTE, SELECTOR_EXECUTE_BATCH, SELECTOR_EXECUTE_USER_OP};
use crate::api::Call;

/// Calls decoded from account call data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedCalls {
    /// The calls, with `value` and `data` always present (zero / empty when absent).
    pub calls: Vec<Call>,
    /// Whether the data was prefixed with `executeUserOp`'s selector.
    pub execute_user_op: bool,
    /// Whether the calls were encoded as a single `execute` rather than `executeBatch`.
    pub single_execute: bool,
}

/// `executeBatch(calls)`, prefixed with `executeUserOp`'s selector when asked.
pub fn encode_execute_batch(calls: &[Call], execute_user_op: bool) -> Bytes {
    let batch = executeBatchCall {
        calls: calls
            .iter()
            .map(|c| AbiCall {
                target: c.to,
                value: c.value.unwrap_or_default(),
                data: c.data.clone().unwrap_or_default(),
            })
            .collect(),
    }
    .abi_encode();
    prefix(batch, execute_user_op)
}

/// `execute(to, value, data)`, prefixed with `executeUserOp`'s selector when asked.
pub fn encode_execute(call: &Call, execute_user_op: bool) -> Bytes {
    let single = executeCall {
        target: call.to,
        value: call.value.unwrap_or_default(),
        data: call.data.clone().unwrap_or_default(),
    }
    .abi_encode();
    prefix(single, execute_user_op)
}

fn prefix(data: Vec<u8>, execute_user_op: bool) -> Bytes {
    if execute_user_op {
        let mut v = SELECTOR_EXECUTE_USER_OP.to_vec();
        v.extend_from_slice(&data);
        v.into()
    } else {
        data.into()
    }
}

/// Decodes `execute`/`executeBatch` call data (with or without the `executeUserOp`
/// prefix). Anything else, or a non-canonical encoding, is an error.
pub fn decode_calls(data: &[u8]) -> Result<DecodedCalls, Mav2Error> {
    const WHAT: &str = "callData";
    let (execute_user_op, body) = match data.get(..4) {
        Some(s) if s == SELECTOR_EXECUTE_USER_OP => (true, &data[4..]),
        _ => (false, data),
    };
    let malformed = |reason: String| Mav2Error::Malformed { what: WHAT, reason };
    let norm = |target, value: U256, data: Bytes| Call { to: target, value: Some(value), data: Some(data) };
    let (calls, single_execute) = match body.get(..4) {
        Some(s) if s == SELECTOR_EXECUTE_BATCH => {
            let d = executeBatchCall::abi_decode(body).map_err(|e| malformed(e.to_string()))?;
            (d.calls.into_iter().map(|c| norm(c.target, c.value, c.data)).collect::<Vec<_>>(), false)
        }
        Some(s) if s == SELECTOR_EXECUTE => {
            let d = executeCall::abi_decode(body).map_err(|e| malformed(e.to_string()))?;
            (vec![norm(d.target, d.value, d.data)], true)
        }
        _ => {
            return Err(malformed(
                "is neither execute (0xb61d27f6) nor executeBatch (0x34fcd5be), with or without executeUserOp (0x8dd7712f)"
                    .into(),
            ));
        }
    };
    let again = if single_execute {
        encode_execute(&calls[0], execute_user_op)
    } else {
        encode_execute_batch(&calls, execute_user_op)
    };
    if again.as_ref() != data {
        return Err(Mav2Error::NonCanonical { what: WHAT });
    }
    Ok(DecodedCalls { calls, execute_user_op, single_execute })
}
