//! `warden`: the command-line companion for Alchemy smart-account session keys.
//!
//! This binary is thin: it parses arguments, reads JSON, calls `warden-core`, and prints
//! JSON. Every failure is one line on stderr starting `error:`; the exit status says what
//! kind of failure it was (see [`exit`]).

mod amount;
mod cmd;
mod endpoint;
mod exit;
mod input;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use cmd::{account, approve, call, codec, devnet, doctor, grant, key, manual, request, revoke, session, sign};

/// Warden: grant, inspect and use smart-account session keys on the Alchemy Wallets API.
#[derive(Debug, Parser)]
#[command(name = "warden", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Offline protocol toolbox: encode, decode, hash and verify session data.
    #[command(subcommand)]
    Codec(codec::CodecCommand),
    /// UNSAFE for real keys: sign a signature request with a private key from the environment.
    Sign(sign::SignArgs),
    /// Owner keys in the OS keychain: create, import, list, rename, select, delete.
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Run the local devnet: the Wallets API over a real anvil node, on 127.0.0.1.
    ///
    /// Example: warden devnet --port 8547 --state ~/.warden-devnet
    Devnet(devnet::DevnetArgs),
    /// The owner's smart account: address, balance, 7702 delegation (--delegate to delegate).
    ///
    /// Example: warden account --endpoint http://127.0.0.1:8547 --rpc-url http://127.0.0.1:8548 --type 7702 --delegate
    Account(account::AccountArgs),
    /// Check a backend without changing anything: wallet endpoint, node, gas policy, 7702
    /// delegation, one line each with what to fix.
    ///
    /// Example: ALCHEMY_API_KEY=… warden doctor --chain base-sepolia --policy-id 4f0c…
    Doctor(doctor::DoctorArgs),
    /// Grant a session key permissions on the owner's account; writes its credentials file.
    ///
    /// Example: warden grant --permissions perms.json --expiry 7d --out session.json
    Grant(grant::GrantArgs),
    /// Session credentials files.
    #[command(subcommand)]
    Session(session::SessionCommand),
    /// A server asks for a session: write a permission request, then wait for the answer.
    #[command(subcommand)]
    Request(request::RequestCommand),
    /// Answer a permission request on a terminal: approve (the grant is checked and signed
    /// in the keychain) or --decline; the answer goes to the request's server.
    ///
    /// Example: warden approve req.json
    Approve(approve::ApproveArgs),
    /// Revoke a session: the owner uninstalls it, or cancels a grant that was never used.
    ///
    /// Example: warden revoke --credentials session.json
    Revoke(revoke::RevokeArgs),
    /// Send calls as a session key, within its grant, and wait for them.
    ///
    /// Example: warden call --credentials session.json --to 0xB0b… --value 0.01ether
    ///
    /// Example: warden call --credentials session.json --to 0xToken… --sig 'transfer(address,uint256)' 0xB0b… 1000
    Call(call::CallArgs),
    /// The status of a call: id, status code, transaction hash, revert reason.
    ///
    /// Example: warden status 0x…7a69… --endpoint http://127.0.0.1:8547
    Status(call::StatusArgs),
    /// Print the shell completion script for bash, zsh or fish.
    ///
    /// Example: warden completions bash > ~/.local/share/bash-completion/completions/warden
    Completions(manual::CompletionsArgs),
    /// Print the man page (roff), or write every page into a folder with --dir.
    ///
    /// Example: warden man | man -l -
    Man(manual::ManArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codec(c) => codec::run(c),
        Command::Sign(args) => sign::run(args),
        Command::Key(c) => key::run(c),
        Command::Devnet(args) => devnet::run(args),
        Command::Account(args) => account::run(args),
        Command::Doctor(args) => doctor::run(args),
        Command::Grant(args) => grant::run(args),
        Command::Session(c) => session::run(c),
        Command::Revoke(args) => revoke::run(args),
        Command::Request(c) => request::run(c),
        Command::Approve(args) => approve::run(args),
        Command::Call(args) => call::run_call(args),
        Command::Status(args) => call::run_status(args),
        Command::Completions(args) => manual::completions(Cli::command(), args),
        Command::Man(args) => manual::man(Cli::command(), args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}
