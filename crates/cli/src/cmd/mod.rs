//! One module per `warden` subcommand, each with its clap arguments and its `run`: `main.rs`
//! only lists them. What several commands share lives beside this folder (`amount`, `endpoint`,
//! `exit`, `input`) or in the command that owns it (the keychain helpers in [`key`], the
//! progress printer and credentials reader in [`call`]).

pub mod account;
pub mod approve;
pub mod call;
pub mod codec;
pub mod devnet;
pub mod doctor;
pub mod grant;
pub mod key;
pub mod manual;
pub mod request;
pub mod revoke;
pub mod session;
pub mod sign;
