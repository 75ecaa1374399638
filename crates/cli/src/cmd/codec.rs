//! `warden codec …`: the offline protocol toolbox (a `cast`-like set of commands for
//! session data). JSON on stdin (or `--in FILE`), JSON on stdout.

use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};
use warden_core::api::{
    CreateSessionParams, CreateSessionResult, SignatureRequest, TypedDataDefinition, UserOperationV06, UserOperationV07,
};
use warden_core::mav2::constants::{ENTRY_POINT_V06, ENTRY_POINT_V07};
use warden_core::mav2::context::Context;
use warden_core::mav2::deferred::DeferredAction;
use warden_core::mav2::nonce::{self, NonceParts};
use warden_core::mav2::{account, install, user_op};
use warden_core::permissions::{self, GrantLimits};
use warden_core::signing::{self, VerifyGrantError, digest::Authorization};
use warden_core::wire;

use crate::exit::{CmdResult, Failure};
use crate::input::{InputArgs, from_value, json_u64, json_u256, now_unix, parse_u64, parse_u256, print_json};

#[derive(Debug, Subcommand)]
pub enum CodecCommand {
    /// Build the install call, nonce, DeferredAction typed data and digest for a
    /// wallet_createSession params object (stdin), as the server would.
    ///
    /// Example: warden codec grant --entity-id 1 < create-session.json
    Grant(GrantArgs),
    /// Decode DeferredAction typed data (stdin) back into the session it grants.
    ///
    /// Accepts the typed data itself, an eth_signTypedData_v4 signature request, or a
    /// whole wallet_createSession result.
    DecodeGrant(DecodeGrantArgs),
    /// Check a wallet_createSession result against its request (stdin:
    /// {"request": params, "result": result}). Exit 1 with the mismatches when it differs.
    VerifyGrant(VerifyGrantArgs),
    /// userOpHash of a user operation in wire form (stdin).
    ///
    /// Example: warden codec userop-hash --chain-id 11155111 < op.json
    UseropHash(UseropHashArgs),
    /// Account address for an owner: SMA-B counterfactual address or the 7702 EOA.
    Address(AddressArgs),
    /// Encode or decode a permissions context.
    #[command(subcommand)]
    Context(ContextCommand),
    /// Digest of a personal_sign or eth_signTypedData_v4 signature request (stdin),
    /// recomputed from its data (rawPayload is ignored).
    Digest(DigestArgs),
    /// EIP-7702 authorization digest keccak256(0x05 ‖ rlp([chainId, address, nonce])).
    AuthDigest(AuthDigestArgs),
}

#[derive(Debug, Args)]
pub struct GrantArgs {
    /// Session entity id (1 to 2147483646), decimal or 0x hex.
    #[arg(long, value_parser = parse_u64)]
    entity_id: u64,
    /// 152-bit parallel nonce key placed in the deferred nonce (default 0).
    #[arg(long, value_parser = parse_u256, default_value = "0")]
    parallel_nonce_key: U256,
    /// Unix time the expiry must be after (default: now).
    #[arg(long, value_parser = parse_u64)]
    now: Option<u64>,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Args)]
pub struct DecodeGrantArgs {
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Args)]
pub struct VerifyGrantArgs {
    /// Unix time the deadline must be after (default: now).
    #[arg(long, value_parser = parse_u64)]
    now: Option<u64>,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Args)]
