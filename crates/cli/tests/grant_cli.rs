//! `warden account`, `warden grant`, `warden session inspect` and `warden revoke` against a
//! real devnet (anvil underneath) and a real Secret Service (run inside
//! `scripts/with-keyring.sh`, as `scripts/test.sh` does). The owner key is anvil's public
//! test key, imported with `warden key import` into a namespace of its own per test.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use alloy_primitives::{Address, Bytes, U256, address};
use alloy_sol_types::{SolCall, sol};
use assert_cmd::Command;
use serde_json::{Value, json};
use warden_core::credentials::{SessionCredentials, Unlock};
use warden_core::rpc::{CallKind, Endpoint, RpcClient, RpcConfig};
use warden_devnet::{Devnet, DevnetConfig, DevnetHandle};

sol! {
    function transfer(address to, uint256 amount);
    function balanceOf(address who) external view returns (uint256);
}

/// anvil's public test keys 0 and 2.
const OWNER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const OWNER: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const EOA_KEY: &str = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const EOA: &str = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const ALICE: Address = address!("00000000000000000000000000000000000a11ce");
const ETHER: u128 = 1_000_000_000_000_000_000;

/// A devnet on its own runtime, an isolated keychain namespace and config folder, and a
/// scratch folder for files.
struct World {
    rt: tokio::runtime::Runtime,
    devnet: Option<DevnetHandle>,
    url: String,
    /// The devnet's wallet endpoint (`wallet_*`, `devnet_*`).
    rpc: RpcClient,
    /// The devnet's node (`eth_*`).
    node: RpcClient,
    node_url: String,
    config: tempfile::TempDir,
    files: tempfile::TempDir,
    namespace: String,
}

fn keychain_missing() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        assert!(
            std::env::var_os("WARDEN_SKIP_KEYCHAIN_TESTS").is_some(),
            "these tests need a Secret Service: run them through scripts/with-keyring.sh (scripts/test.sh does)"
        );
        return true;
    }
    false
}

impl World {
    fn new(tag: &str) -> Self {
        Self::on_chain(tag, None)
    }

