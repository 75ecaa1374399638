//! What Warden writes validates against the official JSON Schemas (`fixtures/spec/schemas`):
//! the 0.2.0-alpha.3 set (draft 2020-12, what the current server decodes with) and, where a
//! request only uses what that generation knew, the older TypeBox 0.1.0-alpha.25 set.
//!
//! * the golden examples, as given and after a typed round trip;
//! * requests built in code for every method and variant Warden sends;
//! * results built in code for the variants the examples do not show (what a server such
//!   as the devnet must be able to write).
//!
//! Schema notes. A `params` schema describes the whole `params` array (`prefixItems` in the
//! 2020-12 set, draft-07 `items: [...]` + `additionalItems` in the TypeBox set, which has
//! no `$schema` and is therefore compiled as draft 7). The non-standard keywords
//! `errorMessage` and `x-strictObject` are annotations to a standard validator and are
//! ignored (the strict objects also carry `additionalProperties: false`, which is
//! enforced). Formats are asserted, not just annotated: `uuid` is built into 2020-12 and
//! registered for the draft-7 set (any hyphenated RFC 4122 UUID, as TypeBox's format is),
//! and the custom `base64url` is registered for both (unpadded URL-safe alphabet).

#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use alloy_primitives::{Address, B256, Bytes, U256, address, b256, bytes};
use jsonschema::Validator;
use serde_json::{Map, Value, json};
use warden_core::api::*;
use warden_core::permissions::Permission;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Generation {
    /// `@alchemy/wallet-api-types` 0.2.0-alpha.3 (zod → JSON Schema 2020-12).
    Current,
    /// `@alchemy/wallet-api-types` 0.1.0-alpha.25 (TypeBox).
    TypeBox,
}

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec/schemas")
}

fn is_base64url(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') && s.len() % 4 != 1
}

fn is_hyphenated_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

