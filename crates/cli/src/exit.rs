//! Exit statuses and the one-line error report.
//!
//! * 0 — success.
//! * 1 — the input was valid but refused or not verified (invalid permission set,
//!   mismatching grant, a signature that does not verify).
//! * 2 — the input could not be parsed (bad JSON, wrong shape, bad hex, bad flag value).

use std::io::Write;
use std::process::ExitCode;

/// A command failure: its exit status and the message for the `error:` line.
#[derive(Debug)]
pub enum Failure {
    /// Valid input, refused or not verified (exit 1).
    Refused(String),
    /// Unparsable input (exit 2).
    BadInput(String),
}

impl Failure {
    pub fn refused(m: impl std::fmt::Display) -> Self {
        Self::Refused(m.to_string())
    }

    pub fn bad_input(m: impl std::fmt::Display) -> Self {
        Self::BadInput(m.to_string())
    }

    /// Writes `error: …` to stderr and returns the exit status.
    pub fn report(&self) -> ExitCode {
        let (code, msg) = match self {
            Self::Refused(m) => (1, m),
            Self::BadInput(m) => (2, m),
        };
        let one_line = msg.replace('\n', " ");
        let _ = writeln!(std::io::stderr(), "error: {one_line}");
        ExitCode::from(code)
    }
}

pub type CmdResult = Result<(), Failure>;