    /// A world whose devnet (and anvil under it) runs as chain `chain_id` (default 31337).
    fn on_chain(tag: &str, chain_id: Option<u32>) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let devnet = rt
            .block_on(Devnet::start(DevnetConfig { chain_id, test_hooks: true, ..DevnetConfig::default() }))
            .expect("devnet starts (run scripts/setup.sh --test for the pinned anvil)");
        let url = devnet.url();
        let node_url = devnet.node_url().to_owned();
        let rpc = RpcClient::new(Endpoint::new(&url).unwrap(), RpcConfig::default()).unwrap();
        let node = RpcClient::new(Endpoint::new(&node_url).unwrap(), RpcConfig::default()).unwrap();
        let w = Self {
            rt,
            devnet: Some(devnet),
            url,
            rpc,
            node,
            node_url,
            config: tempfile::tempdir().unwrap(),
            files: tempfile::tempdir().unwrap(),
            namespace: format!("dev.warden.test.grant.{tag}{}", std::process::id()),
        };
        let (code, _, err) = w.warden(&["key", "import", "--label", "owner"], OWNER_KEY);
        assert_eq!(code, 0, "{err}");
        w
    }

    fn path(&self, name: &str) -> PathBuf {
        self.files.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    /// Runs `warden` with the devnet endpoint in the environment; returns (code, stdout,
    /// stderr), after checking no private key was printed.
    fn warden(&self, args: &[&str], stdin: &str) -> (i32, String, String) {
        self.warden_env(args, stdin, &[])
    }

    fn warden_env(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> (i32, String, String) {
        let mut cmd = Command::cargo_bin("warden").unwrap();
        cmd.args(args)
            .env("WARDEN_CONFIG_DIR", self.config.path())
            .env("WARDEN_KEYCHAIN_NAMESPACE", &self.namespace)
            .env("WARDEN_ENDPOINT", &self.url)
            .env("WARDEN_RPC_URL", &self.node_url)
            .env_remove("ALCHEMY_API_KEY")
            .env_remove("WARDEN_PASSPHRASE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.write_stdin(stdin).output().unwrap();
        let (o, e) = (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap());
        for text in [&o, &e] {
            assert!(!text.contains(&OWNER_KEY[2..]) && !text.contains(&EOA_KEY[2..]), "a private key was printed");
        }
        (out.status.code().unwrap(), o, e)
    }

    fn json(&self, args: &[&str]) -> Value {
        let (code, out, err) = self.warden(args, "");
        assert_eq!(code, 0, "warden {args:?}: {err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }

    /// A `wallet_*`/`devnet_*` request to the wallet endpoint, or an `eth_*` one to the node.
    fn rpc(&self, method: &str, params: Value) -> Value {
        let client = if method.starts_with("eth_") { &self.node } else { &self.rpc };
        self.rt.block_on(client.request::<_, Value>(method, params, CallKind::Read)).unwrap()
    }

    fn balance(&self, who: Address) -> U256 {
        warden_core::wire::parse_hex_u256(self.rpc("eth_getBalance", json!([who, "latest"])).as_str().unwrap()).unwrap()
    }

    fn token_balance(&self, token: Address, who: Address) -> U256 {
        let data: Bytes = balanceOfCall { who }.abi_encode().into();
        let out = self.rpc("eth_call", json!([{"to": token, "data": data}, "latest"]));
        warden_core::wire::parse_hex_u256(out.as_str().unwrap()).unwrap()
    }
}

impl Drop for World {
    fn drop(&mut self) {
        // Remove what the test put in the keychain, then stop the devnet on its runtime.
        let list = self.warden(&["key", "list", "--json"], "").1;
        if let Ok(keys) = serde_json::from_str::<Vec<Value>>(&list) {
            for k in keys {
                let _ = self.warden(&["key", "delete", k["address"].as_str().unwrap_or_default(), "--yes"], "");
            }
        }
        if let Some(d) = self.devnet.take() {
            self.rt.block_on(d.stop());
        }
    }
}

fn addr(v: &Value) -> Address {
    v.as_str().unwrap().parse().unwrap()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn account_sma_b_and_7702_with_delegation() {
    if keychain_missing() {
        return;
    }
    let w = World::new("acct");
    let info = w.json(&["account", "--json"]);
    assert_eq!(info["owner"], OWNER);
    assert_eq!(info["accountType"], "sma-b");
    assert_eq!(info["salt"], "0x0");
    let account = addr(&info["address"]);
    assert_eq!(account, warden_core::mav2::account::sma_b_address(addr(&json!(OWNER)), U256::ZERO));
    assert_eq!(info["balance"], "0x0");
    assert!(info.get("delegation").is_none());
    // The balance is the chain's.
    w.rpc("devnet_fund", json!([account, "0x64"]));
    assert_eq!(w.json(&["account", "--json"])["balance"], "0x64");
    // Human output names where the balance came from.
    let (code, text, _) = w.warden(&["account"], "");
    assert_eq!(code, 0);
    assert!(text.contains(&account.to_checksum(None)) && text.contains("(eth_getBalance)"), "{text}");
    // --delegate is for 7702 accounts.
    let (code, _, err) = w.warden(&["account", "--delegate"], "");
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: --delegate applies to 7702 accounts"), "{err}");

    // A second owner key gets a 7702 account: its own address, not delegated yet.
    let (code, _, err) = w.warden(&["key", "import", "--label", "eoa"], EOA_KEY);
    assert_eq!(code, 0, "{err}");
    let info = w.json(&["account", "--owner", "eoa", "--type", "7702", "--json"]);
    assert_eq!((info["address"].clone(), info["accountType"].clone()), (json!(EOA), json!("7702")));
    assert_eq!(info["delegation"]["status"], "not-delegated");
    assert!(info["notes"][0].as_str().unwrap().contains("not delegated yet"), "{info}");
    // Granting on it is refused until it is delegated.
    let perms = w.write("perms.json", &json!([{"type": "contract-access", "data": {"address": ALICE}}]).to_string());
    let out = w.path("eoa-session.json").display().to_string();
    let (code, _, err) = w.warden(
        &["grant", "--owner", EOA, "--type", "7702", "--permissions", &perms, "--expiry", "1h", "--out", &out, "--yes"],
        "",
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is not delegated yet"), "{err}");
    assert!(!w.path("eoa-session.json").exists());

    // --delegate signs the authorization and the empty owner op, and the code is the designator.
    let info = w.json(&["account", "--owner", EOA, "--type", "7702", "--delegate", "--json"]);
    assert_eq!(info["delegation"]["status"], "delegated", "{info}");
    assert_eq!(info["delegation"]["implementation"], "0x69007702764179f14F51cdce752f4f775d74E139");
    assert_eq!(info["delegationCall"]["status"], 200, "{info}");
    let code = w.rpc("eth_getCode", json!([EOA, "latest"]));
    assert_eq!(code, "0xef010069007702764179f14f51cdce752f4f775d74e139");
    // A second --delegate sends nothing.
    let again = w.json(&["account", "--owner", EOA, "--type", "7702", "--delegate", "--json"]);
    assert!(again.get("delegationCall").is_none(), "{again}");
    assert!(again["notes"].to_string().contains("already delegated"), "{again}");

    // Now a grant on the 7702 account works.
    let (code, summary, err) = w.warden(
        &["grant", "--owner", EOA, "--type", "7702", "--permissions", &perms, "--expiry", "1h", "--out", &out, "--yes"],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let summary: Value = serde_json::from_str(&summary).unwrap();
    assert_eq!((summary["account"].clone(), summary["accountType"].clone()), (json!(EOA), json!("7702")));
}

/// Permissions with a native limit, an ERC-20 limit and contract access, on a funded SMA-B
/// account holding test tokens. Returns (account, token, permissions file).
fn funded_grant_setup(w: &World) -> (Address, Address, String) {
    let account = addr(&w.json(&["account", "--json"])["address"]);
    w.rpc("devnet_fund", json!([account, format!("{:#x}", 10 * ETHER)]));
    let token = addr(&w.rpc("devnet_deployToken", json!(["Test USD", "TUSD", 6]))["address"]);
    w.rpc("devnet_mint", json!([token, account, "0x3b9aca00"]));
    let perms = json!([
        {"type": "native-token-transfer", "data": {"allowance": format!("{:#x}", ETHER / 100)}},
        {"type": "erc20-token-transfer", "data": {"allowance": "0x2faf080", "address": token}},
        {"type": "contract-access", "data": {"address": ALICE}},
    ]);
    (account, token, w.write("perms.json", &perms.to_string()))
}

#[test]
fn grant_writes_checked_credentials_in_every_secret_form_and_inspect_reads_them() {
    if keychain_missing() {
        return;
    }
    let w = World::new("forms");
    let (account, token, perms) = funded_grant_setup(&w);

    // Plain text.
    let out = w.path("plain.json");
    let (code, stdout, stderr) =
        w.warden(&["grant", "--permissions", &perms, "--expiry", "1h", "--out", out.to_str().unwrap(), "--yes"], "");
    assert_eq!(code, 0, "{stderr}");
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["secret"], "plaintext");
    assert_eq!(addr(&summary["account"]), account);
    // The grant in words, with units from the token and the risks, went to stderr.
    assert!(stderr.contains("Send up to 0.01 ETH in total"), "{stderr}");
    assert!(
        stderr.contains("Transfer or approve up to 50 TUSD (50000000 base units at 6 decimals) of token"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("Call any function on contract {ALICE}")), "{stderr}");
    assert!(stderr.contains("expires at unix time"), "{stderr}");
    assert!(stderr.contains("plain text"), "{stderr}");
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o600);
    let creds = SessionCredentials::read_file(&out).unwrap();
    assert_eq!(creds.account, account);
    assert_eq!(creds.owner, addr(&json!(OWNER)));
    assert_eq!(creds.endpoint, w.url);
    assert_eq!(creds.permissions.len(), 3);
    let now = warden_core::wire::parse_hex_u256(
        w.rpc("eth_getBlockByNumber", json!(["latest", false]))["timestamp"].as_str().unwrap(),
    )
    .unwrap()
    .to::<u64>();
    assert!(creds.expiry_sec > now + 3500 && creds.expiry_sec <= now + 3700, "{}", creds.expiry_sec);
    let key = creds.session_signer(Unlock::None).unwrap();
    assert_eq!(warden_core::signing::DigestSigner::address(&key), creds.key.public_key);
    assert_eq!(addr(&summary["sessionKey"]), creds.key.public_key);

    // Keystore (passphrase from the environment).
    let ks = w.path("keystore.json");
    let (code, stdout, stderr) = w.warden_env(
        &[
            "grant",
            "--permissions",
            &perms,
            "--expiry",
            "7d",
            "--out",
            ks.to_str().unwrap(),
            "--encrypt",
            "passphrase",
            "--yes",
        ],
        "",
        &[("WARDEN_PASSPHRASE", "correct horse")],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(serde_json::from_str::<Value>(&stdout).unwrap()["secret"], "keystore");
    let creds_ks = SessionCredentials::read_file(&ks).unwrap();
    assert!(std::fs::read_to_string(&ks).unwrap().contains("\"scrypt\""));
    assert!(creds_ks.session_signer(Unlock::Passphrase("wrong")).is_err());
    let key = creds_ks.session_signer(Unlock::Passphrase("correct horse")).unwrap();
    assert_eq!(warden_core::signing::DigestSigner::address(&key), creds_ks.key.public_key);
    assert_ne!(creds_ks.session_id, creds.session_id);
    // No passphrase and no terminal: refused before anything is created.
    let (code, _, err) = w.warden(
        &[
            "grant",
            "--permissions",
            &perms,
            "--expiry",
            "7d",
            "--out",
            w.path("x.json").to_str().unwrap(),
            "--encrypt",
            "passphrase",
            "--yes",
        ],
        "",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("WARDEN_PASSPHRASE"), "{err}");

    // age, to a recipient; decrypted with the identity.
    let identity = age::x25519::Identity::generate();
    let recipient = format!("age:{}", identity.to_public());
    let ag = w.path("age.json");
    let (code, stdout, stderr) = w.warden(
        &[
            "grant",
            "--permissions",
            &perms,
            "--expiry",
            "never",
            "--out",
            ag.to_str().unwrap(),
            "--encrypt",
            &recipient,
            "--yes",
        ],
        "",
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(serde_json::from_str::<Value>(&stdout).unwrap()["secret"], "age");
    assert!(stderr.contains("never expires"), "{stderr}");
    assert!(stderr.contains("no-expiry"), "the missing expiry is flagged: {stderr}");
    let creds_age = SessionCredentials::read_file(&ag).unwrap();
    assert_eq!(creds_age.expiry_sec, 0);
    let id_text = {
        use age::secrecy::ExposeSecret;
        identity.to_string().expose_secret().to_owned()
    };
    let key = creds_age.session_signer(Unlock::AgeIdentity(&id_text)).unwrap();
    assert_eq!(warden_core::signing::DigestSigner::address(&key), creds_age.key.public_key);

    // An external key: no secret, credentials on stdout.
    let external = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    let (code, stdout, stderr) =
        w.warden(&["grant", "--permissions", &perms, "--expiry", "1h", "--key", external, "--yes"], "");
    assert_eq!(code, 0, "{stderr}");
    let ext = SessionCredentials::parse(&stdout).unwrap();
    assert_eq!(ext.key.public_key, addr(&json!(external)));
    assert!(ext.secret.is_none());

    // Inspect: offline, the file in words.
    let (code, text, err) = w.warden(&["session", "inspect", out.to_str().unwrap()], "");
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("from the credentials file") && text.contains("secret: plaintext"), "{text}");
    assert!(text.contains("Send up to 0.01 ETH in total"), "{text}");
    // With --status: unused grant (EntryPoint), usage from the devnet, balance from the chain.
    let report = w.json(&["session", "inspect", out.to_str().unwrap(), "--status", "--json"]);
    let st = &report["status"];
    assert_eq!(st["accountBalance"]["wei"], (10 * ETHER).to_string());
    assert_eq!(st["accountBalance"]["source"], "eth_getBalance");
    assert_eq!(st["installNonce"]["source"], "EntryPoint.getNonce (eth_call)");
    assert!(st["installNonce"]["state"].as_str().unwrap().starts_with("unused"), "{st}");
    assert_eq!(st["usage"]["source"], "devnet_sessionUsage");
    assert_eq!(st["usage"]["installed"], false);
    assert_eq!(st["usage"]["limits"][0]["type"], "native-token-transfer");
    assert_eq!(st["usage"]["limits"][0]["spent"], "0x0");
    assert_eq!(st["usage"]["limits"][1]["address"], token.to_checksum(None));
    assert!(report["description"]["permissions"][1].as_str().unwrap().contains("50 TUSD"), "{report}");
    let (code, text, _) = w.warden(&["session", "inspect", out.to_str().unwrap(), "--status"], "");
    assert_eq!(code, 0);
    assert!(text.contains("(devnet_sessionUsage)") && text.contains("(EntryPoint.getNonce)"), "{text}");
    assert!(text.contains("native-token-transfer: spent 0 ETH of 0.01 ETH"), "{text}");
    assert!(text.contains(": spent 0 TUSD of 50 TUSD, remaining 50 TUSD (devnet_sessionUsage)"), "{text}");

    // The token balance is untouched so far.
    assert_eq!(w.token_balance(token, account), U256::from(1_000_000_000u64));
}

/// On a chain paying in POL (a devnet run as Polygon's chain 137), every amount the CLI
/// shows or reads is in POL: the grant's words, `--value`, `--max-fee`, `session inspect`.
#[test]
fn amounts_on_a_polygon_chain_are_in_pol() {
    if keychain_missing() {
        return;
    }
    let w = World::on_chain("pol", Some(137));
    let (_, _, perms) = funded_grant_setup(&w);
    let out = w.path("pol.json");
    let out_s = out.to_str().unwrap();
    let (code, _, err) = w.warden(&["grant", "--permissions", &perms, "--expiry", "1h", "--out", out_s, "--yes"], "");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Send up to 0.01 POL in total"), "{err}");
    assert_eq!(SessionCredentials::read_file(&out).unwrap().chain_id, 137);

    // "eth" is not this chain's currency: refused before anything is sent.
    let alice = w.balance(ALICE);
    let to = ALICE.to_string();
    let (code, _, err) = w.warden(&["call", "--credentials", out_s, "--to", &to, "--value", "0.001eth"], "");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--value: unit \"eth\": this chain's currency is POL, not ETH"), "{err}");
    let (code, _, err) =
        w.warden(&["call", "--credentials", out_s, "--to", &to, "--value", "1wei", "--max-fee", "1 btc"], "");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--max-fee: unit \"btc\" is not POL, ether, gwei or wei"), "{err}");
    assert_eq!(w.balance(ALICE), alice);
    // In POL it goes through, and the devnet charges it to the native limit.
    let (code, _, err) = w.warden(
        &["call", "--credentials", out_s, "--to", &to, "--value", "0.001 POL", "--max-fee", "0.5pol", "--json"],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(w.balance(ALICE), alice + U256::from(10u64.pow(15)));

    let (code, text, err) = w.warden(&["session", "inspect", out_s, "--status"], "");
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("chain       137 (Polygon, pays in POL)"), "{text}");
    assert!(text.contains("Send up to 0.01 POL in total"), "{text}");
    assert!(text.contains("native-token-transfer: spent 0.001 POL of 0.01 POL, remaining 0.009 POL"), "{text}");
    let report = w.json(&["session", "inspect", out_s, "--json"]);
    assert_eq!(report["currency"], json!({"symbol": "POL", "decimals": 18}));
    assert_eq!(report["chainName"], "Polygon");
}

#[test]
fn refusals_name_their_cause_and_change_nothing() {
    if keychain_missing() {
        return;
    }
    let w = World::new("refuse");
    let good = w.write("good.json", &json!([{"type": "contract-access", "data": {"address": ALICE}}]).to_string());
    let out = w.path("s.json");
    let out_s = out.to_str().unwrap();

    // Bad permissions files: the field is named, nothing is created.
    let cases = [
        (json!([{"type": "native-token-transfer", "data": {"allowance": "12"}}]), "permissions[0]"),
        (json!([{"type": "call-limit", "data": {}}]), "permissions[0]"),
        (
            json!([{"type": "functions-on-contract", "data": {"address": ALICE, "functions": ["0x123456"]}}]),
            "permissions[0] (functions-on-contract).functions[0]: 0x123456 is not a 4-byte function selector",
        ),
        (
            json!([{"type": "native-token-transfer", "data": {"allowance": "0x1"}}]),
            "this set grants no callable function",
        ),
        (json!({"perms": []}), "permissions"),
    ];
    for (i, (perms, needle)) in cases.iter().enumerate() {
        let f = w.write(&format!("bad{i}.json"), &perms.to_string());
        let (code, _, err) = w.warden(&["grant", "--permissions", &f, "--expiry", "1h", "--out", out_s, "--yes"], "");
        assert!(code == 1 || code == 2, "{i}: {code} {err}");
        assert!(err.starts_with("error: ") && err.lines().count() == 1, "{err}");
        assert!(err.contains(needle), "{i}: {err}");
        assert!(!out.exists());
    }
    let (code, _, err) = w.warden(&["grant", "--permissions", &good, "--expiry", "soon", "--out", out_s, "--yes"], "");
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: invalid_input: expiry: `soon` is not an expiry"), "{err}");
    let (code, _, err) = w.warden(&["grant", "--permissions", &good, "--expiry", "1000", "--out", out_s, "--yes"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("expirySec: 1000 is not after the current time"), "{err}");

    // A generated key needs --out; no terminal needs --yes.
    let (code, _, err) = w.warden(&["grant", "--permissions", &good, "--expiry", "1h", "--yes"], "");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--out FILE is needed"), "{err}");
    let (code, _, err) = w.warden(&["grant", "--permissions", &good, "--expiry", "1h", "--out", out_s], "y\n");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no terminal to confirm the grant on") && err.contains("--yes"), "{err}");
    assert!(!out.exists());

    // An existing file is not overwritten without --force.
    std::fs::write(&out, "keep me").unwrap();
    let (code, _, err) = w.warden(&["grant", "--permissions", &good, "--expiry", "1h", "--out", out_s, "--yes"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("already exists") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    let (code, _, err) =
        w.warden(&["grant", "--permissions", &good, "--expiry", "1h", "--out", out_s, "--yes", "--force"], "");
    assert_eq!(code, 0, "{err}");
    assert!(SessionCredentials::read_file(&out).is_ok());
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o600);

    // Endpoints: none, nothing listening, a node that is not a Wallets API.
    let (code, _, err) = w.warden_env(
        &["grant", "--permissions", &good, "--expiry", "1h", "--out", w.path("n.json").to_str().unwrap(), "--yes"],
        "",
        &[("WARDEN_ENDPOINT", "")],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: no endpoint configured: pass --endpoint URL or set WARDEN_ENDPOINT"), "{err}");
    let (code, _, err) = w.warden(&["account", "--endpoint", "http://127.0.0.1:9", "--json"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("127.0.0.1:9") && err.contains("cannot connect"), "{err}");
    let node = w.devnet.as_ref().unwrap().node_url().to_owned();
    let (code, _, err) = w.warden(&["account", "--endpoint", &node, "--json"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("wallet_requestAccount") && err.lines().count() == 1, "{err}");
    // Inspect refuses a damaged file with the field named.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let mut sig: Vec<char> = doc["signature"].as_str().unwrap().chars().collect();
    sig[10] = if sig[10] == '0' { '1' } else { '0' };
    doc["signature"] = json!(sig.into_iter().collect::<String>());
    let bad = w.write("tampered.json", &doc.to_string());
    let (code, _, err) = w.warden(&["session", "inspect", &bad], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("error: verification_failed: credentials: context:"), "{err}");
    // Inspect --status against another chain's endpoint is refused.
    let (code, _, err) =
        w.warden(&["session", "inspect", out_s, "--status", "--endpoint", &node, "--chain-id", "5"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("wrong endpoint"), "{err}");
}

#[test]
fn calls_within_the_grant_work_until_it_is_revoked() {
    if keychain_missing() {
        return;
    }
    let w = World::new("revoke");
    let (account, token, perms) = funded_grant_setup(&w);
    let used = w.path("used.json");
    let used_s = used.to_str().unwrap();
    let (code, _, err) = w.warden(&["grant", "--permissions", &perms, "--expiry", "1h", "--out", used_s, "--yes"], "");
    assert_eq!(code, 0, "{err}");

    // Within the limits: native value to the allowed contract, and an ERC-20 transfer.
    let alice = w.balance(ALICE);
    let (code, out, err) =
        w.warden(&["call", "--credentials", used_s, "--to", &ALICE.to_string(), "--value", "1000wei", "--json"], "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["status"], 200);
    assert_eq!(w.balance(ALICE), alice + U256::from(1000));
    let (code, _, err) = w.warden(
        &[
            "call",
            "--credentials",
            used_s,
            "--to",
            &token.to_string(),
            "--sig",
            "transfer(address,uint256)",
            &ALICE.to_string(),
            "2000000",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(w.token_balance(token, ALICE), U256::from(2_000_000u64));
    // Beyond the native limit: refused by the endpoint, naming it; nothing moves.
    let (code, _, err) =
        w.warden(&["call", "--credentials", used_s, "--to", &ALICE.to_string(), "--value", "0.02ether"], "");
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("native-token-transfer"), "{err}");
    assert_eq!(w.balance(ALICE), alice + U256::from(1000));
    let report = w.json(&["session", "inspect", used_s, "--status", "--json"]);
    assert_eq!(report["status"]["usage"]["installed"], true);
    assert_eq!(report["status"]["usage"]["limits"][0]["spent"], "0x3e8");
    assert_eq!(report["status"]["usage"]["limits"][1]["spent"], "0x1e8480");
    assert!(report["status"]["installNonce"]["state"].as_str().unwrap().starts_with("used"), "{report}");

    // Revoking needs a terminal or --yes.
    let (code, _, err) = w.warden(&["revoke", "--credentials", used_s], "y\n");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--yes"), "{err}");
    // A used session is uninstalled by the owner.
    let (code, out, err) = w.warden(&["revoke", "--credentials", used_s, "--yes"], "");
    assert_eq!(code, 0, "{err}");
    let revoked: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((revoked["revocation"].clone(), revoked["status"].clone()), (json!("uninstall"), json!(200)));
    assert!(err.contains("uninstall validation entity"), "{err}");
    // Then its calls are refused as revoked, and nothing moves.
    let (code, _, err) =
        w.warden(&["call", "--credentials", used_s, "--to", &ALICE.to_string(), "--value", "1wei"], "");
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("revoked") && err.contains("uninstalled its validation"), "{err}");
    assert_eq!(w.balance(ALICE), alice + U256::from(1000));
    let report = w.json(&["session", "inspect", used_s, "--status", "--json"]);
    assert_eq!(report["status"]["usage"]["revocation"], "uninstalled");

    // A grant never used is cancelled by consuming its nonce; its first call is then refused.
    let unused = w.path("unused.json");
    let unused_s = unused.to_str().unwrap();
    let env = [("WARDEN_PASSPHRASE", "pass phrase 42")];
    let (code, _, err) = w.warden_env(
        &["grant", "--permissions", &perms, "--expiry", "1h", "--out", unused_s, "--encrypt", "passphrase", "--yes"],
        "",
        &env,
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = w.warden(&["revoke", "--credentials", unused_s, "--yes"], "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["revocation"], "cancel-unused");
    let (code, _, err) =
        w.warden_env(&["call", "--credentials", unused_s, "--to", &ALICE.to_string(), "--value", "1wei"], "", &env);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("deferred install nonce was consumed"), "{err}");
    assert_eq!(w.balance(ALICE), alice + U256::from(1000));
    let report = w.json(&["session", "inspect", unused_s, "--status", "--json"]);
    assert_eq!(report["status"]["usage"]["revocation"], "install-nonce-consumed");
    assert_eq!(w.token_balance(token, account), U256::from(998_000_000u64));

    // Revoking with an owner key the keychain does not hold is refused before anything is sent.
    let (code, _, err) = w.warden(&["key", "delete", OWNER, "--yes"], "");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = w.warden(&["revoke", "--credentials", unused_s, "--yes"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is not in the keychain"), "{err}");
}

/// A local server that answers like a misconfigured backend: HTTP 401 to everything (a bad
/// API key) or, as a node, `eth_chainId` of another chain. Returns its URL.
fn misconfigured_server(rt: &tokio::runtime::Runtime, answer: &'static str) -> String {
    use axum::http::StatusCode;
    use axum::routing::post;
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/",
        post(move |body: axum::body::Bytes| async move {
            let req: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            match answer {
                "bad-key" => (StatusCode::UNAUTHORIZED, r#"{"error":"Must be authenticated!"}"#.to_owned()),
                _ => (StatusCode::OK, json!({"jsonrpc": "2.0", "id": req["id"], "result": "0x1"}).to_string()),
            }
        }),
    );
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[test]
fn doctor_reports_each_check_with_what_to_fix() {
    if keychain_missing() {
        return;
    }
    let w = World::new("doctor");
    // Everything right: wallet and node answer; no policy and no 7702 account to check.
    let (code, out, err) = w.warden(&["doctor", "--json"], "");
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let outcome = |r: &Value, check: &str| {
        r["checks"].as_array().unwrap().iter().find(|c| c["check"] == check).unwrap()["outcome"].clone()
    };
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(outcome(&report, "wallet endpoint"), "ok");
    assert_eq!(outcome(&report, "node"), "ok");
    assert_eq!(outcome(&report, "gas policy"), "skipped");
    assert_eq!(outcome(&report, "7702 delegation"), "skipped");
    // Human output: one line per check.
    // A 7702 account (another owner: this one already has an SMA-B account) not delegated yet.
    let (code, _, err) = w.warden(&["key", "import", "--label", "eoa"], EOA_KEY);
    assert_eq!(code, 0, "{err}");
    let (code, text, _) = w.warden(&["doctor", "--owner", "eoa", "--type", "7702"], "");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("ok") && l.contains("node") && l.contains("serves chain 31337")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("warn") && l.contains("not delegated yet")), "{text}");
    assert!(text.contains("fix: delegate it before granting sessions"), "{text}");

    // A node of another chain.
    let wrong_chain = misconfigured_server(&w.rt, "chain-1");
    let (code, text, err) = w.warden(&["doctor", "--chain", "31337", "--rpc-url", &wrong_chain], "");
    assert_eq!(code, 1, "{text}{err}");
    assert!(
        text.lines().any(|l| l.starts_with("FAIL") && l.contains("serves chain 1, but the backend is for chain 31337")),
        "{text}"
    );
    assert!(text.contains("fix: point the node URL"), "{text}");
    assert!(err.contains("at least one check failed"), "{err}");

    // A wallet endpoint that refuses the key.
    let bad_key = misconfigured_server(&w.rt, "bad-key");
    let (code, text, _) = w.warden(&["doctor", "--endpoint", &bad_key], "");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("FAIL") && l.contains("wallet endpoint") && l.contains("HTTP 401")),
        "{text}"
    );
    assert!(text.contains("fix: check the API key"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("skip") && l.contains("gas policy")), "{text}");
}

#[test]
fn a_grant_that_reuses_a_used_entity_id_is_refused_before_signing() {
    if keychain_missing() {
        return;
    }
    let w = World::new("entity");
    let (_, _, perms) = funded_grant_setup(&w);
    let first = w.path("first.json");
    let (code, _, err) =
        w.warden(&["grant", "--permissions", &perms, "--expiry", "1h", "--out", first.to_str().unwrap(), "--yes"], "");
    assert_eq!(code, 0, "{err}");
    // Its first call installs it: entity 1 is now taken on chain.
    let (code, _, err) = w
        .warden(&["call", "--credentials", first.to_str().unwrap(), "--to", &ALICE.to_string(), "--value", "1wei"], "");
    assert_eq!(code, 0, "{err}");

    // A dishonest endpoint hands out entity 1 again: installing it would replace the first
    // session's signer. Warden refuses before the owner key signs and writes nothing.
    w.rpc("devnet_setTamper", json!(["reuse-entity"]));
    let second = w.path("second.json");
    let (code, _, err) =
        w.warden(&["grant", "--permissions", &perms, "--expiry", "1h", "--out", second.to_str().unwrap(), "--yes"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("entity id 1") && err.contains("nothing was signed"), "{err}");
    assert!(err.contains("EntryPoint.getNonce"), "{err}");
    assert!(!second.exists());
    // A grant signed over a nonce ahead of the EntryPoint's could never be cancelled by
    // consuming its nonce: refused as well.
    w.rpc("devnet_setTamper", json!(["future-nonce"]));
    let (code, _, err) =
        w.warden(&["grant", "--permissions", &perms, "--expiry", "1h", "--out", second.to_str().unwrap(), "--yes"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("the EntryPoint's next nonce") && err.contains("nothing was signed"), "{err}");
    assert!(!second.exists());
    // An honest answer gets a fresh entity and goes through.
    let (code, out, err) =
        w.warden(&["grant", "--permissions", &perms, "--expiry", "1h", "--out", second.to_str().unwrap(), "--yes"], "");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("sessionId"), "{out}");
    let creds = SessionCredentials::read_file(&second).unwrap();
    assert_ne!(creds.grant.unwrap().entity_id, 1);
}

#[test]
fn a_revocation_the_chain_does_not_show_is_not_reported_as_revoked() {
    if keychain_missing() {
        return;
    }
    let w = World::new("lie");
    let (_, _, perms) = funded_grant_setup(&w);
    let used = w.path("used.json");
    let used_s = used.to_str().unwrap();
    let (code, _, err) = w.warden(&["grant", "--permissions", &perms, "--expiry", "1h", "--out", used_s, "--yes"], "");
    assert_eq!(code, 0, "{err}");
    let pay = ["call", "--credentials", used_s, "--to", &ALICE.to_string(), "--value", "1wei"];
    let (code, _, err) = w.warden(&pay, "");
    assert_eq!(code, 0, "{err}");

    // The endpoint reports the uninstall confirmed without running it: the chain still has
    // the validation, so Warden says the session is not revoked, and it still works.
    w.rpc("devnet_setTamper", json!(["lie-revocation"]));
    let (code, out, err) = w.warden(&["revoke", "--credentials", used_s, "--yes"], "");
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("NOT revoked") && err.contains("still has validation entity 1 installed"), "{err}");
    let alice = w.balance(ALICE);
    let (code, _, err) = w.warden(&pay, "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(w.balance(ALICE), alice + U256::from(1));
    // Sent honestly, the same revocation takes and is confirmed.
    let (code, out, err) = w.warden(&["revoke", "--credentials", used_s, "--yes"], "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["revocation"], "uninstall");
    let (code, _, err) = w.warden(&pay, "");
    assert_eq!(code, 4, "{err}");

    // An unused grant whose cancellation is only reported: its nonce was not consumed.
    let unused = w.path("unused.json");
    let unused_s = unused.to_str().unwrap();
    let (code, _, err) =
        w.warden(&["grant", "--permissions", &perms, "--expiry", "1h", "--out", unused_s, "--yes"], "");
    assert_eq!(code, 0, "{err}");
    w.rpc("devnet_setTamper", json!(["lie-revocation"]));
    let (code, _, err) = w.warden(&["revoke", "--credentials", unused_s, "--yes"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("NOT revoked") && err.contains("can still be used"), "{err}");
    let (code, out, err) = w.warden(&["revoke", "--credentials", unused_s, "--yes"], "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["revocation"], "cancel-unused");
}

#[test]
fn a_token_whose_decimals_cannot_be_read_is_shown_in_base_units_and_flagged() {
    if keychain_missing() {
        return;
    }
    let w = World::new("decimals");
    let account = addr(&w.json(&["account", "--json"])["address"]);
    w.rpc("devnet_fund", json!([account, format!("{:#x}", ETHER)]));
    // No contract at this address: it cannot say how many decimals it has.
    let not_a_token = Address::repeat_byte(0x7e);
    let perms = json!([
        {"type": "erc20-token-transfer", "data": {"allowance": "0x2faf080", "address": not_a_token}},
        {"type": "contract-access", "data": {"address": ALICE}},
    ]);
    let perms = w.write("perms.json", &perms.to_string());
    let out = w.path("s.json");
    let (code, _, err) =
        w.warden(&["grant", "--permissions", &perms, "--expiry", "1h", "--out", out.to_str().unwrap(), "--yes"], "");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "Transfer or approve up to 50000000 base units (the token's decimals could not be read from the node) of token {not_a_token}"
        )),
        "{err}"
    );
    assert!(err.contains("[token-decimals-unknown]"), "{err}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl World {
    /// Starts `warden request wait` in the background; returns the child.
    fn spawn_wait(&self, request: &Path, port: u16, out: &Path, extra: &[&str]) -> std::process::Child {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("warden"));
        cmd.args(["request", "wait", "--request", request.to_str().unwrap()])
            .args(["--listen", &format!("127.0.0.1:{port}"), "--out", out.to_str().unwrap(), "--timeout", "60"])
            .args(extra)
            .env("WARDEN_CONFIG_DIR", self.config.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let child = cmd.spawn().unwrap();
        // Wait until it listens.
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        child
    }

    fn post(&self, port: u16, body: &str) -> (u16, String) {
        self.rt.block_on(async {
            let r = reqwest::Client::new()
                .post(format!("http://127.0.0.1:{port}/answer"))
                .header("content-type", "application/json")
                .body(body.to_owned())
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        })
    }
}

impl World {
    /// Runs `warden` on a pseudo-terminal (util-linux `script`), typing `typed` at its
    /// prompt, as a person at a terminal would; returns (code, everything it printed).
    fn warden_on_terminal(&self, args: &[&str], typed: &str) -> (i32, String) {
        let bin = assert_cmd::cargo::cargo_bin("warden");
        let mut line = bin.display().to_string();
        for a in args {
            line.push_str(&format!(" '{}'", a.replace('\'', "'\\''")));
        }
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-qec", &line, "/dev/null"])
            .env("WARDEN_CONFIG_DIR", self.config.path())
            .env("WARDEN_KEYCHAIN_NAMESPACE", &self.namespace)
            .env("WARDEN_ENDPOINT", &self.url)
            .env("WARDEN_RPC_URL", &self.node_url)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(typed.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(!text.contains(&OWNER_KEY[2..]), "a private key was printed");
        (out.status.code().unwrap(), text)
    }
}

fn finish(child: std::process::Child) -> (i32, String) {
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_server_asks_the_owner_approves_and_the_credentials_work_within_the_grant() {
    if keychain_missing() {
        return;
    }
    let w = World::new("request");
    let (_, _, perms) = funded_grant_setup(&w);
    let identity = age::x25519::Identity::generate();
    let identity_file = w.path("server-identity.txt");
    {
        use age::secrecy::ExposeSecret;
        std::fs::write(&identity_file, format!("{}\n", identity.to_string().expose_secret())).unwrap();
    }
    let recipient = identity.to_public().to_string();

    // The server writes the request, with a link for the owner.
    let port = free_port();
    let req = w.path("req.json");
    let answer_to = format!("http://127.0.0.1:{port}/answer");
    let (code, _, err) = w.warden(
        &[
            "request",
            "create",
            "--permissions",
            &perms,
            "--expiry",
            "1d",
            "--key",
            "generate",
            "--age-recipient",
            &recipient,
            "--justification",
            "Pays <b>invoices</b> weekly",
            "--answer-to",
            &answer_to,
            "--name",
            "Invoice bot",
            "--out",
            req.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.trim().starts_with("warden://request?d="), "{err}");
    let link = err.trim().to_owned();

    // The owner answers on a terminal, typing "y" at the prompt; the server's wait receives
    // and checks the answer.
    let creds = w.path("from-request.json");
    let waiting = w.spawn_wait(&req, port, &creds, &["--identity", identity_file.to_str().unwrap()]);
    let (code, err) = w.warden_on_terminal(&["approve", &link], "y\n");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Approve and sign with owner key"), "{err}");
    assert!(err.contains("their words") && err.contains("> Pays <b>invoices</b> weekly"), "{err}");
    assert!(err.contains("delivered"), "{err}");
    let (code, err) = finish(waiting);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("approved"), "{err}");
    #[cfg(unix)]
    assert_eq!(mode(&creds), 0o600);

    // The credentials work within the grant, and not beyond it.
    let creds_s = creds.to_str().unwrap();
    let id = identity_file.to_str().unwrap();
    let (code, _, err) = w.warden(
        &["call", "--credentials", creds_s, "--identity", id, "--to", &ALICE.to_string(), "--value", "1000wei"],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = w.warden(
        &["call", "--credentials", creds_s, "--identity", id, "--to", &ALICE.to_string(), "--value", "1ether"],
        "",
    );
    assert_eq!(code, 3, "{err}");

    // A request is single use.
    let (code, _, err) = w.warden(&["approve", req.to_str().unwrap(), "--yes"], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("already answered"), "{err}");

    // A decline round-trips: the server's wait exits 1 and writes nothing.
    let port = free_port();
    let req2 = w.path("req2.json");
    let (code, _, err) = w.warden(
        &[
            "request",
            "create",
            "--permissions",
            &perms,
            "--expiry",
            "1d",
            "--key",
            &ALICE.to_string(),
            "--justification",
            "again",
            "--answer-to",
            &format!("http://127.0.0.1:{port}/"),
            "--out",
            req2.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let never = w.path("never.json");
    let waiting = w.spawn_wait(&req2, port, &never, &[]);
    let (code, _, err) = w.warden(&["approve", req2.to_str().unwrap(), "--decline"], "");
    assert_eq!(code, 0, "{err}");
    let (code, err) = finish(waiting);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("declined") && !never.exists(), "{err}");
}

#[test]
fn request_wait_refuses_tampered_answers_and_keeps_waiting() {
    if keychain_missing() {
        return;
    }
    let w = World::new("reqtamper");
    let (_, _, perms) = funded_grant_setup(&w);
    let port = free_port();
    let req = w.path("req.json");
    let (code, _, err) = w.warden(
        &[
            "request",
            "create",
            "--permissions",
            &perms,
            "--expiry",
            "1d",
            "--key",
            &ALICE.to_string(),
            "--justification",
            "tamper test",
            "--answer-to",
            &format!("http://127.0.0.1:{port}/answer"),
            "--allow-adjust",
            "--out",
            req.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    // Nobody listens yet: the owner's answer cannot be delivered and is kept for manual delivery.
    let answer_file = w.path("answer.json");
    let (code, _, err) =
        w.warden(&["approve", req.to_str().unwrap(), "--yes", "--out", answer_file.to_str().unwrap()], "");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not delivered") && err.contains("manual delivery"), "{err}");
    let genuine: Value = serde_json::from_str(&std::fs::read_to_string(&answer_file).unwrap()).unwrap();

    let creds = w.path("creds.json");
    let waiting = w.spawn_wait(&req, port, &creds, &[]);
    // Wider permissions than granted (and signed).
    let mut t = genuine.clone();
    t["credentials"]["permissions"][0]["data"]["allowance"] = json!("0xde0b6b3a7640000");
    let (status, reply) = w.post(port, &t.to_string());
    assert_eq!(status, 422, "{reply}");
    // Another owner.
    let mut t = genuine.clone();
    t["credentials"]["owner"] = json!(EOA);
    let (status, reply) = w.post(port, &t.to_string());
    assert_eq!(status, 422, "{reply}");
    assert!(reply.contains("signature"), "{reply}");
    // Another request id.
    let mut t = genuine.clone();
    t["requestId"] = json!("c0ffee00-0000-4000-8000-000000000000");
    let (status, reply) = w.post(port, &t.to_string());
    assert_eq!(status, 422, "{reply}");
    assert!(reply.contains("requestId"), "{reply}");
    // An adjustment the answer does not own up to.
    let mut t = genuine.clone();
    t["adjustments"] = json!([{"kind": "dropped", "index": 2}]);
    let (status, reply) = w.post(port, &t.to_string());
    assert_eq!(status, 422, "{reply}");
    assert!(!creds.exists());
    // The genuine answer is accepted.
    let (status, reply) = w.post(port, &genuine.to_string());
    assert_eq!(status, 200, "{reply}");
    let (code, err) = finish(waiting);
    assert_eq!(code, 0, "{err}");
    let got = SessionCredentials::read_file(&creds).unwrap();
    assert_eq!(got.key.public_key, ALICE);
    assert!(got.secret.is_none());
}
