//! Benchmark: sustained confirmed session calls per second from one `SessionClient`,
//! with 1 and with N concurrent tasks, against a running devnet. Run by
//! `scripts/session-bench.sh`, which also runs the official TypeScript client through the
//! same flow on the same devnet and prints the ratio. Not a test.
//!
//!   session_bench --endpoint WALLET_URL --rpc-url NODE_URL [--calls 200] [--tasks 1 --tasks 8]
//!                 [--emit-credentials DIR [--emit-only]]
//!
//! The wallet URL serves `wallet_*`/`devnet_*`, the node URL the chain reads (as on Alchemy;
//! `warden devnet` prints both on its ready line).
//!
//! Each round gets a fresh owner, a funded SMA-B account and a session (native limit +
//! contract access to a fresh recipient), granted as `warden grant` does; one warm-up call
//! installs the session; then the tasks share one client and send `calls` one-call
//! operations in total, each waited to a final status. A round fails unless every call is
//! confirmed with a distinct call id and the recipient received exactly what was sent.
//! `--emit-credentials DIR` also writes `ts-<tasks>.json` session documents (plaintext
//! key) for the TypeScript side, granted the same way; `--emit-only` stops there.

// A benchmark's output is its numbers on stdout.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Instant;

use alloy_primitives::{Address, B256, U256};
use serde_json::{Value, json};
use warden_core::api::{
    Call, CallKind, CreateSession, CreateSessionParams, KeyDescriptor, KeyType, RequestAccount, RequestAccountParams,
};
use warden_core::credentials::{Secret, SecretForm, SessionCredentials};
use warden_core::permissions::Permission;
use warden_core::rpc::{Endpoint, RpcClient, RpcConfig};
use warden_core::session::SessionClient;
use warden_core::signing::{DigestSigner, LocalSigner, verify_grant};

use warden_testkit::signed_credentials;

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

struct Args {
    endpoint: String,
    rpc_url: String,
    calls: usize,
    tasks: Vec<usize>,
    emit: Option<PathBuf>,
    emit_only: bool,
}

