//! userOpHash for EntryPoint v0.7 and v0.6 (protocol.md §6.5).
//!
//! v0.7 hashes the packed form: gas limits and fees are packed two `uint128`s to a word,
//! and paymaster fields into `paymasterAndData` (absent paymaster gas limits count as
//! zero). A gas field above 2^128−1 cannot be packed and is an error, not a truncation.
//! The signature is never part of the hash.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::SolValue;

use super::Mav2Error;
use crate::api::{UserOperationV06, UserOperationV07};

/// The packed (on-chain) form of a v0.7 user operation, minus the signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedUserOperation {
    pub sender: Address,
    pub nonce: U256,
    pub init_code: Bytes,
    pub call_data: Bytes,
    pub account_gas_limits: B256,
    pub pre_verification_gas: U256,
    pub gas_fees: B256,
    pub paymaster_and_data: Bytes,
}

fn u128_of(field: &'static str, value: U256) -> Result<u128, Mav2Error> {
    u128::try_from(value).map_err(|_| Mav2Error::GasFieldTooLarge { field, value })
}

fn pack_pair(hi: u128, lo: u128) -> B256 {
    let mut out = [0u8; 32];
    out[..16].copy_from_slice(&hi.to_be_bytes());
    out[16..].copy_from_slice(&lo.to_be_bytes());
    B256::from(out)
}

/// Packs a v0.7 user operation (protocol.md §6.5 steps 1–4).
pub fn pack_v07(op: &UserOperationV07) -> Result<PackedUserOperation, Mav2Error> {
    let init_code = match op.factory {
        Some(factory) => {
            let mut v = factory.to_vec();
            v.extend_from_slice(op.factory_data.as_ref().map_or(&[][..], |b| b.as_ref()));
            Bytes::from(v)
        }
        None => Bytes::new(),
    };
    let paymaster_and_data = match op.paymaster {
        Some(paymaster) => {
            let mut v = paymaster.to_vec();
            let vgl =
                u128_of("paymasterVerificationGasLimit", op.paymaster_verification_gas_limit.unwrap_or_default())?;
            let pgl = u128_of("paymasterPostOpGasLimit", op.paymaster_post_op_gas_limit.unwrap_or_default())?;
            v.extend_from_slice(&vgl.to_be_bytes());
            v.extend_from_slice(&pgl.to_be_bytes());
            v.extend_from_slice(op.paymaster_data.as_ref().map_or(&[][..], |b| b.as_ref()));
            Bytes::from(v)
        }
        None => Bytes::new(),
    };
    Ok(PackedUserOperation {
        sender: op.sender,
        nonce: op.nonce,
        init_code,
        call_data: op.call_data.clone(),
        account_gas_limits: pack_pair(
            u128_of("verificationGasLimit", op.verification_gas_limit)?,
            u128_of("callGasLimit", op.call_gas_limit)?,
        ),
        pre_verification_gas: op.pre_verification_gas,
        gas_fees: pack_pair(
            u128_of("maxPriorityFeePerGas", op.max_priority_fee_per_gas)?,
            u128_of("maxFeePerGas", op.max_fee_per_gas)?,
        ),
        paymaster_and_data,
    })
}

fn outer(inner: B256, entry_point: Address, chain_id: u64) -> B256 {
    keccak256((inner, entry_point, U256::from(chain_id)).abi_encode())
}

/// userOpHash of a v0.7 op for `entry_point` on `chain_id`.
pub fn hash_v07(op: &UserOperationV07, entry_point: Address, chain_id: u64) -> Result<B256, Mav2Error> {
    let p = pack_v07(op)?;
    Ok(hash_packed(&p, entry_point, chain_id))
}

/// userOpHash of an already packed v0.7 op.
pub fn hash_packed(p: &PackedUserOperation, entry_point: Address, chain_id: u64) -> B256 {
    let inner = keccak256(
        (
            p.sender,
            p.nonce,
            keccak256(&p.init_code),
            keccak256(&p.call_data),
            p.account_gas_limits,
            p.pre_verification_gas,
            p.gas_fees,
            keccak256(&p.paymaster_and_data),
        )
            .abi_encode(),
    );
    outer(inner, entry_point, chain_id)
}

/// userOpHash of a v0.6 op for `entry_point` on `chain_id`.
pub fn hash_v06(op: &UserOperationV06, entry_point: Address, chain_id: u64) -> B256 {
    let inner = keccak256(
        (
            op.sender,
            op.nonce,
            keccak256(&op.init_code),
            keccak256(&op.call_data),
            op.call_gas_limit,
            op.verification_gas_limit,
            op.pre_verification_gas,
            op.max_fee_per_gas,
            op.max_priority_fee_per_gas,
            keccak256(&op.paymaster_and_data),
        )
            .abi_encode(),
    );
    outer(inner, entry_point, chain_id)
}
