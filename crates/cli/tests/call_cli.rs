//! `warden call` and `warden status` run as a binary against an in-process devnet, with a
//! session granted in the test (native limit + ERC-20 limit + contract access + expiry):
//! calls within the limits succeed and move balances; beyond them they fail naming the
//! limit and move nothing; keystore and age secrets work; tampered credentials are refused
//! before anything reaches the devnet; after the chain passes the expiry the session is
//! refused; a revoked or unknown session exits 4, the gas limit and an account that cannot
//! pay exit 3, each from the devnet's live (bundler-shaped) refusals. Every exit status is
//! asserted.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use alloy_primitives::{Address, U256};
use serde_json::Value;
use support::*;
use warden_core::credentials::{Secret, SecretForm, SessionCredentials};
use warden_core::mav2::nonce::{session_first_use_key, session_installed_key};
use warden_core::permissions::Permission;
use warden_core::rpc::RpcClient;
use warden_core::signing::DigestSigner;

const PASSPHRASE: &str = "correct horse battery staple";

/// Runs `warden ARGS` off the async runtime (the devnet serves from it meanwhile).
async fn warden(args: Vec<String>, env: Vec<(&'static str, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("warden"));
        cmd.args(&args).env_remove("WARDEN_ENDPOINT").env_remove("WARDEN_PASSPHRASE").env_remove("ALCHEMY_API_KEY");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts the exit status, showing stdout and stderr otherwise.
fn expect(out: &Output, code: i32) {
    assert_eq!(out.status.code(), Some(code), "stdout: {}\nstderr: {}", text(&out.stdout), text(&out.stderr));
}

struct Setup {
    devnet: warden_devnet::DevnetHandle,
    rpc: RpcClient,
    account: Address,
    token: Address,
    creds: SessionCredentials,
    dir: tempfile::TempDir,
}

/// Native allowance 5 milli-ether, token allowance 100 (the account holds only 80 tokens,
/// so a transfer can be within the limit and still revert), BOB and the token reachable,
/// expiring in an hour of chain time.
async fn setup() -> Setup {
    let devnet = devnet().await;
    let url = devnet.url();
    let rpc = rpc(&url);
    let owner = signer(OWNER_KEY);
    let account = funded_account(&rpc, owner.address(), ETHER).await;
    let token = token(&rpc, account, 80).await;
    let expiry = chain_time(&rpc).await + 3600;
    let permissions = vec![
        Permission::NativeTokenTransfer { allowance: U256::from(5 * MILLI) },
        Permission::Erc20TokenTransfer { allowance: U256::from(100), address: token },
        Permission::ContractAccess { address: BOB },
    ];
    let session = signer(SESSION_KEY);
    let creds = grant(&rpc, &url, &owner, account, session.address(), permissions, Some(expiry)).await;
    Setup { devnet, rpc, account, token, creds, dir: tempfile::tempdir().unwrap() }
}

impl Setup {
    /// Writes the credentials with `secret` to a 0600 file.
    fn write(&self, name: &str, secret: Option<Secret>) -> PathBuf {
        let path = self.dir.path().join(name);
        SessionCredentials { secret, ..self.creds.clone() }.write_file(&path, false).unwrap();
        path
    }

    fn plaintext(&self) -> PathBuf {
        self.write("plain.json", Some(Secret::seal(SESSION_KEY, SecretForm::Plaintext).unwrap()))
    }

    /// What a refused-before-sending check compares: balances and both session nonces.
    async fn chain_state(&self) -> (U256, U256, u64, u64) {
        let entity = self.creds.grant.as_ref().unwrap().entity_id;
        (
            balance(&self.rpc, BOB).await,
            token_balance(&self.rpc, self.token, BOB).await,
            entry_point_sequence(&self.rpc, self.account, session_first_use_key(U256::ZERO, entity, false)).await,
            entry_point_sequence(&self.rpc, self.account, session_installed_key(U256::ZERO, entity, false)).await,
        )
    }
}

fn call(creds: &Path, rest: &[&str]) -> Vec<String> {
    let mut v = args(&["call", "--credentials", creds.to_str().unwrap()]);
    v.extend(args(rest));
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_within_the_limits_succeed_and_beyond_them_fail_naming_the_limit() {
    let s = setup().await;
    let creds = s.plaintext();
    let bob = BOB.to_string();

    // Native value with a unit: confirmed, prints id, status and transaction.
    let before = balance(&s.rpc, BOB).await;
    let out = warden(call(&creds, &["--to", &bob, "--value", "0.003ether"]), vec![]).await;
    expect(&out, 0);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("status       200 (confirmed)") && stdout.contains("transaction  0x"), "{stdout}");
    let call_id = stdout.lines().next().unwrap().strip_prefix("call id      ").unwrap().trim().to_owned();
    assert_eq!(balance(&s.rpc, BOB).await - before, U256::from(3 * MILLI));

    // ERC-20 transfer built from a signature, as JSON.
    let token = s.token.to_string();
    let out =
        warden(call(&creds, &["--to", &token, "--sig", "transfer(address,uint256)", &bob, "60", "--json"]), vec![])
            .await;
    expect(&out, 0);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], 200);
    assert!(json["transactionHashes"][0].as_str().unwrap().starts_with("0x"));
    assert_eq!(token_balance(&s.rpc, s.token, BOB).await, U256::from(60));

    // `warden status` reads it back.
    let url = s.creds.endpoint.clone();
    let out = warden(args(&["status", &call_id, "--endpoint", &url]), vec![]).await;
    expect(&out, 0);
    assert!(text(&out.stdout).contains("200 (confirmed)"));
    let out = warden(args(&["status", &call_id, "--credentials", creds.to_str().unwrap(), "--json"]), vec![]).await;
    expect(&out, 0);

    // Beyond each limit: exit 3, the limit named, nothing moved.
    let state = s.chain_state().await;
    let out = warden(call(&creds, &["--to", &bob, "--value", "3000000gwei"]), vec![]).await;
    expect(&out, 3);
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: permission_denied") && stderr.contains("native-token-transfer"), "{stderr}");
    let transfer = transfer_data(BOB, 41).to_string();
    let out = warden(call(&creds, &["--to", &token, "--data", &transfer]), vec![]).await;
    expect(&out, 3);
    assert!(text(&out.stderr).contains("erc20-token-transfer"), "{}", text(&out.stderr));
    let out = warden(call(&creds, &["--to", &ALICE.to_string(), "--value", "1wei"]), vec![]).await;
    expect(&out, 3);
    assert!(text(&out.stderr).contains("allow-list"), "{}", text(&out.stderr));
    assert_eq!(s.chain_state().await, state);

    // Several calls from a file, atomically: within the limits together.
    let calls = s.dir.path().join("calls.json");
    std::fs::write(
        &calls,
        format!(
            r#"[{{"to": "{bob}", "value": "1000000gwei"}}, {{"to": "{token}", "data": "{}"}}]"#,
            transfer_data(BOB, 20)
        ),
    )
    .unwrap();
    let out = warden(call(&creds, &["--calls", calls.to_str().unwrap()]), vec![]).await;
    expect(&out, 0);
    assert_eq!(token_balance(&s.rpc, s.token, BOB).await, U256::from(80));
    assert_eq!(balance(&s.rpc, BOB).await - before, U256::from(4 * MILLI));

    // Within the token limit (90 of 100) but beyond the account's balance (0): it reverts
    // on chain, exit 5 with the reason, and the native value sent with it is rolled back.
    let state = s.chain_state().await;
    let file = s.dir.path().join("reverting.json");
    std::fs::write(
        &file,
        format!(r#"[{{"to": "{bob}", "value": "1wei"}}, {{"to": "{token}", "data": "{}"}}]"#, transfer_data(BOB, 10)),
    )
    .unwrap();
    let out = warden(call(&creds, &["--calls", file.to_str().unwrap()]), vec![]).await;
    expect(&out, 5);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("500 (onchain failure)") && stdout.contains("reverted     calls[1]"), "{stdout}");
    assert!(text(&out.stderr).starts_with("error: call_failed"), "{}", text(&out.stderr));
    let after = s.chain_state().await;
    assert_eq!((after.0, after.1), (state.0, state.1), "nothing moved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_secrets_unlock_with_a_passphrase_or_an_age_identity() {
    let s = setup().await;
    let bob = BOB.to_string();
    let keystore = s.write(
        "keystore.json",
        Some(Secret::seal(SESSION_KEY, SecretForm::Keystore { passphrase: PASSPHRASE }).unwrap()),
    );
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let aged = s.write("age.json", Some(Secret::seal(SESSION_KEY, SecretForm::Age { recipient: &recipient }).unwrap()));
    let identity_file = s.dir.path().join("identity.txt");
    {
        use age::secrecy::ExposeSecret;
        std::fs::write(&identity_file, format!("# test identity\n{}\n", identity.to_string().expose_secret())).unwrap();
    }
    let before = balance(&s.rpc, BOB).await;

    // What cannot unlock is bad input (2), and nothing is sent.
    let state = s.chain_state().await;
    let out = warden(call(&keystore, &["--to", &bob, "--value", "1gwei"]), vec![]).await;
    expect(&out, 2);
    assert!(text(&out.stderr).contains("WARDEN_PASSPHRASE"), "{}", text(&out.stderr));
    let out =
        warden(call(&keystore, &["--to", &bob, "--value", "1gwei"]), vec![("WARDEN_PASSPHRASE", "wrong".into())]).await;
    expect(&out, 2);
    assert!(text(&out.stderr).contains("wrong passphrase"), "{}", text(&out.stderr));
    let out = warden(call(&aged, &["--to", &bob, "--value", "1gwei"]), vec![]).await;
    expect(&out, 2);
    assert!(text(&out.stderr).contains("--identity"), "{}", text(&out.stderr));
    let other = age::x25519::Identity::generate();
    let other_file = s.dir.path().join("other.txt");
    {
        use age::secrecy::ExposeSecret;
        std::fs::write(&other_file, other.to_string().expose_secret()).unwrap();
    }
    let out =
        warden(call(&aged, &["--to", &bob, "--value", "1gwei", "--identity", other_file.to_str().unwrap()]), vec![])
            .await;
    expect(&out, 2);
    assert_eq!(s.chain_state().await, state);

    // The right passphrase and identity: confirmed, and the limit still holds across forms.
    let out = warden(
        call(&keystore, &["--to", &bob, "--value", "0.002ether"]),
        vec![("WARDEN_PASSPHRASE", PASSPHRASE.into())],
    )
    .await;
    expect(&out, 0);
    let id = identity_file.to_str().unwrap();
    let out = warden(call(&aged, &["--to", &bob, "--value", "0.002ether", "--identity", id]), vec![]).await;
    expect(&out, 0);
    assert_eq!(balance(&s.rpc, BOB).await - before, U256::from(4 * MILLI));
    let out = warden(call(&aged, &["--to", &bob, "--value", "0.002ether", "--identity", id]), vec![]).await;
    expect(&out, 3);
    assert!(text(&out.stderr).contains("native-token-transfer"), "{}", text(&out.stderr));
    assert_eq!(balance(&s.rpc, BOB).await - before, U256::from(4 * MILLI));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_credentials_are_refused_before_anything_is_sent() {
    let s = setup().await;
    let bob = BOB.to_string();
    let state = s.chain_state().await;

    // One byte of the owner's signature changed (and the context made to match it, so only
    // the signature check can catch it).
    let mut sig = s.creds.signature.to_vec();
    sig[10] ^= 0x01;
    let mut context = s.creds.context.to_vec();
    context[1 + 16 + 10] ^= 0x01;
    let tampered = SessionCredentials {
        signature: sig.into(),
        context: context.into(),
        secret: Some(Secret::seal(SESSION_KEY, SecretForm::Plaintext).unwrap()),
        ..s.creds.clone()
    };
    let path = s.dir.path().join("tampered-sig.json");
    std::fs::write(&path, tampered.to_json()).unwrap();
    let out = warden(call(&path, &["--to", &bob, "--value", "1gwei"]), vec![]).await;
    expect(&out, 1);
    assert!(text(&out.stderr).contains("signature"), "{}", text(&out.stderr));

    // The session key swapped for another (with its own secret).
    let other = signer(OTHER_KEY);
    let mut swapped = s.creds.clone();
    swapped.key.public_key = other.address();
    swapped.secret = Some(Secret::seal(OTHER_KEY, SecretForm::Plaintext).unwrap());
    let path = s.dir.path().join("swapped-key.json");
    std::fs::write(&path, swapped.to_json()).unwrap();
    let out = warden(call(&path, &["--to", &bob, "--value", "1gwei"]), vec![]).await;
    expect(&out, 1);
    assert!(text(&out.stderr).contains("grant.call"), "{}", text(&out.stderr));

    // Only the secret swapped: it is not the key the grant names.
    let mut wrong_secret = s.creds.clone();
    wrong_secret.secret = Some(Secret::seal(OTHER_KEY, SecretForm::Plaintext).unwrap());
    let path = s.dir.path().join("swapped-secret.json");
    std::fs::write(&path, wrong_secret.to_json()).unwrap();
    let out = warden(call(&path, &["--to", &bob, "--value", "1gwei"]), vec![]).await;
    expect(&out, 1);
    assert!(text(&out.stderr).contains("secret"), "{}", text(&out.stderr));

    // Not JSON of the format: bad input.
    let path = s.dir.path().join("garbage.json");
    std::fs::write(&path, "{\"format\": \"warden.session.v9\"}").unwrap();
    let out = warden(call(&path, &["--to", &bob]), vec![]).await;
    expect(&out, 2);

    assert_eq!(s.chain_state().await, state, "nothing reached the devnet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_expiry_the_session_is_refused() {
    let s = setup().await;
    let creds = s.plaintext();
    let bob = BOB.to_string();
    let out = warden(call(&creds, &["--to", &bob, "--value", "1gwei"]), vec![]).await;
    expect(&out, 0);

    advance_time(&s.devnet, 7200).await;
    let state = s.chain_state().await;
    let out = warden(call(&creds, &["--to", &bob, "--value", "1gwei"]), vec![]).await;
    expect(&out, 4);
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: session_expired") && stderr.contains("expired"), "{stderr}");
    assert_eq!(s.chain_state().await, state);
}

/// Sends `calls` from `account` as its owner (as `warden revoke` would) and waits.
async fn owner_send(s: &Setup, calls: Vec<warden_core::api::Call>) {
    let request = warden_core::calls::CallRequest::owner(s.account, s.devnet.chain_id(), calls, None);
    let wait = warden_core::calls::WaitPolicy::default();
    let outcome = warden_core::calls::send_calls(
        &s.rpc,
        &signer(OWNER_KEY),
        &request,
        Some(&wait),
        &warden_core::calls::NoProgress,
    )
    .await
    .unwrap();
    assert!(outcome.status.is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_and_unknown_sessions_exit_4_and_the_gas_limit_and_prefund_exit_3() {
    use warden_core::mav2::revocation::{increment_nonce_call, uninstall_call};
    let s = setup().await;
    let url = s.devnet.url();
    let bob = BOB.to_string();
    let owner = signer(OWNER_KEY);
    let plain = |c: &SessionCredentials, name: &str| {
        let path = s.dir.path().join(name);
        SessionCredentials { secret: Some(Secret::seal(SESSION_KEY, SecretForm::Plaintext).unwrap()), ..c.clone() }
            .write_file(&path, false)
            .unwrap();
        path
    };

    // Used, then uninstalled by the owner: the account no longer validates executeBatch for it.
    let creds = s.plaintext();
    expect(&warden(call(&creds, &["--to", &bob, "--value", "1gwei"]), vec![]).await, 0);
    let uninstall = uninstall_call(&s.creds.grant.as_ref().unwrap().call).unwrap();
    owner_send(&s, vec![warden_core::api::Call { to: s.account, data: Some(uninstall), value: None }]).await;
    let state = s.chain_state().await;
    let out = warden(call(&creds, &["--to", &bob, "--value", "1gwei"]), vec![]).await;
    expect(&out, 4);
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: session_revoked") && stderr.contains("uninstalled"), "{stderr}");
    assert_eq!(s.chain_state().await, state);

    // Granted, cancelled before its first use: the nonce it signed is consumed (AA25 at prepare).
    let contract = vec![Permission::ContractAccess { address: BOB }];
    let unused = grant(&s.rpc, &url, &owner, s.account, signer(SESSION_KEY).address(), contract.clone(), None).await;
    let grant_nonce = unused.grant.as_ref().unwrap().nonce;
    let key = grant_nonce >> 64;
    owner_send(
        &s,
        vec![warden_core::api::Call {
            to: warden_core::mav2::constants::ENTRY_POINT_V07,
            data: Some(increment_nonce_call(key)),
            value: None,
        }],
    )
    .await;
    let out = warden(call(&plain(&unused, "unused.json"), &["--to", &bob, "--value", "1gwei"]), vec![]).await;
    expect(&out, 4);
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: session_revoked") && stderr.contains("AA25"), "{stderr}");

    // A session id the endpoint does not know (consistent credentials otherwise).
    let mut unknown = s.creds.clone();
    let mut id = unknown.session_id.to_vec();
    id[0] ^= 0xff;
    unknown.session_id = id.clone().into();
    unknown.context = warden_core::mav2::context::Context::Remote {
        session_id: alloy_primitives::FixedBytes::<16>::from_slice(&id),
        signature: unknown.signature.clone(),
    }
    .encode();
    let out = warden(call(&plain(&unknown, "unknown.json"), &["--to", &bob, "--value", "1gwei"]), vec![]).await;
    expect(&out, 4);
    assert!(text(&out.stderr).starts_with("error: unknown_session"), "{}", text(&out.stderr));

    // A gas limit smaller than the operation's maximum gas cost: AA23 from the gas-limit hook.
    let mut tight = contract.clone();
    tight.push(Permission::GasLimit { limit: U256::from(1000) });
    let gas = grant(&s.rpc, &url, &owner, s.account, signer(SESSION_KEY).address(), tight, None).await;
    let out = warden(call(&plain(&gas, "gas.json"), &["--to", &bob, "--value", "1gwei"]), vec![]).await;
    expect(&out, 3);
    assert!(text(&out.stderr).contains("the session's gas-limit permission"), "{}", text(&out.stderr));

    // An account with no ETH and no gas policy cannot pay for its operation (AA21).
    let poor_owner = signer(OTHER_KEY);
    let poor = funded_account(&s.rpc, poor_owner.address(), 0).await;
    let broke = grant(&s.rpc, &url, &poor_owner, poor, signer(SESSION_KEY).address(), contract, None).await;
    let out = warden(call(&plain(&broke, "broke.json"), &["--to", &bob, "--value", "0"]), vec![]).await;
    expect(&out, 3);
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: permission_denied") && stderr.contains("AA21 didn't pay prefund"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_flags_and_files_are_bad_input() {
    let s = setup().await;
    let creds = s.plaintext();
    let bob = BOB.to_string();
    for (rest, needle) in [
        (vec!["--to", &bob, "--value", "1 btc"], "unit"),
        (vec!["--to", &bob, "--sig", "transfer(address,uint256)", "0x01"], "takes 2 arguments"),
        (vec!["--to", "0xnope"], "--to"),
        (vec!["--calls", "/nonexistent/calls.json"], "/nonexistent/calls.json"),
        (vec!["--to", &bob, "--calls", "x.json"], "cannot be used with"),
        (vec!["--to", &bob, "--policy-id", "not-a-uuid"], "--policy-id"),
    ] {
        let out = warden(call(&creds, &rest), vec![]).await;
        expect(&out, 2);
        assert!(text(&out.stderr).contains(needle), "{rest:?}: {}", text(&out.stderr));
    }
    let out = warden(args(&["status", "0x01"]), vec![]).await;
    expect(&out, 2);
    assert!(text(&out.stderr).contains("WARDEN_ENDPOINT"), "{}", text(&out.stderr));
    let out = warden(args(&["status", "0x01", "--endpoint", &s.creds.endpoint]), vec![]).await;
    expect(&out, 2);
    assert!(text(&out.stderr).contains("unknown call id"), "{}", text(&out.stderr));
    // Alchemy's endpoint needs an API key; without one (and without a keychain) the call
    // stops before any request, naming what to set.
    let alchemy = "https://api.g.alchemy.com/v2";
    let no_keychain = ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/warden-test-bus".to_owned());
    let config = ("WARDEN_CONFIG_DIR", s.dir.path().join("config").to_str().unwrap().to_owned());
    let out =
        warden(call(&creds, &["--to", &bob, "--endpoint", alchemy]), vec![no_keychain.clone(), config.clone()]).await;
    expect(&out, 2);
    assert!(
        text(&out.stderr).contains("ALCHEMY_API_KEY") && text(&out.stderr).contains("keychain"),
        "{}",
        text(&out.stderr)
    );
    let out = warden(
        call(&creds, &["--to", &bob, "--endpoint", alchemy]),
        vec![no_keychain, config, ("ALCHEMY_API_KEY", "not a key".to_owned())],
    )
    .await;
    expect(&out, 2);
    assert!(text(&out.stderr).contains("ALCHEMY_API_KEY: invalid API key"), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("not a key"), "the key is never echoed");
    // The help documents the exit statuses.
    let out = warden(args(&["call", "--help"]), vec![]).await;
    expect(&out, 0);
    assert!(text(&out.stdout).contains("Exit status:") && text(&out.stdout).contains("6  no final status yet"));
}
