//! Exit statuses and the one-line error report.
//!
//! * 0 — success.
//! * 1 — the input was valid but refused or not verified (invalid permission set,
//!   mismatching grant, a signature that does not verify).
//! * 2 — the input could not be parsed or used (bad JSON, wrong shape, bad hex, bad flag
//!   value, no endpoint, no terminal to confirm on).
//! * 3 — the endpoint refused the request (a JSON-RPC error: permission, expiry,
//!   revocation, signature, unknown session or account).
//! * 4 — the calls were included on chain and failed (reverted), or were dropped.
//! * 5 — the endpoint could not be reached, failed, or answered with something that is not
//!   a Wallets API answer; for a send, its outcome is unknown.

use std::io::Write;
use std::process::ExitCode;

use warden_core::ErrorCode;

/// A command failure: its exit status and the message for the `error:` line.
#[derive(Debug)]
pub enum Failure {
    /// Valid input, refused or not verified (exit 1).
    Refused(String),
    /// Unparsable or unusable input (exit 2).
    BadInput(String),
    /// Refused by the endpoint (exit 3).
    EndpointRefused(String),
    /// Failed on chain (exit 4).
    OnChain(String),
    /// Endpoint unreachable or not a Wallets API (exit 5).
    Unavailable(String),
}

impl Failure {
    pub fn refused(m: impl std::fmt::Display) -> Self {
        Self::Refused(m.to_string())
    }

    pub fn bad_input(m: impl std::fmt::Display) -> Self {
        Self::BadInput(m.to_string())
    }

    /// A classified error as a failure with the exit status of its kind; the message is
    /// prefixed with the code.
    pub fn from_code(code: ErrorCode, message: impl std::fmt::Display) -> Self {
        let m = format!("{code}: {message}");
        match code {
            ErrorCode::InvalidInput | ErrorCode::DecodeFailed => Self::BadInput(m),
            ErrorCode::RpcError
            | ErrorCode::PermissionDenied
            | ErrorCode::SessionExpired
            | ErrorCode::SessionRevoked
            | ErrorCode::UnknownSession => Self::EndpointRefused(m),
            ErrorCode::CallFailed => Self::OnChain(m),
            ErrorCode::Unavailable
            | ErrorCode::RateLimited
            | ErrorCode::BadResponse
            | ErrorCode::OutcomeUnknown
            | ErrorCode::CallTimeout => Self::Unavailable(m),
            _ => Self::Refused(m),
        }
    }

    /// Writes `error: …` to stderr and returns the exit status.
    pub fn report(&self) -> ExitCode {
        let (code, msg) = match self {
            Self::Refused(m) => (1, m),
            Self::BadInput(m) => (2, m),
            Self::EndpointRefused(m) => (3, m),
            Self::OnChain(m) => (4, m),
            Self::Unavailable(m) => (5, m),
        };
        let one_line = msg.replace('\n', " ");
        let _ = writeln!(std::io::stderr(), "error: {one_line}");
        ExitCode::from(code)
    }
}

pub type CmdResult = Result<(), Failure>;
