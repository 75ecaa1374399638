//! Exit statuses and the one-line error report.
//!
//! * 0 — success (for `warden call` and `warden status`: the call is confirmed, or was
//!   accepted with `--no-wait`).
//! * 1 — the input was valid but refused or not verified (invalid permission set,
//!   mismatching grant or prepared call, a signature that does not verify, tampered
//!   credentials, an endpoint that failed or refused for another reason).
//! * 2 — the input could not be parsed (bad JSON, wrong shape, bad hex, bad flag value,
//!   no endpoint, a secret that cannot be unlocked with what was given, no terminal to
//!   confirm a grant or revocation on and no `--yes`).
//! * 3 — the endpoint refused the calls: a session permission does not allow them (the
//!   message names the limit), or the account cannot pay.
//! * 4 — the endpoint refused the session itself: expired, revoked, or unknown.
//! * 5 — the calls failed on chain (reverted) or were dropped.
//! * 6 — no final status yet: still pending when the wait ended, or the send failed in
//!   transit so its outcome is unknown (check with `warden status`, do not resend).

use std::io::Write;
use std::process::ExitCode;

use warden_core::ErrorCode;

/// A command failure: its exit status and the message for the `error:` line.
#[derive(Debug)]
pub enum Failure {
    /// Valid input, refused or not verified (exit 1).
    Refused(String),
    /// Unparsable input (exit 2).
    BadInput(String),
    /// A session permission (or the account's funds) does not allow the calls (exit 3).
    PermissionDenied(String),
    /// The session is expired, revoked or unknown to the endpoint (exit 4).
    SessionEnded(String),
    /// The calls reverted or were dropped (exit 5).
    FailedOnChain(String),
    /// No final status yet (exit 6).
    NotFinal(String),
}

impl Failure {
    pub fn refused(m: impl std::fmt::Display) -> Self {
        Self::Refused(m.to_string())
    }

    pub fn bad_input(m: impl std::fmt::Display) -> Self {
        Self::BadInput(m.to_string())
    }

    /// A classified error as the failure of its kind, the message prefixed with the code:
    /// bad input (2), permission (3), session ended (4), failed on chain (5), not final (6),
    /// anything else refused (1).
    pub fn from_code(code: ErrorCode, message: impl std::fmt::Display) -> Self {
        let m = format!("{code}: {message}");
        match code {
            ErrorCode::InvalidInput | ErrorCode::DecodeFailed => Self::BadInput(m),
            ErrorCode::PermissionDenied => Self::PermissionDenied(m),
            ErrorCode::SessionExpired | ErrorCode::SessionRevoked | ErrorCode::UnknownSession => Self::SessionEnded(m),
            ErrorCode::CallFailed => Self::FailedOnChain(m),
            ErrorCode::OutcomeUnknown | ErrorCode::CallTimeout => Self::NotFinal(m),
            _ => Self::Refused(m),
        }
    }

    /// The exit status.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Refused(_) => 1,
            Self::BadInput(_) => 2,
            Self::PermissionDenied(_) => 3,
            Self::SessionEnded(_) => 4,
            Self::FailedOnChain(_) => 5,
            Self::NotFinal(_) => 6,
        }
    }

    /// The message of the `error:` line.
    pub fn message(&self) -> &str {
        match self {
            Self::Refused(m)
            | Self::BadInput(m)
            | Self::PermissionDenied(m)
            | Self::SessionEnded(m)
            | Self::FailedOnChain(m)
            | Self::NotFinal(m) => m,
        }
    }

    /// Writes `error: …` to stderr and returns the exit status.
    pub fn report(&self) -> ExitCode {
        let one_line = self.message().replace('\n', " ");
        let _ = writeln!(std::io::stderr(), "error: {one_line}");
        ExitCode::from(self.exit_code())
    }
}

pub type CmdResult = Result<(), Failure>;
