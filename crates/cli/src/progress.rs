//! Owner calls from the command line (`account --delegate`, `revoke`): a one-line progress
//! indicator on stderr while the call moves through `warden_core::calls` (only when stderr is
//! a terminal, so scripts and logs get no control characters), and the exit status of each
//! way a call can fail.

use std::io::{IsTerminal, Write};

use warden_core::Coded;
use warden_core::calls::{CallsError, Progress};

use crate::exit::Failure;

/// A progress sink drawing one rewritten line on a terminal, or nothing.
pub fn sink() -> impl Fn(Progress) + Send + Sync {
    let tty = std::io::stderr().is_terminal();
    move |p: Progress| {
        if !tty {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{p}");
        if matches!(p, Progress::Done { .. }) {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

/// A failed call as a command failure: refused by the endpoint (3), failed on chain (4),
/// outcome unknown or endpoint unreachable (5), not verified or not signed (1), bad input (2).
pub fn calls_failure(e: &CallsError) -> Failure {
    let message = format!("{}: {e}", e.code());
    match e {
        CallsError::BadInput { .. } | CallsError::UnknownCallId { .. } => Failure::BadInput(message),
        CallsError::PermissionDenied { .. }
        | CallsError::SessionExpired { .. }
        | CallsError::SessionRevoked { .. }
        | CallsError::UnknownSession { .. }
        | CallsError::SignatureRefused { .. }
        | CallsError::NonceConflict { .. }
        | CallsError::InsufficientFunds { .. } => Failure::EndpointRefused(message),
        CallsError::Failed { .. } => Failure::OnChain(message),
        CallsError::OutcomeUnknown { .. } | CallsError::Timeout { .. } => Failure::Unavailable(message),
        CallsError::Endpoint { source, .. } => Failure::from_code(source.code(), e),
        _ => Failure::Refused(message),
    }
}
