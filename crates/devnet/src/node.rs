//! JSON-RPC client for the node underneath (anvil, or any node with anvil's `anvil_*`/`evm_*`
//! methods when `--rpc` is used).
//!
//! Two uses: forwarding a client's `eth_*`/`net_*`/`web3_*` request untouched (the devnet's
//! node URL), and the typed calls the devnet makes itself (balances, impersonated
//! transactions). Reads an operation needs together go in one JSON-RPC batch ([`Node::batch`]);
//! a transaction is sent with `eth_sendTransactionSync` (one round trip to the mined
//! receipt) where the node has it. Every request has a timeout and a response size cap.
//! Left out: websockets and subscriptions.

use std::time::Duration;

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Timeout of one node request (a CREATE2 deployment of the EntryPoint is the slowest).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest node response accepted (state dumps of a busy devnet are the largest).
const MAX_RESPONSE_BYTES: usize = 256 * 1024 * 1024;
/// How long to wait for an automining node to mine a sent transaction, and how often to look,
/// before mining a block explicitly.
const AUTOMINE_WAIT: Duration = Duration::from_secs(2);
const AUTOMINE_POLL_INTERVAL: Duration = Duration::from_millis(1);

/// A failed node request.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The node could not be reached or timed out.
    #[error("node {url}: {method}: {source}")]
    Transport {
        url: String,
        method: String,
        #[source]
        source: reqwest::Error,
    },
    /// The node answered with something that is not a JSON-RPC response.
    #[error("node {url}: {method}: bad response: {reason}")]
    BadResponse { url: String, method: String, reason: String },
    /// The node answered with a JSON-RPC error.
    #[error("node: {method}: {message} (code {code})")]
    Rpc { method: String, code: i64, message: String, revert: Option<Bytes> },
}

impl NodeError {
    /// The revert data of a failed `eth_call`/`eth_estimateGas`/send, when the node gave it.
    pub fn revert_data(&self) -> Option<Bytes> {
        match self {
            Self::Rpc { revert, .. } => revert.clone(),
            _ => None,
        }
    }
}

/// Whether a node's error message says it does not have the method.
fn lacks_method(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("method")
        && ["not found", "not exist", "unsupported", "not supported", "not available"].iter().any(|w| lower.contains(w))
}

/// A transaction receipt, reduced to what the devnet reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub transaction_hash: B256,
    pub success: bool,
    pub raw: Value,
}

/// Client for one node URL.
#[derive(Clone, Debug)]
pub struct Node {
    http: reqwest::Client,
    url: String,
    /// Whether the node mines every transaction on its own (anvil's automine), asked once.
    automine: std::sync::Arc<tokio::sync::OnceCell<bool>>,
    /// Whether the node lacks `eth_sendTransactionSync` (learnt from its first answer).
    no_sync_send: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Accounts already impersonated on the node (impersonation lasts as long as the node).
    impersonated: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<Address>>>,
}

