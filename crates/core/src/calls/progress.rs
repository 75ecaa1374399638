//! Where a call is in the pipeline, reported as it moves, and how long to wait for it.
//!
//! The CLI draws its progress line from [`Progress`] (on a terminal only), the app emits it
//! as an event; a library user may pass [`NoProgress`]. The reports carry no secrets.

use std::time::Duration;

use alloy_primitives::Bytes;
use serde::Serialize;

use crate::api::CallStatus;

/// One step of the pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum Progress {
    /// Asking the endpoint to prepare the calls (`wallet_prepareCalls`).
    Preparing,
    /// Checking the prepared operation against the calls asked for.
    Verifying,
    /// The key is signing.
    Signing,
    /// Sending the signed operation (`wallet_sendPreparedCalls`).
    Sending,
    /// The endpoint accepted the operation under this call id.
    #[serde(rename_all = "camelCase")]
    Sent { call_id: Bytes },
    /// Waiting for a final status; `status` is the latest one seen.
    Waiting { status: CallStatus, polls: u32 },
    /// A final status was reached.
    Done { status: CallStatus },
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Preparing => f.write_str("preparing"),
            Self::Verifying => f.write_str("verifying the prepared operation"),
            Self::Signing => f.write_str("signing"),
            Self::Sending => f.write_str("sending"),
            Self::Sent { call_id } => write!(f, "sent as {call_id}"),
            Self::Waiting { status, .. } => write!(f, "waiting: {status}"),
            Self::Done { status } => write!(f, "done: {status}"),
        }
    }
}

/// Receives [`Progress`] reports. Any `Fn(Progress) + Send + Sync` closure is one.
pub trait ProgressSink: Send + Sync {
    fn report(&self, progress: Progress);
}

impl<F: Fn(Progress) + Send + Sync> ProgressSink for F {
    fn report(&self, progress: Progress) {
        self(progress)
    }
}

/// Ignores every report.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl ProgressSink for NoProgress {
    fn report(&self, _: Progress) {}
}

/// How `wallet_getCallsStatus` is polled until a final status: the first poll at once,
/// then delays growing by `factor` from `first_delay` up to `max_delay`, for at most
/// `timeout` in total.
///
/// An endpoint may not know a call id for a while after accepting it (it is indexed
/// asynchronously): for `unknown_id_grace` after waiting starts, an "unknown call id"
/// answer counts as pending; after that it is an error.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitPolicy {
    pub first_delay: Duration,
    pub max_delay: Duration,
    pub factor: f64,
    pub timeout: Duration,
    pub unknown_id_grace: Duration,
}

impl Default for WaitPolicy {
    /// 100 ms growing by 1.5× to 2 s, for up to 3 minutes (a few blocks on a slow chain);
    /// an unknown call id is taken as pending for the first 30 s.
    fn default() -> Self {
        Self {
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            factor: 1.5,
            timeout: Duration::from_secs(180),
            unknown_id_grace: Duration::from_secs(30),
        }
    }
}

impl WaitPolicy {
    /// The delay before poll number `poll + 1` (polls counted from 1).
    pub fn delay_after(&self, poll: u32) -> Duration {
        let grown = self.first_delay.as_secs_f64() * self.factor.max(1.0).powi(poll.saturating_sub(1).min(64) as i32);
        Duration::from_secs_f64(grown.min(self.max_delay.as_secs_f64()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_the_cap() {
        let p = WaitPolicy::default();
        assert_eq!(p.delay_after(1), Duration::from_millis(100));
        assert_eq!(p.delay_after(2), Duration::from_millis(150));
        assert_eq!(p.delay_after(50), Duration::from_secs(2));
    }

    #[test]
    fn reports_serialize_with_their_step() {
        let v = serde_json::to_value(Progress::Waiting { status: CallStatus::PENDING, polls: 2 }).unwrap_or_default();
        assert_eq!(v, serde_json::json!({"step": "waiting", "status": 100, "polls": 2}));
    }
}