fn validator(generation: Generation, method: &str, part: &str) -> Validator {
    let path = match generation {
        Generation::Current => schemas_dir().join(format!("{method}.{part}.json")),
        Generation::TypeBox => schemas_dir().join(format!("typebox-0.1.0-alpha.25/{method}.{part}.json")),
    };
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let options = match generation {
        Generation::Current => {
            assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema", "{}", path.display());
            jsonschema::draft202012::options()
        }
        Generation::TypeBox => {
            assert!(schema.get("$schema").is_none(), "{}", path.display());
            jsonschema::draft7::options().with_format("uuid", is_hyphenated_uuid)
        }
    };
    options
        .should_validate_formats(true)
        .with_format("base64url", is_base64url)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

thread_local! {
    /// Compiled validators, per test thread (compiling the large prepareCalls schemas
    /// dominates the run time otherwise).
    static VALIDATORS: RefCell<HashMap<(Generation, String), Rc<Validator>>> = RefCell::new(HashMap::new());
}

/// Validation errors as text, empty when valid.
fn errors(generation: Generation, method: &str, part: &str, instance: &Value) -> Vec<String> {
    let v = VALIDATORS.with(|cache| {
        Rc::clone(
            cache
                .borrow_mut()
                .entry((generation, format!("{method}.{part}")))
                .or_insert_with(|| Rc::new(validator(generation, method, part))),
        )
    });
    v.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[track_caller]
fn assert_valid(generation: Generation, method: &str, part: &str, instance: &Value, what: &str) {
    let errs = errors(generation, method, part, instance);
    assert!(errs.is_empty(), "{what}: {method}.{part} ({generation:?}) rejects it:\n{}\n{instance:#}", errs.join("\n"));
}

#[track_caller]
fn assert_invalid(generation: Generation, method: &str, part: &str, instance: &Value, what: &str) {
    assert!(
        !errors(generation, method, part, instance).is_empty(),
        "{what}: {method}.{part} ({generation:?}) accepts it, but should not:\n{instance:#}"
    );
}

// ---------------------------------------------------------------------------------------
// The golden examples
// ---------------------------------------------------------------------------------------

fn examples() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec/examples");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), v)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The example's params and result after parsing into the typed form and writing it again.
fn typed_round_trip<M: RpcMethod>(example: &Value) -> (Value, Value) {
    let params = M::parse_params(example["request"]["params"].clone()).unwrap();
    let result = M::parse_result(example["response"]["result"].clone()).unwrap();
    (M::params_json(&params).unwrap(), M::result_json(&result).unwrap())
}

#[test]
fn examples_validate_as_given_and_after_a_typed_round_trip() {
    let examples = examples();
    assert_eq!(examples.len(), 23);
    for (name, ex) in &examples {
        let method = ex["request"]["method"].as_str().unwrap();
        let (params, result) = match method {
            RequestAccount::NAME => typed_round_trip::<RequestAccount>(ex),
            ListAccounts::NAME => typed_round_trip::<ListAccounts>(ex),
            CreateSession::NAME => typed_round_trip::<CreateSession>(ex),
            PrepareCalls::NAME => typed_round_trip::<PrepareCalls>(ex),
            SendPreparedCalls::NAME => typed_round_trip::<SendPreparedCalls>(ex),
            GetCallsStatus::NAME => typed_round_trip::<GetCallsStatus>(ex),
            GetCapabilities::NAME => typed_round_trip::<GetCapabilities>(ex),
            PrepareSign::NAME => typed_round_trip::<PrepareSign>(ex),
            FormatSign::NAME => typed_round_trip::<FormatSign>(ex),
            other => panic!("{name}: unexpected method {other}"),
        };
        // The examples were checked by ajv against both generations upstream; all of them
        // stay within what 0.1.0 knew.
        for generation in [Generation::Current, Generation::TypeBox] {
            assert_valid(generation, method, "params", &ex["request"]["params"], name);
            assert_valid(generation, method, "result", &ex["response"]["result"], name);
            assert_valid(generation, method, "params", &params, &format!("{name} (re-serialized)"));
            assert_valid(generation, method, "result", &result, &format!("{name} (re-serialized)"));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Requests Warden builds
// ---------------------------------------------------------------------------------------

const CHAIN: u32 = 84532;
const OWNER: Address = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const ACCOUNT: Address = address!("65b5DE0251f553B2208762a4724303E750294D96");
const SESSION_KEY: Address = address!("70997970C51812dc3A010C7d01b50e0d17dc79C8");
const USDC: Address = address!("036CbD53842c5426634e7929541eC2318f3dCF7e");
const ROUTER: Address = address!("B0AEC4c25E8332256A91bBaf169E3C32dfC3C33C");
const HASH: B256 = b256!("76e443cb9dbd46ccbc059522119cc92cb256b7b714948503039c8af63b0af3b1");

fn policy() -> UuidV4 {
    "6f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b".parse().unwrap()
}

fn sig65() -> Bytes {
    let mut b = vec![0x11; 64];
    b.push(0x1b);
    b.into()
}

fn remote_permission() -> PermissionsCapability {
    PermissionsCapability::Remote { session_id: bytes!("5e55107a1d0000000000000000000001"), signature: sig65() }
}

fn context_permission() -> PermissionsCapability {
    PermissionsCapability::Context { context: bytes!("020000000001") }
}

fn signature(data: EcdsaSigData) -> SignatureObject {
    SignatureObject { ty: SignatureType::Secp256k1, data }
}

fn transfer_call() -> Call {
    Call { to: USDC, data: Some(bytes!("a9059cbb")), value: None }
}

fn user_op_v07() -> UserOperationV07 {
    UserOperationV07 {
        sender: ACCOUNT,
        nonce: U256::from(1) << 64,
        factory: Some(address!("00000000000017c61b5bEe81050EC8eFc9c6fecd")),
        factory_data: Some(bytes!("8b4e464e")),
        call_data: bytes!("34fcd5be"),
        call_gas_limit: U256::from(120_008),
        verification_gas_limit: U256::from(375_000),
        pre_verification_gas: U256::from(50_000),
        max_fee_per_gas: U256::from(1_000_000),
        max_priority_fee_per_gas: U256::from(1_000_000),
        paymaster_verification_gas_limit: Some(U256::from(40_000)),
        paymaster_post_op_gas_limit: Some(U256::ZERO),
        paymaster: Some(address!("2cc0c7981D846b9F2a16276556f6e8cb52BfB633")),
        paymaster_data: Some(bytes!("0000")),
        signature: None,
    }
}

fn user_op_v06() -> UserOperationV06 {
    UserOperationV06 {
        sender: ACCOUNT,
        nonce: U256::ZERO,
        init_code: Bytes::new(),
        call_data: bytes!("b61d27f6"),
        call_gas_limit: U256::from(100_000),
        verification_gas_limit: U256::from(100_000),
        pre_verification_gas: U256::from(50_000),
        max_fee_per_gas: U256::from(1_000_000),
        max_priority_fee_per_gas: U256::from(1_000),
        paymaster_and_data: Bytes::new(),
        signature: None,
    }
}

fn authorization_data() -> AuthorizationData {
    AuthorizationData { address: address!("69007702764179f14F51cdce752f4f775d74E139"), nonce: 7 }
}

fn typed_data() -> TypedDataDefinition {
    serde_json::from_value(json!({
        "domain": {"name": "Example", "version": "1", "chainId": CHAIN, "verifyingContract": ROUTER,
                   "salt": "0x0000000000000000000000000000000000000000000000000000000000000001"},
        "types": {"Mail": [{"name": "contents", "type": "string"}]},
        "primaryType": "Mail",
        "message": {"contents": "hi"}
    }))
    .unwrap()
}

/// A request Warden builds, and whether the 0.1.0 schemas must accept it too.
struct Built {
    what: &'static str,
    method: &'static str,
    params: Value,
    /// `false` for requests that use what only 0.2.0 knows (protocol.md §9): the TypeBox schema
    /// must then reject them, which pins down that the difference is real.
    in_typebox: bool,
}

fn built<M: RpcMethod>(what: &'static str, params: &M::Params, in_typebox: bool) -> Built {
    let wire = M::params_json(params).unwrap();
    // What Warden writes, it also reads back unchanged.
    let reparsed = M::parse_params(wire.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(M::params_json(&reparsed).unwrap(), wire, "{what}");
    Built { what, method: M::NAME, params: wire, in_typebox }
}

fn all_permissions() -> Vec<Permission> {
    vec![
        Permission::NativeTokenTransfer { allowance: U256::from(10).pow(U256::from(16)) },
        Permission::Erc20TokenTransfer { allowance: U256::from(100_000_000), address: USDC },
        Permission::GasLimit { limit: U256::from(5_000_000_000_000_000u64) },
        Permission::ContractAccess { address: ROUTER },
        Permission::AccountFunctions { functions: vec![bytes!("12345678")] },
        Permission::FunctionsOnAllContracts { functions: vec![bytes!("095ea7b3")] },
        Permission::FunctionsOnContract { address: ROUTER, functions: vec![bytes!("38ed1739"), bytes!("7ff36ab5")] },
    ]
}

fn requests_warden_builds() -> Vec<Built> {
    let full_capabilities = PrepareCallsCapabilities {
        permissions: Some(remote_permission()),
        paymaster_service: Some(PaymasterService {
            policy: GasPolicy::Single(policy()),
            only_estimation: Some(true),
            webhook_data: Some("order-17".into()),
            erc20: Some(
                json!({"tokenAddress": USDC.to_checksum(None), "maxTokenAmount": "0xf4240",
                       "postOpSettings": {"autoApprove": {"below": "0x1", "amount": "0xf4240"}}})
                .as_object()
                .unwrap()
                .clone(),
            ),
        }),
        gas_params_override: Some(GasParamsOverride {
            call_gas_limit: Some(GasOverride::Absolute(U256::from(200_000))),
            max_fee_per_gas: Some(GasOverride::Multiplier(1.25)),
            pre_verification_gas: Some(GasOverride::Multiplier(2.0)),
            ..Default::default()
        }),
        eip7702_auth: Some(Eip7702Auth::Explicit {
            account: Some(OWNER),
            delegation: Eip7702Delegation::Mav2Implementation,
        }),
        nonce_override: Some(NonceOverride { nonce_key: U256::from(0xabcdu64) }),
        state_override: Some(
            json!({ACCOUNT.to_checksum(None): {"balance": "0xde0b6b3a7640000",
                    "stateDiff": {"0x0000000000000000000000000000000000000000000000000000000000000001": "0x01"}}})
            .as_object()
            .unwrap()
            .clone(),
        ),
        experimental_data_suffix: Some(DataSuffix { value: bytes!("dd0011") }),
    };
    let prepare = |calls, capabilities, permit| PrepareCallsParams {
        calls,
        from: ACCOUNT,
        chain_id: CHAIN,
        capabilities,
        paymaster_permit_signature: permit,
    };
    let send = |call, capabilities, call_id| SendPreparedCallsParams { call, capabilities, call_id };
    let send_caps = |permissions, policy| {
        Some(SendPreparedCallsCapabilities {
            permissions,
            paymaster_service: Some(SendPaymasterService { policy, webhook_data: Some("order-17".into()) }),
        })
    };
    let signed_v07 = || SignedUserOperation {
        data: user_op_v07(),
        chain_id: CHAIN,
        signature: signature(EcdsaSigData::Hex(sig65())),
    };
    let signed_auth = || SignedAuthorization {
        data: authorization_data(),
        chain_id: CHAIN,
        signature: signature(EcdsaSigData::YParity { r: HASH, s: HASH, y_parity: U256::from(1) }),
    };

    vec![
        built::<RequestAccount>(
            "requestAccount, SMA-B with salt",
            &RequestAccountParams::BySigner(RequestAccountBySigner {
                signer_address: OWNER,
                id: Some(UuidV4::new_random()),
                creation_hint: Some(CreationHint::SingleOwner(SingleOwnerHint {
                    account_type: Some(SingleOwnerAccountType::SmaB),
                    create_additional: true,
                    salt: Some(U256::from(1)),
                })),
                include_counterfactual_info: Some(true),
            }),
            true,
        ),
        built::<RequestAccount>(
            "requestAccount, multi-owner",
            &RequestAccountParams::BySigner(RequestAccountBySigner {
                signer_address: OWNER,
                id: None,
                creation_hint: Some(CreationHint::MultiOwner(MultiOwnerHint {
                    account_type: MultiOwnerAccountType::ModularAccountV1MultiOwner,
                    initial_owners: Some(vec![SESSION_KEY]),
                    create_additional: false,
                    salt: None,
                })),
                include_counterfactual_info: None,
            }),
            true,
        ),
        built::<RequestAccount>(
            "requestAccount, 7702",
            &RequestAccountParams::BySigner(RequestAccountBySigner {
                signer_address: OWNER,
                id: None,
                creation_hint: Some(CreationHint::Eip7702),
                include_counterfactual_info: Some(false),
            }),
            true,
        ),
        built::<RequestAccount>(
            "requestAccount, by address",
            &RequestAccountParams::ByAccount(RequestAccountByAddress {
                account_address: ACCOUNT,
                include_counterfactual_info: Some(true),
            }),
            true,
        ),
        built::<ListAccounts>(
            "listAccounts, next page",
            &ListAccountsParams {
                signer_address: OWNER,
                limit: Some(100),
                after: Some(Cursor::new("eyJvZmZzZXQiOjF9").unwrap()),
            },
            true,
        ),
        built::<ListAccounts>(
            "listAccounts, first page",
            &ListAccountsParams { signer_address: OWNER, limit: None, after: None },
            true,
        ),
        built::<CreateSession>(
            "createSession, every scoped permission",
            &CreateSessionParams {
                account: ACCOUNT,
                chain_id: CHAIN,
                key: KeyDescriptor { ty: KeyType::Secp256k1, public_key: SESSION_KEY },
                permissions: all_permissions(),
                expiry_sec: Some(1_893_456_000),
            },
            true,
        ),
        built::<CreateSession>(
            "createSession, root, contract key, no expiry",
            &CreateSessionParams {
                account: ACCOUNT,
                chain_id: CHAIN,
                key: KeyDescriptor { ty: KeyType::Contract, public_key: ROUTER },
                permissions: vec![Permission::Root],
                expiry_sec: None,
            },
            true,
        ),
        built::<CreateSession>(
            "createSession, expiry 0 (none)",
            &CreateSessionParams {
                account: ACCOUNT,
                chain_id: CHAIN,
                key: KeyDescriptor { ty: KeyType::Ecdsa, public_key: SESSION_KEY },
                permissions: vec![Permission::Root],
                expiry_sec: Some(0),
            },
            true,
        ),
        built::<PrepareCalls>(
            "prepareCalls, every capability",
            &prepare(
                Some(vec![transfer_call(), Call { to: ROUTER, data: None, value: Some(U256::from(1)) }]),
                Some(full_capabilities),
                None,
            ),
            true,
        ),
        built::<PrepareCalls>(
            "prepareCalls, session context, 7702 default, several policies",
            &prepare(
                Some(vec![transfer_call()]),
                Some(PrepareCallsCapabilities {
                    permissions: Some(context_permission()),
                    paymaster_service: Some(PaymasterService {
                        policy: GasPolicy::Several(vec![policy(), UuidV4::new_random()]),
                        only_estimation: None,
                        webhook_data: None,
                        erc20: None,
                    }),
                    eip7702_auth: Some(Eip7702Auth::Default),
                    ..Default::default()
                }),
                None,
            ),
            true,
        ),
        built::<PrepareCalls>(
            "prepareCalls, second round of a paymaster permit",
            &prepare(
                Some(vec![transfer_call()]),
                None,
                Some(SignatureObject {
                    ty: SignatureType::Ecdsa,
                    data: EcdsaSigData::V { r: HASH, s: HASH, v: U256::from(27) },
                }),
            ),
            true,
        ),
        built::<PrepareCalls>(
            "prepareCalls, ModularAccountV2 delegation by name",
            &prepare(
                Some(vec![]),
                Some(PrepareCallsCapabilities {
                    eip7702_auth: Some(Eip7702Auth::Explicit {
                        account: None,
                        delegation: Eip7702Delegation::ModularAccountV2,
                    }),
                    ..Default::default()
                }),
                None,
            ),
            true,
        ),
        built::<PrepareCalls>("prepareCalls, no calls (0.2.0 only)", &prepare(None, None, None), false),
        built::<PrepareCalls>(
            "prepareCalls, undelegate (0.2.0 only)",
            &prepare(
                Some(vec![]),
                Some(PrepareCallsCapabilities {
                    eip7702_auth: Some(Eip7702Auth::Explicit {
                        account: None,
                        delegation: Eip7702Delegation::Undelegate,
                    }),
                    ..Default::default()
                }),
                None,
            ),
            false,
        ),
        built::<SendPreparedCalls>(
            "sendPreparedCalls, v0.7 with session context, policies and call id",
            &send(
                SignedPreparedCall::UserOperationV070(signed_v07()),
                send_caps(Some(context_permission()), GasPolicy::Several(vec![policy()])),
                Some(bytes!("01")),
            ),
            true,
        ),
        built::<SendPreparedCalls>(
            "sendPreparedCalls, v0.6",
            &send(
                SignedPreparedCall::UserOperationV060(SignedUserOperation {
                    data: user_op_v06(),
                    chain_id: CHAIN,
                    signature: signature(EcdsaSigData::Hex(sig65())),
                }),
                None,
                None,
            ),
            true,
        ),
        built::<SendPreparedCalls>(
            "sendPreparedCalls, array",
            &send(
                SignedPreparedCall::Array(SignedCallArray {
                    data: vec![
                        SignedCallElement::Authorization(signed_auth()),
                        SignedCallElement::UserOperationV070(signed_v07()),
                    ],
                }),
                send_caps(Some(remote_permission()), GasPolicy::Single(policy())),
                None,
            ),
            true,
        ),
        built::<SendPreparedCalls>(
            "sendPreparedCalls, standalone authorization (0.2.0 only)",
            &send(SignedPreparedCall::Authorization(signed_auth()), None, None),
            false,
        ),
        built::<GetCallsStatus>("getCallsStatus", &Bytes::from(vec![0xab; 64]), true),
        built::<GetCapabilities>(
            "getCapabilities, address only",
            &GetCapabilitiesParams { address: ACCOUNT, chain_ids: None },
            true,
        ),
        built::<GetCapabilities>(
            "getCapabilities, with chains",
            &GetCapabilitiesParams { address: ACCOUNT, chain_ids: Some(vec![CHAIN, 1]) },
            true,
        ),
        built::<PrepareSign>(
            "prepareSign, text",
            &PrepareSignParams {
                from: ACCOUNT,
                chain_id: CHAIN,
                signature_request: SignatureRequest::PersonalSign {
                    data: SignableMessage::Text("Hello World!".into()),
                    raw_payload: None,
                },
                capabilities: None,
            },
            true,
        ),
        built::<PrepareSign>(
            "prepareSign, raw bytes as a session",
            &PrepareSignParams {
                from: ACCOUNT,
                chain_id: CHAIN,
                signature_request: SignatureRequest::PersonalSign {
                    data: SignableMessage::Raw { raw: HASH.into() },
                    raw_payload: None,
                },
                capabilities: Some(SignCapabilities { permissions: remote_permission() }),
            },
            true,
        ),
        built::<PrepareSign>(
            "prepareSign, typed data",
            &PrepareSignParams {
                from: ACCOUNT,
                chain_id: CHAIN,
                signature_request: SignatureRequest::TypedData { data: typed_data(), raw_payload: None },
                capabilities: Some(SignCapabilities { permissions: context_permission() }),
            },
            true,
        ),
        built::<FormatSign>(
            "formatSign, every signature form",
            &FormatSignParams {
                from: ACCOUNT,
                chain_id: CHAIN,
                signature: SignatureObject {
                    ty: SignatureType::Ecdsa,
                    data: EcdsaSigData::V { r: HASH, s: HASH, v: U256::from(28) },
                },
                capabilities: Some(SignCapabilities { permissions: remote_permission() }),
            },
            true,
        ),
    ]
}

#[test]
fn requests_warden_builds_validate() {
    let requests = requests_warden_builds();
    let methods: std::collections::BTreeSet<_> = requests.iter().map(|b| b.method).collect();
    assert_eq!(methods.len(), 9, "a request for every method");
    for b in &requests {
        assert_valid(Generation::Current, b.method, "params", &b.params, b.what);
        if b.in_typebox {
            assert_valid(Generation::TypeBox, b.method, "params", &b.params, b.what);
        } else {
            assert_invalid(Generation::TypeBox, b.method, "params", &b.params, b.what);
        }
    }
}

/// The validators are not vacuous: small, realistic mistakes in requests Warden builds are
/// caught by the schema, in both generations unless noted.
#[test]
fn schemas_reject_broken_requests() {
    let requests = requests_warden_builds();
    let find = |what: &str| requests.iter().find(|b| b.what == what).unwrap().params.clone();
    let mut cases: Vec<(&str, &str, Value)> = Vec::new();

    let mut v = find("createSession, every scoped permission");
    v[0]["chainId"] = json!(CHAIN);
    cases.push(("chain id as a JSON number", CreateSession::NAME, v));
    let mut v = find("createSession, every scoped permission");
    v[0]["expirySec"] = json!(10_000_000_000u64);
    cases.push(("expirySec above the cap", CreateSession::NAME, v));
    let mut v = find("createSession, root, contract key, no expiry");
    v[0]["permissions"][0]["data"] = json!({});
    cases.push(("root with data", CreateSession::NAME, v));
    let mut v = find("prepareCalls, every capability");
    v[0]["capabilities"]["paymasterService"]["erc20"]["extra"] = json!(1);
    cases.push(("unknown key in a strict erc20 setting", PrepareCalls::NAME, v));
    let mut v = find("prepareCalls, every capability");
    v[0]["capabilities"]["paymasterService"]["policyId"] = json!("6f8e2c1a3b4d4e5f8a9b0c1d2e3f4a5b");
    cases.push(("policy id without hyphens", PrepareCalls::NAME, v));
    let mut v = find("prepareCalls, every capability");
    v[0].as_object_mut().unwrap().remove("from");
    cases.push(("no from", PrepareCalls::NAME, v));
    let mut v = find("sendPreparedCalls, array");
    v[0]["data"][0]["signature"]["type"] = json!("ed25519");
    cases.push(("unknown signature type", SendPreparedCalls::NAME, v));
    let mut v = find("listAccounts, next page");
    v[0]["after"] = json!("a+b/");
    cases.push(("cursor outside base64url", ListAccounts::NAME, v));
    let mut v = find("getCallsStatus");
    v.as_array_mut().unwrap().push(json!("0x01"));
    cases.push(("two call ids", GetCallsStatus::NAME, v));
    let v = json!([ACCOUNT.to_checksum(None), [CHAIN]]);
    cases.push(("chain ids as numbers", GetCapabilities::NAME, v));

    for (what, method, instance) in cases {
        for generation in [Generation::Current, Generation::TypeBox] {
            assert_invalid(generation, method, "params", &instance, what);
        }
    }

    // Only 0.2.0 pins ids to version 4 (by pattern); TypeBox's `uuid` format takes any
    // version, so this one is a difference between the generations, not a mistake of ours.
    let mut v = find("prepareCalls, every capability");
    v[0]["capabilities"]["paymasterService"]["policyId"] = json!("6f8e2c1a-3b4d-1e5f-8a9b-0c1d2e3f4a5b");
    assert_invalid(Generation::Current, PrepareCalls::NAME, "params", &v, "policy id of UUID version 1");
    assert_valid(Generation::TypeBox, PrepareCalls::NAME, "params", &v, "policy id of UUID version 1");
}

// ---------------------------------------------------------------------------------------
// Results a server writes that the examples do not show
// ---------------------------------------------------------------------------------------

fn user_op_summary() -> Option<PreparedCallDetails> {
    Some(PreparedCallDetails::UserOperation { data: UserOperationSummary { hash: HASH, calls: vec![transfer_call()] } })
}

fn personal_sign_request() -> Option<SignatureRequest> {
    Some(SignatureRequest::PersonalSign {
        data: SignableMessage::Raw { raw: HASH.into() },
        raw_payload: Some(HASH.into()),
    })
}

fn fee_payment() -> FeePayment {
    FeePayment { sponsored: false, token_address: USDC, max_amount: U256::from(1_000_000) }
}

fn prepared_authorization() -> PreparedAuthorization {
    PreparedAuthorization {
        data: authorization_data(),
        chain_id: CHAIN,
        signature_request: SignatureRequest::Eip7702Auth { raw_payload: HASH.into() },
        details: None,
    }
}

fn result_json<M: RpcMethod>(result: &M::Result) -> Value {
    let wire = M::result_json(result).unwrap();
    let reparsed = M::parse_result(wire.clone()).unwrap();
    assert_eq!(M::result_json(&reparsed).unwrap(), wire);
    wire
}

#[test]
fn results_warden_can_write_validate() {
    let v060 = PreparedCall::UserOperationV060(PreparedUserOperation {
        data: user_op_v06(),
        chain_id: CHAIN,
        signature_request: Some(SignatureRequest::TypedData { data: typed_data(), raw_payload: Some(HASH.into()) }),
        fee_payment: fee_payment(),
        details: user_op_summary(),
    });
    let estimate_only = PreparedCall::UserOperationV070(PreparedUserOperation {
        data: user_op_v07(),
        chain_id: CHAIN,
        signature_request: None,
        fee_payment: fee_payment(),
        details: None,
    });
    let permit = PreparedCall::PaymasterPermit(Box::new(PaymasterPermit {
        modified_request: PrepareCallsParams {
            calls: Some(vec![transfer_call()]),
            from: ACCOUNT,
            chain_id: CHAIN,
            capabilities: None,
            paymaster_permit_signature: None,
        },
        data: typed_data(),
        signature_request: SignatureRequest::TypedData { data: typed_data(), raw_payload: Some(HASH.into()) },
        details: None,
    }));
    let array_v06 = PreparedCall::Array(PreparedCallArray {
        data: vec![
            PreparedCallElement::Authorization(prepared_authorization()),
            PreparedCallElement::UserOperationV060(PreparedUserOperation {
                data: user_op_v06(),
                chain_id: CHAIN,
                signature_request: personal_sign_request(),
                fee_payment: fee_payment(),
                details: None,
            }),
        ],
        details: user_op_summary(),
    });
    for (what, result, in_typebox) in [
        ("v0.6 user op with typed data", v060, true),
        ("estimate only", estimate_only, true),
        ("paymaster permit", permit, true),
        ("array with a v0.6 op", array_v06, true),
        ("standalone authorization (0.2.0 only)", PreparedCall::Authorization(prepared_authorization()), false),
    ] {
        let wire = result_json::<PrepareCalls>(&result);
        assert_valid(Generation::Current, PrepareCalls::NAME, "result", &wire, what);
        if in_typebox {
            assert_valid(Generation::TypeBox, PrepareCalls::NAME, "result", &wire, what);
        } else {
            assert_invalid(Generation::TypeBox, PrepareCalls::NAME, "result", &wire, what);
        }
    }

    let sent = SendPreparedCallsResult {
        id: bytes!("01"),
        prepared_call_ids: vec![bytes!("01")],
        details: SendDetails::Delegation,
    };
    let wire = result_json::<SendPreparedCalls>(&sent);
    assert_valid(Generation::Current, SendPreparedCalls::NAME, "result", &wire, "send, delegation only");
    assert_invalid(Generation::TypeBox, SendPreparedCalls::NAME, "result", &wire, "send, delegation only (0.2.0 only)");

    let status = GetCallsStatusResult {
        id: bytes!("01"),
        chain_id: CHAIN,
        atomic: true,
        status: CallStatus::OFFCHAIN_FAILURE,
        receipts: None,
        details: StatusDetails::Delegation { tx_hash: Some(HASH) },
    };
    let wire = result_json::<GetCallsStatus>(&status);
    assert_valid(Generation::Current, GetCallsStatus::NAME, "result", &wire, "status, delegation");
    assert_invalid(Generation::TypeBox, GetCallsStatus::NAME, "result", &wire, "status, delegation (0.2.0 only)");

    let account = RequestAccountResult {
        account_address: ACCOUNT,
        id: UuidV4::new_random(),
        counterfactual_info: Some(CounterfactualInfo {
            factory_type: FactoryType::LightAccountV2_0_0MultiOwner,
            factory_address: ROUTER,
            factory_data: bytes!("00"),
        }),
        delegation: None,
    };
    let wire = result_json::<RequestAccount>(&account);
    for generation in [Generation::Current, Generation::TypeBox] {
        assert_valid(generation, RequestAccount::NAME, "result", &wire, "requestAccount, multi-owner LA");
    }

    let mut caps = Map::new();
    caps.insert("atomic".into(), json!({"status": "supported"}));
    let capabilities = GetCapabilitiesResult([("0x14a34".to_owned(), caps)].into_iter().collect());
    let wire = result_json::<GetCapabilities>(&capabilities);
    for generation in [Generation::Current, Generation::TypeBox] {
        assert_valid(generation, GetCapabilities::NAME, "result", &wire, "capabilities of one chain");
    }
}
