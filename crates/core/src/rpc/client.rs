//! The client proper: one POST per attempt over a shared `reqwest::Client`, the body read
//! under a size cap and a timeout, the answer checked and classified, reads retried.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use zeroize::Zeroizing;

use super::envelope::{self, Answer, ErrorObject, truncate};
use super::retry::{RetryPolicy, parse_retry_after};
use super::{CallKind, Endpoint, RpcError, RpcMethod};

/// Sent as `User-Agent` with every request.
const USER_AGENT: &str = concat!("warden/", env!("CARGO_PKG_VERSION"));
/// Longest transport or decoder reason kept in an error, in characters.
const MAX_REASON_CHARS: usize = 300;

/// Limits for each call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcConfig {
    /// Longest time one attempt may take, from sending the request to the last byte of
    /// the answer.
    pub timeout: Duration,
    /// Longest time to establish a connection (part of `timeout`).
    pub connect_timeout: Duration,
    /// Largest response body read, in bytes. A larger one is refused as soon as its
    /// `Content-Length` or the bytes streamed so far exceed it.
    pub max_response_bytes: usize,
    /// How reads are retried. Sends never are.
    pub retry: RetryPolicy,
}

impl Default for RpcConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: 4 << 20,
            retry: RetryPolicy::default(),
        }
    }
}

/// An async JSON-RPC 2.0 client for one Wallets API endpoint.
///
/// Cheap to clone and to share between tasks: clones share the connection pool and the
/// request-id counter. Ids increase by one per attempt, starting at 1, and every answer
/// must carry the id of its request.
#[derive(Clone)]
pub struct RpcClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    endpoint: Endpoint,
    /// `Bearer <key>`, marked sensitive so the HTTP stack never prints it.
    authorization: Option<HeaderValue>,
    config: RpcConfig,
    next_id: AtomicU64,
}

impl RpcClient {
    /// A client for `endpoint`. Redirects are not followed: a JSON-RPC endpoint has no
    /// reason to redirect, and following one would repeat a send and could carry the key
    /// elsewhere.
    pub fn new(endpoint: Endpoint, config: RpcConfig) -> Result<Self, RpcError> {
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| RpcError::ClientSetup {
                reason: truncate(&error_chain(&e.without_url()), MAX_REASON_CHARS),
            })?;
        let authorization = match endpoint.api_key() {
            Some(key) => {
                let text = Zeroizing::new(format!("Bearer {}", key.expose()));
                let mut value = HeaderValue::from_str(&text)
                    .map_err(|_| RpcError::InvalidApiKey { reason: "it cannot be sent in an HTTP header" })?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        Ok(Self { inner: Arc::new(Inner { http, endpoint, authorization, config, next_id: AtomicU64::new(1) }) })
    }

    /// The endpoint this client talks to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The limits this client applies.
    pub fn config(&self) -> &RpcConfig {
        &self.inner.config
    }

    /// Calls a method described by an [`RpcMethod`], with the call kind it declares.
    pub async fn call<M: RpcMethod>(&self, params: &M::Params) -> Result<M::Result, RpcError> {
        let params = M::params_json(params).map_err(|e| RpcError::Params {
            method: M::NAME.to_owned(),
            reason: truncate(&e.to_string(), MAX_REASON_CHARS),
        })?;
        let result: Value = self.request(M::NAME, params, M::KIND).await?;
        M::parse_result(result).map_err(|e| RpcError::Decode {
            method: M::NAME.to_owned(),
            host: self.host(),
            reason: truncate(&e.to_string(), MAX_REASON_CHARS),
        })
    }

    /// Calls `method` with `params`, which must serialize to the JSON params array (pass
    /// `[object]` for the single-object methods), and decodes the `result` as `R`.
    ///
    /// A [`CallKind::Read`] is retried on transient failures as the [`RetryPolicy`] allows;
    /// a [`CallKind::Send`] is made exactly once, whatever happens.
    pub async fn request<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        params: P,
        kind: CallKind,
    ) -> Result<R, RpcError> {
        let params = serde_json::to_value(params).map_err(|e| RpcError::Params {
            method: method.to_owned(),
            reason: format!("cannot be serialized: {}", truncate(&e.to_string(), MAX_REASON_CHARS)),
        })?;
        if !params.is_array() {
            return Err(RpcError::Params {
                method: method.to_owned(),
                reason: "must serialize to a JSON array (wrap a single object as [object])".into(),
            });
        }
        let result = self.with_retries(method, &params, kind).await?;
        serde_json::from_value(result).map_err(|e| RpcError::Decode {
            method: method.to_owned(),
            host: self.host(),
            reason: self.reason(&e.to_string()),
        })
    }

