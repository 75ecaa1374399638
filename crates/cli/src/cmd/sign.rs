//! `warden sign`: sign a signature request with a private key taken from an environment
//! variable. UNSAFE for real keys: it exists for test keys, scripts and acceptance checks.
//! The key is never read from argv (which other users can see in `ps`), never printed,
//! and is wiped from memory when the command ends.

use clap::Args;
use serde_json::json;
use warden_core::signing::{self, LocalSigner};
use zeroize::Zeroizing;

use crate::cmd::codec::{RequestInput, request_input};
use crate::exit::{CmdResult, Failure};
use crate::input::{InputArgs, print_json};

/// UNSAFE for real keys: sign the signature request on stdin with the private key held in
/// the environment variable VAR. Prints {"digest","signature"}; the digest is always
/// recomputed from the request's data, never taken from rawPayload.
///
/// Example: PK=0xac09…ff80 warden sign --private-key-env PK < request.json
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Name of the environment variable holding the 0x hex private key.
    #[arg(long, value_name = "VAR")]
    private_key_env: String,
    #[command(flatten)]
    input: InputArgs,
}

pub fn run(a: SignArgs) -> CmdResult {
    let secret = Zeroizing::new(std::env::var(&a.private_key_env).map_err(|_| {
        Failure::bad_input(format!("environment variable {} is not set (or not UTF-8)", a.private_key_env))
    })?);
    let signer = LocalSigner::from_hex(&secret)
        .map_err(|_| Failure::bad_input(format!("{} does not hold a 32-byte hex private key", a.private_key_env)))?;
    drop(secret);
    let signed = match request_input(a.input.value()?)? {
        RequestInput::Request(r) => signing::sign_request(&signer, &r, None),
        RequestInput::Auth(auth) => signing::sign_request(
            &signer,
            &warden_core::api::SignatureRequest::Eip7702Auth { raw_payload: Default::default() },
            Some(&auth),
        ),
    }
    .map_err(Failure::bad_input)?;
    print_json(
        &json!({ "digest": signed.digest, "signature": signed.signature, "signer": signing::DigestSigner::address(&signer).to_checksum(None) }),
    )
}
