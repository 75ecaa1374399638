//! Reading JSON input (stdin or `--in FILE`), writing JSON output, and the number parsers
//! every flag shares (decimal or 0x hex).

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;

use alloy_primitives::U256;
use serde::de::DeserializeOwned;
use serde_json::Value;
use warden_core::wire;

use crate::exit::Failure;

/// Where a command reads its JSON from.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Read the JSON input from FILE instead of stdin.
    #[arg(long = "in", value_name = "FILE")]
    pub input: Option<PathBuf>,
}

impl InputArgs {
    /// The raw JSON value.
    pub fn value(&self) -> Result<Value, Failure> {
        let text = match &self.input {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| Failure::bad_input(format!("cannot read {}: {e}", path.display())))?,
            None => {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .map_err(|e| Failure::bad_input(format!("cannot read stdin: {e}")))?;
                s
            }
        };
        if text.trim().is_empty() {
            return Err(Failure::bad_input("no JSON input: pass it on stdin or with --in FILE"));
        }
        serde_json::from_str(&text).map_err(|e| Failure::bad_input(format!("input is not valid JSON: {e}")))
    }

    /// The input parsed as `T`; `what` names it in errors.
    pub fn parse<T: DeserializeOwned>(&self, what: &str) -> Result<T, Failure> {
        from_value(self.value()?, what)
    }
}

/// Parses a JSON value as `T`, naming `what` in the error.
pub fn from_value<T: DeserializeOwned>(v: Value, what: &str) -> Result<T, Failure> {
    serde_json::from_value(v).map_err(|e| Failure::bad_input(format!("{what}: {e}")))
}

/// Prints `v` as pretty JSON on stdout.
pub fn print_json(v: &Value) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer_pretty(&mut out, v).and_then(|()| writeln!(out).map_err(serde_json::Error::io));
    match written {
        // A reader that stopped early (`| head`) is not our failure.
        Err(e) if e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe) => Ok(()),
        other => other.map_err(|e| Failure::refused(format!("cannot write output: {e}"))),
    }
}

/// Prints text as is on stdout.
pub fn print_text(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Failure::refused(format!("cannot write output: {e}"))),
    }
}

/// clap value parser: decimal or 0x hex, up to 256 bits.
pub fn parse_u256(s: &str) -> Result<U256, String> {
    wire::parse_dec_or_hex_u256(s)
}

/// clap value parser: decimal or 0x hex, up to 64 bits.
pub fn parse_u64(s: &str) -> Result<u64, String> {
    wire::parse_dec_or_hex_u64(s)
}

/// A JSON number or a decimal/0x-hex string as a 256-bit integer.
pub fn json_u256(v: &Value, what: &str) -> Result<U256, Failure> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .map(U256::from)
            .ok_or_else(|| Failure::bad_input(format!("{what}: {n} is not a non-negative integer"))),
        Value::String(s) => wire::parse_dec_or_hex_u256(s).map_err(|e| Failure::bad_input(format!("{what}: {e}"))),
        Value::Null => Err(Failure::bad_input(format!("{what}: missing"))),
        other => Err(Failure::bad_input(format!("{what}: {other} is not a number"))),
    }
}

/// Like [`json_u256`] but must fit 64 bits.
pub fn json_u64(v: &Value, what: &str) -> Result<u64, Failure> {
    let n = json_u256(v, what)?;
    u64::try_from(n).map_err(|_| Failure::bad_input(format!("{what}: {n} does not fit in 64 bits")))
}

/// The current unix time.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Asks `question` on the terminal (stderr) and reads y/N from stdin; only "y" or "yes"
/// is a yes.
pub fn confirm(question: &str) -> Result<bool, Failure> {
    let mut err = std::io::stderr();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::bad_input(format!("cannot read the answer: {e}")))?;
    Ok(matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}