    async fn with_retries(&self, method: &str, params: &Value, kind: CallKind) -> Result<Value, RpcError> {
        let started = Instant::now();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let error = match self.attempt(method, params, attempts).await {
                Ok(result) => return Ok(result),
                Err(error) => error,
            };
            // The only place a retry is decided: a send never gets a delay.
            let delay = match kind {
                CallKind::Read => self.inner.config.retry.next_delay(&error, attempts, started.elapsed()),
                CallKind::Send => None,
            };
            let Some(delay) = delay else {
                tracing::debug!(method, ?kind, attempts, error = %error, "rpc call failed");
                return Err(error);
            };
            tracing::debug!(
                method,
                attempts,
                delay_ms = delay.as_millis() as u64,
                error = %error,
                "retrying rpc read"
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// One request and its answer, within the per-request timeout.
    async fn attempt(&self, method: &str, params: &Value, attempt: u32) -> Result<Value, RpcError> {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let body = envelope::request_body(id, method, params).map_err(|reason| RpcError::Params {
            method: method.to_owned(),
            reason: format!("cannot be serialized: {reason}"),
        })?;
        let mut request =
            self.inner.http.post(self.inner.endpoint.url().clone()).header(CONTENT_TYPE, "application/json").body(body);
        if let Some(authorization) = &self.inner.authorization {
            request = request.header(AUTHORIZATION, authorization.clone());
        }
        let started = Instant::now();
        let timeout = self.inner.config.timeout;
        let outcome =
            tokio::time::timeout(timeout, self.exchange(request, method, id, attempt)).await.unwrap_or_else(|_| {
                Err(RpcError::Timeout { method: method.to_owned(), host: self.host(), after: timeout })
            });
        tracing::debug!(
            method,
            host = self.inner.endpoint.host(),
            id,
            attempt,
            elapsed_ms = started.elapsed().as_millis() as u64,
            ok = outcome.is_ok(),
            "rpc attempt done"
        );
        outcome
    }

    async fn exchange(&self, request: RequestBuilder, method: &str, id: u64, attempt: u32) -> Result<Value, RpcError> {
        let mut response = request.send().await.map_err(|e| self.transport_error(method, e))?;
        let status = response.status();
        tracing::debug!(method, id, attempt, status = status.as_u16(), "rpc response");
        if status.is_success() {
            let body = self.read_body(&mut response, method).await?;
            return match envelope::parse_response(&body, id) {
                Ok(Answer::Result(result)) => Ok(result),
                Ok(Answer::Error(error)) => Err(self.rpc_error(method, error)),
                Err(reason) => Err(RpcError::BadResponse {
                    method: method.to_owned(),
                    host: self.host(),
                    reason: self.reason(&reason),
                }),
            };
        }
        let http_error = RpcError::Http {
            method: method.to_owned(),
            host: self.host(),
            status: status.as_u16(),
            retry_after: response.headers().get(RETRY_AFTER).and_then(parse_retry_after),
        };
        // Other 4xx answers may explain themselves with a JSON-RPC error object (e.g. 400
        // with -32602); its code and message say more than the status.
        if status.is_client_error()
            && !status_speaks_for_itself(status)
            && let Ok(body) = self.read_body(&mut response, method).await
            && let Ok(Answer::Error(error)) = envelope::parse_response(&body, id)
        {
            return Err(self.rpc_error(method, error));
        }
        Err(http_error)
    }

    /// The body, refused as soon as it is known to exceed the cap.
    async fn read_body(&self, response: &mut Response, method: &str) -> Result<Vec<u8>, RpcError> {
        let limit = self.inner.config.max_response_bytes;
        let too_large = || RpcError::TooLarge { method: method.to_owned(), host: self.host(), limit };
        let announced = response.content_length();
        if announced.is_some_and(|len| len > limit as u64) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(announced.map_or(0, |len| len as usize));
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport_error(method, e))? {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn rpc_error(&self, method: &str, error: ErrorObject) -> RpcError {
        let endpoint = &self.inner.endpoint;
        RpcError::Rpc {
            method: method.to_owned(),
            host: self.host(),
            code: error.code,
            message: endpoint.scrub(&error.message),
            data: error.data.map(|d| endpoint.scrub(&d)),
        }
    }

    fn transport_error(&self, method: &str, error: reqwest::Error) -> RpcError {
        let error = error.without_url();
        let method = method.to_owned();
        let host = self.host();
        if error.is_connect() {
            RpcError::Connect { method, host, reason: self.reason(&error_chain(&error)) }
        } else if error.is_timeout() {
            RpcError::Timeout { method, host, after: self.inner.config.timeout }
        } else {
            RpcError::Transport { method, host, reason: self.reason(&error_chain(&error)) }
        }
    }

    fn host(&self) -> String {
        self.inner.endpoint.host().to_owned()
    }

    /// A reason from elsewhere, truncated and scrubbed of the endpoint's secrets.
    fn reason(&self, text: &str) -> String {
        truncate(&self.inner.endpoint.scrub(text), MAX_REASON_CHARS)
    }
}

impl fmt::Debug for RpcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RpcClient")
            .field("endpoint", &self.inner.endpoint)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// Statuses whose meaning does not depend on the body: credentials, timeouts, rate limits.
fn status_speaks_for_itself(status: StatusCode) -> bool {
    matches!(status.as_u16(), 401 | 403 | 408 | 429)
}

/// An error and its sources, `: `-separated (the transport's own messages are terse).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