pub struct UseropHashArgs {
    /// Chain id, decimal or 0x hex.
    #[arg(long, value_parser = parse_u64)]
    chain_id: u64,
    /// EntryPoint: 0.7, 0.6, or an address (the op's shape then picks the version).
    #[arg(long, default_value = "0.7")]
    entry_point: String,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum AccountType {
    #[value(name = "sma-b")]
    SmaB,
    #[value(name = "7702")]
    Eip7702,
}

#[derive(Debug, Args)]
pub struct AddressArgs {
    /// Owner address.
    #[arg(long)]
    owner: Address,
    /// Account salt, decimal or 0x hex (SMA-B only).
    #[arg(long, value_parser = parse_u256, default_value = "0")]
    salt: U256,
    /// Account type.
    #[arg(long = "type", value_enum, default_value = "sma-b")]
    ty: AccountType,
}

#[derive(Debug, Subcommand)]
pub enum ContextCommand {
    /// Build a context: 0x00 ‖ sessionId ‖ signature (or 0x02 with --entity-id, 0x01
    /// with --deferred-action).
    Encode(ContextEncodeArgs),
    /// Decode a context (0x00, 0x01 or 0x02).
    Decode {
        /// The context hex.
        context: String,
    },
}

#[derive(Debug, Args)]
pub struct ContextEncodeArgs {
    /// 16-byte session id.
    #[arg(long, requires = "signature", conflicts_with_all = ["entity_id", "deferred_action"])]
    session_id: Option<Bytes>,
    /// 65-byte owner signature.
    #[arg(long)]
    signature: Option<Bytes>,
    /// Entity id of an installed validation (version 0x02).
    #[arg(long, value_parser = parse_u64, conflicts_with = "deferred_action")]
    entity_id: Option<u64>,
    /// With --entity-id: the validation is global.
    #[arg(long, requires = "entity_id")]
    global: bool,
    /// A local-mode deferred action blob (version 0x01).
    #[arg(long)]
    deferred_action: Option<Bytes>,
}

#[derive(Debug, Args)]
pub struct DigestArgs {
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Args)]
pub struct AuthDigestArgs {
    /// Chain id, decimal or 0x hex.
    #[arg(long, value_parser = parse_u64)]
    chain_id: u64,
    /// Delegation address.
    #[arg(long)]
    address: Address,
    /// Account nonce, decimal or 0x hex.
    #[arg(long, value_parser = parse_u64)]
    nonce: u64,
}

pub fn run(cmd: CodecCommand) -> CmdResult {
    match cmd {
        CodecCommand::Grant(a) => grant(a),
        CodecCommand::DecodeGrant(a) => decode_grant(a),
        CodecCommand::VerifyGrant(a) => verify_grant(a),
        CodecCommand::UseropHash(a) => userop_hash(a),
        CodecCommand::Address(a) => address(a),
        CodecCommand::Context(ContextCommand::Encode(a)) => context_encode(a),
        CodecCommand::Context(ContextCommand::Decode { context }) => context_decode(&context),
        CodecCommand::Digest(a) => digest(a),
        CodecCommand::AuthDigest(a) => {
            let d = signing::auth_digest(&Authorization { chain_id: a.chain_id, address: a.address, nonce: a.nonce });
            print_json(&json!({ "digest": d }))
        }
    }
}

fn hex(v: U256) -> String {
    wire::to_hex(v)
}

fn grant(a: GrantArgs) -> CmdResult {
    let req: CreateSessionParams = a.input.parse("wallet_createSession params")?;
    let now = a.now.unwrap_or_else(now_unix);
    let expiry = req.expiry_sec.unwrap_or(0);
    let limits =
        GrantLimits { expiry_sec: expiry, now, entity_id: a.entity_id, parallel_nonce_key: a.parallel_nonce_key };
    let set = permissions::validate_grant(&req.permissions, req.account, limits).map_err(Failure::refused)?;
    let entity = u32::try_from(a.entity_id).map_err(Failure::refused)?;
    let call = install::encode_install_call(entity, req.key.public_key, expiry, set.permissions());
    let key = nonce::session_first_use_key(a.parallel_nonce_key, entity, set.is_root());
    let n = nonce::nonce_from_key(key, 0);
    let action =
        DeferredAction { chain_id: u64::from(req.chain_id), account: req.account, nonce: n, deadline: expiry, call };
    print_json(&json!({
        "entityId": entity,
        "nonce": hex(n),
        "nonceKey": hex(key),
        "call": action.call,
        "typedData": action.typed_data(),
        "digest": action.digest(),
        "domainSeparator": action.domain_separator(),
        "structHash": action.struct_hash(),
        "hasExecHooks": set.has_execution_hooks(),
        "isGlobal": set.is_root(),
    }))
}

/// Finds the typed data in any of the accepted wrappers.
fn typed_data_of(v: Value) -> Result<TypedDataDefinition, Failure> {
    let inner = if v.get("signatureRequest").is_some() {
        v["signatureRequest"]["data"].clone()
    } else if v.get("primaryType").is_none() && v.get("data").is_some() {
        v["data"].clone()
    } else {
        v
    };
    from_value(inner, "DeferredAction typed data")
}

