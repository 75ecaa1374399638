//! Helpers shared by the devnet integration tests: a devnet per test file and a tiny
//! JSON-RPC client.

#![allow(dead_code, clippy::unwrap_used)]

use serde_json::{Value, json};
use warden_devnet::{Devnet, DevnetConfig, DevnetHandle};

pub async fn devnet() -> DevnetHandle {
    Devnet::start(DevnetConfig::default())
        .await
        .expect("devnet starts (run `npm install --no-audit --no-fund` in crates/devnet/node)")
}

/// POSTs `body` and returns the parsed response.
pub async fn post(url: &str, body: &str) -> Value {
    let resp = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let text = resp.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Calls `method` and returns the whole response object.
pub async fn call(url: &str, method: &str, params: Value) -> Value {
    post(url, &json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()).await
}

/// Calls `method` and returns its result, panicking with the error otherwise.
pub async fn ok(url: &str, method: &str, params: Value) -> Value {
    let r = call(url, method, params).await;
    match r.get("result") {
        Some(v) => v.clone(),
        None => panic!("{method} failed: {r}"),
    }
}

/// Calls `method`, expects an error, and returns (code, message).
pub async fn err(url: &str, method: &str, params: Value) -> (i64, String) {
    let r = call(url, method, params).await;
    let e = r.get("error").unwrap_or_else(|| panic!("{method} should fail: {r}"));
    (e["code"].as_i64().unwrap(), e["message"].as_str().unwrap().to_owned())
}