fn parse_args() -> BenchResult<Args> {
    let mut args = Args {
        endpoint: String::new(),
        rpc_url: String::new(),
        calls: 200,
        tasks: Vec::new(),
        emit: None,
        emit_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--endpoint" => args.endpoint = value()?,
            "--rpc-url" => args.rpc_url = value()?,
            "--calls" => args.calls = value()?.parse()?,
            "--tasks" => args.tasks.push(value()?.parse()?),
            "--emit-credentials" => args.emit = Some(PathBuf::from(value()?)),
            "--emit-only" => args.emit_only = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if args.endpoint.is_empty() || args.rpc_url.is_empty() {
        return Err(
            "usage: session_bench --endpoint WALLET_URL --rpc-url NODE_URL [--calls N] [--tasks N]… [--emit-credentials DIR [--emit-only]]"
                .into(),
        );
    }
    if args.tasks.is_empty() {
        args.tasks = vec![1, 8];
    }
    Ok(args)
}

async fn raw(rpc: &RpcClient, method: &str, params: Value) -> BenchResult<Value> {
    Ok(rpc.request(method, params, CallKind::Send).await?)
}

fn quantity(v: &Value) -> BenchResult<U256> {
    Ok(warden_core::wire::parse_hex_u256(v.as_str().ok_or("not a hex quantity")?)?)
}

/// The wallet API and the node.
struct Endpoints {
    wallet: RpcClient,
    node: RpcClient,
    url: String,
}

/// A fresh owner's funded account and a session key with a native limit and access to
/// `recipient`, as credentials carrying the key in plain text.
async fn new_session(e: &Endpoints, recipient: Address) -> BenchResult<SessionCredentials> {
    let (rpc, url) = (&e.wallet, e.url.as_str());
    let owner = LocalSigner::random();
    let params: RequestAccountParams = serde_json::from_value(json!({"signerAddress": owner.address()}))?;
    let account = rpc.call::<RequestAccount>(&params).await?.account_address;
    raw(rpc, "devnet_fund", json!([account, "0x56bc75e2d63100000"])).await?; // 100 ether
    let chain_id: u32 = quantity(&raw(&e.node, "eth_chainId", json!([])).await?)?.to();
    let block = raw(&e.node, "eth_getBlockByNumber", json!(["latest", false])).await?;
    let now: u64 = quantity(&block["timestamp"])?.to();
    // A throwaway key whose hex the TypeScript side reads from the plaintext secret.
    let secret_hex = B256::random().to_string();
    let key = LocalSigner::from_hex(&secret_hex)?;
    let request = CreateSessionParams {
        account,
        chain_id,
        key: KeyDescriptor { ty: KeyType::Secp256k1, public_key: key.address() },
        permissions: vec![
            Permission::NativeTokenTransfer { allowance: U256::from(10u128.pow(18)) },
            Permission::ContractAccess { address: recipient },
        ],
        expiry_sec: Some(now + 86_400),
    };
    let result = rpc.call::<CreateSession>(&request).await?;
    let grant = verify_grant(&request, &result, now)?;
    Ok(signed_credentials(&grant, &owner, url, now, Some(Secret::seal(&secret_hex, SecretForm::Plaintext)?)))
}

fn pay(to: Address, wei: u64) -> Call {
    Call { to, data: None, value: Some(U256::from(wei)) }
}

async fn round(e: &Endpoints, tasks: usize, calls: usize) -> BenchResult<f64> {
    let recipient = LocalSigner::random().address();
    let creds = new_session(e, recipient).await?;
    let client = SessionClient::from_credentials(&creds, warden_core::credentials::Unlock::None, e.wallet.clone())?;
    client.send_calls(&[pay(recipient, 1)]).await?; // warm-up: installs the session
    let before = quantity(&raw(&e.node, "eth_getBalance", json!([recipient, "latest"])).await?)?;

    let started = Instant::now();
    let per_task = calls / tasks;
    let handles: Vec<_> = (0..tasks)
        .map(|t| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut ids = Vec::with_capacity(per_task);
                for i in 0..per_task {
                    let value = 1_000 * (t as u64 + 1) + i as u64;
                    let outcome = client.send_calls(&[pay(recipient, value)]).await?;
                    if !outcome.status.is_success() {
                        return Err(format!("call {} ended {}", outcome.call_id, outcome.status).into());
                    }
                    ids.push((outcome.call_id, value));
                }
                BenchResult::Ok(ids)
            })
        })
        .collect();
    let mut results = Vec::new();
    for h in handles {
        results.extend(h.await??);
    }
    let seconds = started.elapsed().as_secs_f64();

    let sent: u64 = results.iter().map(|(_, v)| v).sum();
    let mut ids: Vec<_> = results.iter().map(|(id, _)| id.clone()).collect();
    ids.sort();
    ids.dedup();
    let after = quantity(&raw(&e.node, "eth_getBalance", json!([recipient, "latest"])).await?)?;
    if ids.len() != results.len() || after - before != U256::from(sent) {
        return Err(format!("round of {tasks} tasks lost or duplicated calls").into());
    }
    let rate = results.len() as f64 / seconds;
    println!("rust tasks={tasks} calls={} seconds={seconds:.2} calls_per_s={rate:.1}", results.len());
    Ok(rate)
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let args = parse_args()?;
    let e = Endpoints {
        wallet: RpcClient::new(Endpoint::new(&args.endpoint)?, RpcConfig::default())?,
        node: RpcClient::new(Endpoint::new(&args.rpc_url)?, RpcConfig::default())?,
        url: args.endpoint.clone(),
    };
    if let Some(dir) = &args.emit {
        for &tasks in &args.tasks {
            let creds = new_session(&e, LocalSigner::random().address()).await?;
            creds.write_file(&dir.join(format!("ts-{tasks}.json")), true)?;
        }
        if args.emit_only {
            return Ok(());
        }
    }
    for &tasks in &args.tasks {
        round(&e, tasks, args.calls).await?;
    }
    Ok(())
}
