//! `warden key …`: owner keys in the OS keychain.
//!
//! Secrets are read from stdin (when it is not a terminal) or from a hidden terminal
//! prompt, never from argv. Output is addresses and labels only; there is no way to print
//! an owner key. Errors name the classified keychain cause and what to do about it.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use alloy_primitives::Address;
use clap::Subcommand;
use serde_json::json;
use warden_core::{Coded, ErrorCode};
use warden_keychain::{
    Confirmation, IndexRepair, Keychain, KeychainError, Namespace, OwnerKeySource, RepairedState, SecretString,
};

use crate::exit::{CmdResult, Failure};
use crate::input::print_json;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a new owner key in the keychain (OS random generator).
    ///
    /// Example: warden key new --label "main"
    New {
        /// A name for the key.
        #[arg(long)]
        label: Option<String>,
    },
    /// Import an owner key: a 0x hex private key, or with --mnemonic a BIP-39 phrase, read
    /// from stdin or a hidden prompt (never from the command line).
    ///
    /// Example: warden key import --mnemonic --path "m/44'/60'/0'/0/1" < phrase.txt
    Import {
        /// A name for the key.
        #[arg(long)]
        label: Option<String>,
        /// The secret is a BIP-39 mnemonic phrase.
        #[arg(long)]
        mnemonic: bool,
        /// Derivation path for --mnemonic (default m/44'/60'/0'/0/0).
        #[arg(long, requires = "mnemonic")]
        path: Option<String>,
    },
    /// List owner keys (addresses and labels).
    ///
    /// With --repair, first rebuild a lost or damaged list from the keychain's own entries:
    /// keys it no longer listed come back as "Recovered key 0x…" (their labels were lost),
    /// a damaged file is kept next to it, and no key in the keychain is changed.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Rebuild the list from the keychain's entries first.
        #[arg(long)]
        repair: bool,
    },
    /// Rename an owner key.
    Rename {
        /// The key's address.
        address: Address,
        /// The new label.
        label: String,
    },
    /// Select the owner key Warden uses by default.
    Select {
        /// The key's address.
        address: Address,
    },
    /// Delete an owner key for good. It cannot be exported first: make sure the account
    /// has another owner or holds nothing.
    Delete {
        /// The key's address.
        address: Address,
        /// Confirm the deletion.
        #[arg(long)]
        yes: bool,
    },
}

/// Where the non-secret owner-key list lives: `WARDEN_CONFIG_DIR`, else
/// `$XDG_CONFIG_HOME/warden`, else `~/.config/warden` (the app uses the same folder).
pub fn config_dir() -> Result<PathBuf, Failure> {
    warden_keychain::default_config_dir()
        .ok_or_else(|| Failure::bad_input("cannot tell where to keep settings: set WARDEN_CONFIG_DIR or HOME"))
}

/// Opens the keychain for this build's namespace (`WARDEN_KEYCHAIN_NAMESPACE` overrides).
pub fn open() -> Result<Keychain, Failure> {
    let namespace = Namespace::from_env().map_err(|e| Failure::bad_input(e.to_string()))?;
    let dir = config_dir()?;
    std::fs::create_dir_all(&dir).map_err(|e| Failure::refused(format!("cannot create {}: {e}", dir.display())))?;
    Keychain::open(namespace, &dir).map_err(keychain_failure)
}

/// A keychain error as a one-line failure: bad input exits 2, everything else 1.
pub fn keychain_failure(e: KeychainError) -> Failure {
    let code = e.code();
    let msg = format!("{code}: {e}");
    if code == ErrorCode::InvalidInput { Failure::bad_input(msg) } else { Failure::refused(msg) }
}

fn read_secret(prompt: &str) -> Result<SecretString, Failure> {
    let mut text = String::new();
    if std::io::stdin().is_terminal() {
        text = rpassword::prompt_password(prompt)
            .map_err(|e| Failure::bad_input(format!("cannot read the secret: {e}")))?;
    } else {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::bad_input(format!("cannot read stdin: {e}")))?;
    }
    let secret = SecretString::new(text.trim().to_owned());
    zeroize::Zeroize::zeroize(&mut text);
    if secret.expose().is_empty() {
        return Err(Failure::bad_input("no secret given: pipe it on stdin or type it at the prompt"));
    }
    Ok(secret)
}