impl Node {
    /// A client for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        let http = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build().unwrap_or_default();
        Self {
            http,
            url: url.into(),
            automine: Default::default(),
            no_sync_send: Default::default(),
            impersonated: Default::default(),
        }
    }

    /// The node's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    async fn post(&self, method: &str, body: &Value) -> Result<Value, NodeError> {
        let transport = |source| NodeError::Transport { url: self.url.clone(), method: method.to_owned(), source };
        let bad = |reason: String| NodeError::BadResponse { url: self.url.clone(), method: method.to_owned(), reason };
        let mut resp = self.http.post(&self.url).json(body).send().await.map_err(transport)?;
        let mut buf = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            if buf.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(bad(format!("larger than {MAX_RESPONSE_BYTES} bytes")));
            }
            buf.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&buf).map_err(|e| bad(format!("not JSON: {e}")))
    }

    /// Forwards a client's JSON-RPC request object as it is and returns the node's response
    /// object as it is.
    pub async fn forward(&self, request: &Value) -> Result<Value, NodeError> {
        let method = request.get("method").and_then(Value::as_str).unwrap_or("?").to_owned();
        self.post(&method, request).await
    }

    /// Calls `method` and returns its `result`.
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, NodeError> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let resp = self.post(method, &body).await?;
        self.result_of(method, resp)
    }

    /// The `result` of one response object, or its error.
    fn result_of(&self, method: &str, mut resp: Value) -> Result<Value, NodeError> {
        if let Some(err) = resp.get("error") {
            return Err(NodeError::Rpc {
                method: method.to_owned(),
                code: err.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: err.get("message").and_then(Value::as_str).unwrap_or("").to_owned(),
                revert: err.get("data").and_then(Value::as_str).and_then(|s| s.parse().ok()),
            });
        }
        match resp.get_mut("result") {
            Some(v) => Ok(v.take()),
            None => Err(NodeError::BadResponse {
                url: self.url.clone(),
                method: method.to_owned(),
                reason: "neither result nor error".into(),
            }),
        }
    }

    /// Sends `calls` (method, params) as one JSON-RPC batch and returns each result in
    /// order. For reads only: a node may answer the members of a batch in any order.
    pub async fn batch(&self, calls: &[(&str, Value)]) -> Result<Vec<Result<Value, NodeError>>, NodeError> {
        let body: Vec<Value> = calls
            .iter()
            .enumerate()
            .map(|(i, (method, params))| json!({"jsonrpc": "2.0", "id": i, "method": method, "params": params}))
            .collect();
        let resp = self.post("batch", &Value::Array(body)).await?;
        let bad = |reason: String| NodeError::BadResponse { url: self.url.clone(), method: "batch".into(), reason };
        let Value::Array(items) = resp else {
            return Err(bad("the answer to a batch is not an array".into()));
        };
        let mut out: Vec<Option<Result<Value, NodeError>>> = calls.iter().map(|_| None).collect();
        for item in items {
            let slot = item
                .get("id")
                .and_then(Value::as_u64)
                .and_then(|i| usize::try_from(i).ok())
                .filter(|i| *i < calls.len())
                .ok_or_else(|| bad(format!("batch answer with an unknown id: {item}")))?;
            out[slot] = Some(self.result_of(calls[slot].0, item));
        }
        out.into_iter()
            .enumerate()
            .map(|(i, r)| r.ok_or_else(|| bad(format!("no answer for {}", calls[i].0))))
            .collect()
    }

    /// Calls `method` and parses its `result` as `T`.
    pub async fn typed<T: DeserializeOwned>(&self, method: &str, params: Value) -> Result<T, NodeError> {
        let v = self.request(method, params).await?;
        serde_json::from_value(v).map_err(|e| NodeError::BadResponse {
            url: self.url.clone(),
            method: method.to_owned(),
            reason: format!("unexpected result: {e}"),
        })
    }

    pub async fn chain_id(&self) -> Result<u64, NodeError> {
        let v: U256 = self.typed("eth_chainId", json!([])).await?;
        Ok(v.saturating_to())
    }

    pub async fn code(&self, address: Address) -> Result<Bytes, NodeError> {
        self.typed("eth_getCode", json!([address, "latest"])).await
    }

    pub async fn balance(&self, address: Address) -> Result<U256, NodeError> {
        self.typed("eth_getBalance", json!([address, "latest"])).await
    }

    pub async fn transaction_count(&self, address: Address) -> Result<u64, NodeError> {
        let v: U256 = self.typed("eth_getTransactionCount", json!([address, "latest"])).await?;
        Ok(v.saturating_to())
    }

    pub async fn set_balance(&self, address: Address, amount: U256) -> Result<(), NodeError> {
        self.request("anvil_setBalance", json!([address, amount])).await.map(drop)
    }

    pub async fn set_code(&self, address: Address, code: &Bytes) -> Result<(), NodeError> {
        self.request("anvil_setCode", json!([address, code])).await.map(drop)
    }

    /// Lets the devnet send transactions from `address` (once per address and node).
    pub async fn impersonate(&self, address: Address) -> Result<(), NodeError> {
        if self.impersonated.lock().is_ok_and(|set| set.contains(&address)) {
            return Ok(());
        }
        self.request("anvil_impersonateAccount", json!([address])).await?;
        if let Ok(mut set) = self.impersonated.lock() {
            set.insert(address);
        }
        Ok(())
    }

    /// The timestamp of the block with `tag`, or `None` when the node has no such block.
    async fn block_timestamp(&self, tag: &str) -> Result<Option<u64>, NodeError> {
        let block: Value = self.request("eth_getBlockByNumber", json!([tag, false])).await?;
        let Some(ts) = block.get("timestamp").filter(|t| !t.is_null()) else { return Ok(None) };
        let ts: U256 = serde_json::from_value(ts.clone()).map_err(|e| NodeError::BadResponse {
            url: self.url.clone(),
            method: "eth_getBlockByNumber".into(),
            reason: format!("{tag} block timestamp: {e}"),
        })?;
        Ok(Some(ts.saturating_to()))
    }

    /// The timestamp of the block the next transaction will be mined in: what a session's
    /// expiry is checked against, because an operation runs in that block, not in the last
    /// one (a session whose expiry passed while no block was mined is already expired).
    /// anvil's `pending` block carries it (its clock, plus `evm_increaseTime`, or the time
    /// `evm_setNextBlockTimestamp` set); a node without one gets the latest block's + 1.
    pub async fn next_block_timestamp(&self) -> Result<u64, NodeError> {
        let latest = self.block_timestamp("latest").await?.ok_or_else(|| NodeError::BadResponse {
            url: self.url.clone(),
            method: "eth_getBlockByNumber".into(),
            reason: "no latest block".into(),
        })?;
        Ok(match self.block_timestamp("pending").await? {
            Some(pending) => pending.max(latest),
            None => latest.saturating_add(1),
        })
    }

    pub async fn gas_price(&self) -> Result<U256, NodeError> {
        self.typed("eth_gasPrice", json!([])).await
    }

    pub async fn max_priority_fee(&self) -> Result<U256, NodeError> {
        self.typed("eth_maxPriorityFeePerGas", json!([])).await
    }

    pub async fn call(&self, tx: Value) -> Result<Bytes, NodeError> {
        self.typed("eth_call", json!([tx, "latest"])).await
    }

    pub async fn estimate_gas(&self, tx: Value) -> Result<U256, NodeError> {
        self.typed("eth_estimateGas", json!([tx])).await
    }

    /// Makes the next block's base fee zero, so a transaction with zero fees is accepted
    /// (how sponsored operations avoid charging the account for gas).
    pub async fn zero_next_base_fee(&self) -> Result<(), NodeError> {
        self.request("anvil_setNextBlockBaseFeePerGas", json!(["0x0"])).await.map(drop)
    }

    /// Whether the node mines each transaction as it arrives (`anvil_getAutomine`; a node
    /// without that method, or with interval mining, is mined explicitly).
    async fn automines(&self) -> bool {
        *self
            .automine
            .get_or_init(|| async { self.typed::<bool>("anvil_getAutomine", json!([])).await.unwrap_or(false) })
            .await
    }

    /// Sends `tx` (the sender must be impersonated or unlocked) and returns its receipt:
    /// with `eth_sendTransactionSync`, which answers with the mined receipt, or where the
    /// node lacks it with `eth_sendTransaction`, waiting for the receipt and mining a block
    /// when the node does not mine on its own.
    pub async fn transact(&self, tx: Value) -> Result<Receipt, NodeError> {
        use std::sync::atomic::Ordering;
        if !self.no_sync_send.load(Ordering::Relaxed) {
            match self.request("eth_sendTransactionSync", json!([tx])).await {
                Ok(raw) if !raw.is_null() => return self.receipt_of(raw),
                Err(NodeError::Rpc { code, message, .. }) if code == -32601 || lacks_method(&message) => {
                    self.no_sync_send.store(true, Ordering::Relaxed);
                }
                Ok(_) => self.no_sync_send.store(true, Ordering::Relaxed),
                Err(e) => return Err(e),
            }
        }
        let hash: B256 = self.typed("eth_sendTransaction", json!([tx])).await?;
        let mut raw = self.request("eth_getTransactionReceipt", json!([hash])).await?;
        if raw.is_null() && self.automines().await {
            // Automine mines just after answering: wait for its block rather than mining
            // another one (an empty block each time, and slower as the chain grows).
            let deadline = tokio::time::Instant::now() + AUTOMINE_WAIT;
            while raw.is_null() && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(AUTOMINE_POLL_INTERVAL).await;
                raw = self.request("eth_getTransactionReceipt", json!([hash])).await?;
            }
        }
        if raw.is_null() {
            self.request("evm_mine", json!([])).await?;
            raw = self.request("eth_getTransactionReceipt", json!([hash])).await?;
        }
        if raw.is_null() {
            return Err(NodeError::BadResponse {
                url: self.url.clone(),
                method: "eth_getTransactionReceipt".into(),
                reason: format!("no receipt for {hash} after mining"),
            });
        }
        self.receipt_of(raw)
    }

    fn receipt_of(&self, raw: Value) -> Result<Receipt, NodeError> {
        let transaction_hash: B256 =
            raw.get("transactionHash").cloned().and_then(|h| serde_json::from_value(h).ok()).ok_or_else(|| {
                NodeError::BadResponse {
                    url: self.url.clone(),
                    method: "eth_getTransactionReceipt".into(),
                    reason: format!("a receipt without transactionHash: {raw}"),
                }
            })?;
        let success = raw.get("status").and_then(Value::as_str) == Some("0x1");
        Ok(Receipt { transaction_hash, success, raw })
    }
}