fn decode_grant(a: DecodeGrantArgs) -> CmdResult {
    let td = typed_data_of(a.input.value()?)?;
    if td.primary_type != "DeferredAction" {
        return Err(Failure::refused(format!("primaryType is {:?}, not DeferredAction", td.primary_type)));
    }
    let domain = td.domain.clone().unwrap_or_default();
    let account = domain
        .verifying_contract
        .ok_or_else(|| Failure::refused("domain.verifyingContract is missing: it names the account"))?;
    let chain_id = domain.chain_id.ok_or_else(|| Failure::refused("domain.chainId is missing"))?;
    let nonce = json_u256(td.message.get("nonce").unwrap_or(&Value::Null), "message.nonce")?;
    let deadline = json_u64(td.message.get("deadline").unwrap_or(&Value::Null), "message.deadline")?;
    let call: Bytes = from_value(td.message.get("call").cloned().unwrap_or(Value::Null), "message.call")?;
    let grant = install::decode_install_call(&call).map_err(Failure::refused)?;
    if grant.expiry_sec != deadline {
        return Err(Failure::refused(format!(
            "message.deadline {deadline} differs from the time-range hook's validUntil {} in the install call",
            grant.expiry_sec
        )));
    }
    let parts = NonceParts::from_nonce(nonce);
    print_json(&json!({
        "account": account.to_checksum(None),
        "chainId": hex(U256::from(chain_id)),
        "entityId": grant.entity_id,
        "sessionKey": { "type": "secp256k1", "publicKey": grant.session_key.to_checksum(None) },
        "expirySec": grant.expiry_sec,
        "permissions": grant.wire_permissions(),
        "hasExecHooks": grant.has_exec_hooks(),
        "isGlobal": grant.is_root(),
        "nonce": hex(nonce),
        "nonceParts": {
            "parallelKey": hex(parts.parallel_key),
            "entityId": parts.entity_id,
            "deferred": parts.is_deferred(),
            "global": parts.is_global(),
            "sequence": parts.sequence,
        },
        "digest": DeferredAction { chain_id, account, nonce, deadline, call }.digest(),
    }))
}

fn verify_grant(a: VerifyGrantArgs) -> CmdResult {
    let v = a.input.value()?;
    let request: CreateSessionParams =
        from_value(v.get("request").cloned().unwrap_or(Value::Null), "request (wallet_createSession params)")?;
    let result: CreateSessionResult =
        from_value(v.get("result").cloned().unwrap_or(Value::Null), "result (wallet_createSession result)")?;
    let now = a.now.unwrap_or_else(now_unix);
    match signing::verify_grant(&request, &result, now) {
        Ok(g) => print_json(&json!({
            "verified": true,
            "digest": g.digest,
            "account": g.account.to_checksum(None),
            "chainId": hex(U256::from(g.chain_id)),
            "sessionId": g.session_id,
            "entityId": g.entity_id,
            "sessionKey": { "type": g.key_type, "publicKey": g.session_key.to_checksum(None) },
            "expirySec": g.expiry_sec,
            "nonce": hex(g.nonce),
            "permissions": g.permissions,
            "hasExecHooks": g.has_exec_hooks,
            "isGlobal": g.is_root,
            "description": g.description,
            "warnings": g.warnings,
        })),
        Err(e) => {
            let mismatches = match &e {
                VerifyGrantError::Mismatches(m) => json!(m),
                VerifyGrantError::InvalidRequest(p) => {
                    json!([{ "field": "request", "expected": "a valid permission set", "got": p.to_string() }])
                }
            };
            print_json(&json!({ "verified": false, "mismatches": mismatches }))?;
            Err(Failure::refused(format!("grant not verified: {e}")))
        }
    }
}

/// Accepts a bare op or a prepared call wrapper `{type, data, …}`.
fn op_value(v: Value) -> Value {
    match v.get("data") {
        Some(d) if v.get("sender").is_none() && d.is_object() => d.clone(),
        _ => v,
    }
}

fn userop_hash(a: UseropHashArgs) -> CmdResult {
    let op = op_value(a.input.value()?);
    let looks_v06 = op.get("initCode").is_some() || op.get("paymasterAndData").is_some();
    let (entry_point, v06) = match a.entry_point.as_str() {
        "0.7" | "v0.7" | "0.7.0" => (ENTRY_POINT_V07, false),
        "0.6" | "v0.6" | "0.6.0" => (ENTRY_POINT_V06, true),
        other => (
            other.parse::<Address>().map_err(|_| {
                Failure::bad_input(format!("--entry-point {other:?} is neither 0.7, 0.6 nor an address"))
            })?,
            looks_v06,
        ),
    };
    let hash: B256 = if v06 {
        let op: UserOperationV06 = from_value(op, "user operation (EntryPoint v0.6)")?;
        user_op::hash_v06(&op, entry_point, a.chain_id)
    } else {
        let op: UserOperationV07 = from_value(op, "user operation (EntryPoint v0.7)")?;
        user_op::hash_v07(&op, entry_point, a.chain_id).map_err(Failure::refused)?
    };
    print_json(&json!({ "hash": hash, "entryPoint": entry_point.to_checksum(None) }))
}