pub fn run(cmd: KeyCommand) -> CmdResult {
    let keychain = open()?;
    match cmd {
        KeyCommand::New { label } => {
            let info = keychain.create_owner_key(label.as_deref()).map_err(keychain_failure)?;
            print_json(&json!(info))
        }
        KeyCommand::Import { label, mnemonic, path } => {
            let info = if mnemonic {
                let phrase = read_secret("Mnemonic phrase: ")?;
                keychain.import_owner_key(
                    OwnerKeySource::Mnemonic { phrase: &phrase, derivation_path: path.as_deref() },
                    label.as_deref(),
                )
            } else {
                let hex = read_secret("Private key (0x hex): ")?;
                keychain.import_owner_key(OwnerKeySource::PrivateKeyHex(&hex), label.as_deref())
            }
            .map_err(keychain_failure)?;
            print_json(&json!(info))
        }
        KeyCommand::List { json, repair: true } => {
            let repair = keychain.repair_owner_key_index().map_err(keychain_failure)?;
            if json {
                return print_json(&json!(repair));
            }
            crate::input::print_text(&repair_report(&repair, keychain.index_path()))
        }
        KeyCommand::List { json, repair: false } => {
            let keys = keychain.list_owner_keys().map_err(keychain_failure)?;
            if json {
                return print_json(&json!(keys));
            }
            let mut out = String::new();
            for k in &keys {
                let mark = if k.selected { "*" } else { " " };
                out.push_str(&format!("{mark} {}  {}\n", k.address.to_checksum(None), k.label));
            }
            if keys.is_empty() {
                out.push_str("no owner keys yet: create one with `warden key new` or `warden key import`\n");
            }
            crate::input::print_text(&out)
        }
        KeyCommand::Rename { address, label } => {
            let info = keychain.rename_owner_key(address, &label).map_err(keychain_failure)?;
            print_json(&json!(info))
        }
        KeyCommand::Select { address } => {
            let info = keychain.select_owner_key(address).map_err(keychain_failure)?;
            print_json(&json!(info))
        }
        KeyCommand::Delete { address, yes } => {
            let confirmation = if yes { Confirmation::Confirmed } else { Confirmation::NotConfirmed };
            keychain.delete_owner_key(address, confirmation).map_err(|e| match e {
                KeychainError::NotConfirmed { .. } => {
                    Failure::bad_input(format!("{e}; add --yes to delete {address} for good"))
                }
                other => keychain_failure(other),
            })?;
            print_json(&json!({ "deleted": address.to_checksum(None) }))
        }
    }
}

/// What `warden key list --repair` found and did, in words, then the list.
fn repair_report(repair: &IndexRepair, path: &std::path::Path) -> String {
    let mut out = String::new();
    if let Some(damage) = &repair.damage {
        out.push_str(&format!("the list {} was damaged: {damage}\n", path.display()));
    }
    if let Some(aside) = &repair.set_aside {
        out.push_str(&format!("the damaged list is kept as {}\n", aside.display()));
    }
    out.push_str(if repair.written {
        "rebuilt the list of owner keys from the keychain:\n"
    } else {
        "the list of owner keys matches the keychain; nothing to repair:\n"
    });
    for k in &repair.keys {
        let mark = if k.key.selected { "*" } else { " " };
        let state = match &k.state {
            RepairedState::Kept => "kept".to_owned(),
            RepairedState::Recovered => "recovered from the keychain (its label was lost)".to_owned(),
            RepairedState::MissingFromKeychain => {
                "not in the keychain: it cannot sign (`warden key delete` removes it from the list)".to_owned()
            }
            RepairedState::Unusable { reason } => format!("unusable: {reason}"),
        };
        out.push_str(&format!("{mark} {}  {}  ({state})\n", k.key.address.to_checksum(None), k.key.label));
    }
    if repair.keys.is_empty() {
        out.push_str("no owner keys in the keychain\n");
    }
    for s in &repair.skipped {
        out.push_str(&format!("not listed: keychain entry {}: {}\n", s.account, s.reason));
    }
    out
}

/// An owner key's address: `--owner` as an address or a label, else the selected key.
pub fn owner_key(keychain: &Keychain, owner: Option<&str>) -> Result<Address, Failure> {
    let keys = keychain.list_owner_keys().map_err(keychain_failure)?;
    let found = match owner {
        Some(text) => match text.parse::<Address>() {
            Ok(a) => keys.iter().find(|k| k.address == a),
            Err(_) => keys.iter().find(|k| k.label == text),
        }
        .ok_or_else(|| {
            Failure::bad_input(format!(
                "--owner {text}: no owner key with this address or label in the keychain (see `warden key list`)"
            ))
        })?,
        None => keys.iter().find(|k| k.selected).ok_or_else(|| {
            Failure::bad_input(
                "no owner key selected: create one with `warden key new`, import one with `warden key import`, or pass --owner",
            )
        })?,
    };
    Ok(found.address)
}