fn address(a: AddressArgs) -> CmdResult {
    match a.ty {
        AccountType::SmaB => {
            let addr = account::sma_b_address(a.owner, a.salt);
            print_json(&json!({
                "address": addr.to_checksum(None),
                "type": "sma-b",
                "factory": warden_core::mav2::constants::ACCOUNT_FACTORY.to_checksum(None),
                "factoryData": account::sma_b_factory_data(a.owner, a.salt),
            }))
        }
        AccountType::Eip7702 => print_json(&json!({
            "address": account::eip7702_address(a.owner).to_checksum(None),
            "type": "7702",
            "delegation": warden_core::mav2::constants::SMA_7702_IMPLEMENTATION.to_checksum(None),
        })),
    }
}

fn context_encode(a: ContextEncodeArgs) -> CmdResult {
    let ctx = if let Some(session_id) = a.session_id {
        let session_id: [u8; 16] = session_id.as_ref().try_into().map_err(|_| {
            Failure::bad_input(format!("--session-id must be 16 bytes, got {} bytes", session_id.len()))
        })?;
        let signature = a.signature.unwrap_or_default();
        if signature.len() != 65 {
            return Err(Failure::bad_input(format!("--signature must be 65 bytes, got {} bytes", signature.len())));
        }
        Context::Remote { session_id: FixedBytes(session_id), signature }
    } else if let Some(entity) = a.entity_id {
        let entity_id = u32::try_from(entity)
            .map_err(|_| Failure::bad_input(format!("--entity-id {entity} does not fit 32 bits")))?;
        Context::NonDeferred { is_global: a.global, entity_id }
    } else if let Some(deferred_action) = a.deferred_action {
        Context::Local { deferred_action }
    } else {
        return Err(Failure::bad_input(
            "give --session-id and --signature (0x00), --deferred-action (0x01) or --entity-id (0x02)",
        ));
    };
    print_json(&json!({ "context": ctx.encode() }))
}

fn context_decode(text: &str) -> CmdResult {
    let bytes: Bytes = text.trim().parse().map_err(|e| Failure::bad_input(format!("context {text:?}: {e}")))?;
    let ctx = Context::decode(&bytes).map_err(Failure::bad_input)?;
    let out = match &ctx {
        Context::Remote { session_id, signature } => {
            json!({ "version": "0x00", "sessionId": session_id, "signature": signature })
        }
        Context::Local { deferred_action } => json!({ "version": "0x01", "deferredAction": deferred_action }),
        Context::NonDeferred { is_global, entity_id } => {
            json!({ "version": "0x02", "isGlobal": is_global, "entityId": entity_id })
        }
    };
    print_json(&out)
}

/// A signature request from stdin: a personal_sign / eth_signTypedData_v4 request, or an
/// `{"type":"eip7702Auth","chainId","address","nonce"}` authorization.
pub enum RequestInput {
    Request(Box<SignatureRequest>),
    Auth(Authorization),
}

pub fn request_input(v: Value) -> Result<RequestInput, Failure> {
    if v.get("type").and_then(Value::as_str) == Some("eip7702Auth") && v.get("address").is_some() {
        let address: Address = from_value(v["address"].clone(), "address")?;
        return Ok(RequestInput::Auth(Authorization {
            chain_id: json_u64(&v["chainId"], "chainId")?,
            address,
            nonce: json_u64(&v["nonce"], "nonce")?,
        }));
    }
    let req: SignatureRequest = from_value(v, "signature request")?;
    if matches!(req, SignatureRequest::Eip7702Auth { .. }) {
        return Err(Failure::bad_input(
            "an eip7702Auth request needs its tuple: give {\"type\":\"eip7702Auth\",\"chainId\",\"address\",\"nonce\"}",
        ));
    }
    Ok(RequestInput::Request(Box::new(req)))
}

fn digest(a: DigestArgs) -> CmdResult {
    let d = match request_input(a.input.value()?)? {
        RequestInput::Request(r) => signing::request_digest(&r, None).map_err(Failure::bad_input)?,
        RequestInput::Auth(auth) => signing::auth_digest(&auth),
    };
    print_json(&json!({ "digest": d }))
}
