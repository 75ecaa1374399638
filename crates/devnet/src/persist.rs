//! `--state DIR`: accounts, sessions, usage, gas policies, operations and the node's chain
//! state survive a restart.
//!
//! Two files, each written atomically (temp file in the same folder, fsync, rename):
//! `devnet.json` (the devnet's own state; session permissions in their wire form) and
//! `node-state.hex` (anvil's `anvil_dumpState`, the whole chain: large). They are loaded at
//! start, node state first, and written when something changed: every
//! [`crate::DevnetConfig::save_interval`] (5 s by default) while requests change things,
//! and once more when the devnet stops ([`crate::DevnetHandle::stop`]) — never per request.
//! A devnet killed (or dropped without `stop`) loses at most the changes of the last
//! interval. Without `--state` nothing is written.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256};
use serde::{Deserialize, Serialize};
use serde_json::json;
use warden_core::api::UuidV4;
use warden_core::permissions::{Permission, PermissionError, validate};

use crate::methods::policies::Policy;
use crate::methods::state::{Account, PreparedOp, SentOp, SentOps, Session, State, Usage};
use crate::node::{Node, NodeError};

const DEVNET_FILE: &str = "devnet.json";
const NODE_FILE: &str = "node-state.hex";
const FORMAT: u32 = 1;

/// Why state could not be saved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a devnet state file: {reason}")]
    Format { path: PathBuf, reason: String },
    #[error("{path}: session {session}: {source}")]
    Permissions {
        path: PathBuf,
        session: String,
        #[source]
        source: PermissionError,
    },
    #[error("node state: {0}")]
    Node(#[from] NodeError),
}

#[derive(Serialize, Deserialize)]
struct SessionFile {
    id: FixedBytes<16>,
    account: Address,
    key: Address,
    entity_id: u32,
    permissions: Vec<Permission>,
    expiry_sec: u64,
    install_call: Bytes,
    deferred_nonce: U256,
    digest: B256,
    installed: bool,
    revoked: bool,
    usage: Usage,
}

#[derive(Serialize, Deserialize)]
struct StateFile {
    format: u32,
    accounts: HashMap<Address, Account>,
    by_owner: HashMap<Address, Vec<Address>>,
    sessions: Vec<SessionFile>,
    #[serde(default)]
    policies: BTreeMap<UuidV4, Policy>,
    prepared: HashMap<B256, PreparedOp>,
    sent: HashMap<B256, SentOp>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
    move |source| PersistError::Io { path: path.to_path_buf(), source }
}

/// Writes `bytes` to `path` atomically: temp file, fsync, rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), PersistError> {
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io(path))?;
    if let Some(dir) = path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Saves the devnet's state and the node's into `dir`.
pub async fn save(dir: &Path, state: &State, node: &Node) -> Result<(), PersistError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let file = StateFile {
        format: FORMAT,
        accounts: state.accounts.clone(),
        by_owner: state.by_owner.clone(),
        sessions: state
            .sessions
            .values()
            .map(|s| SessionFile {
                id: s.id,
                account: s.account,
                key: s.key,
                entity_id: s.entity_id,
                permissions: s.permissions.iter().map(|p| p.to_wire()).collect(),
                expiry_sec: s.expiry_sec,
                install_call: s.install_call.clone(),
                deferred_nonce: s.deferred_nonce,
                digest: s.digest,
                installed: s.installed,
                revoked: s.revoked,
                usage: s.usage.clone(),
            })
            .collect(),
        policies: state.policies.clone(),
        prepared: state.prepared.clone(),
        sent: state.sent.to_map(),
    };
    let path = dir.join(DEVNET_FILE);
    let text = serde_json::to_vec_pretty(&file)
        .map_err(|e| PersistError::Format { path: path.clone(), reason: e.to_string() })?;
    let dump: String = node.typed("anvil_dumpState", json!([])).await?;
    write_atomically(&dir.join(NODE_FILE), dump.as_bytes())?;
    write_atomically(&path, &text)
}

/// Loads the node's state into `node` and returns the devnet's, if `dir` holds a saved state.
pub async fn load(dir: &Path, node: &Node) -> Result<Option<State>, PersistError> {
    let path = dir.join(DEVNET_FILE);
    let node_path = dir.join(NODE_FILE);
    if !path.exists() || !node_path.exists() {
        return Ok(None);
    }
    let dump = std::fs::read_to_string(&node_path).map_err(io(&node_path))?;
    node.request("anvil_loadState", json!([dump.trim()])).await?;
    let text = std::fs::read(&path).map_err(io(&path))?;
    let file: StateFile = serde_json::from_slice(&text)
        .map_err(|e| PersistError::Format { path: path.clone(), reason: e.to_string() })?;
    if file.format != FORMAT {
        return Err(PersistError::Format {
            path,
            reason: format!("format {} (this devnet reads {FORMAT})", file.format),
        });
    }
    let mut sessions = HashMap::new();
    for s in file.sessions {
        let set = validate(&s.permissions, s.account).map_err(|source| PersistError::Permissions {
            path: path.clone(),
            session: s.id.to_string(),
            source,
        })?;
        sessions.insert(
            s.id,
            Session {
                id: s.id,
                account: s.account,
                key: s.key,
                entity_id: s.entity_id,
                permissions: set.permissions().to_vec(),
                expiry_sec: s.expiry_sec,
                install_call: s.install_call,
                deferred_nonce: s.deferred_nonce,
                digest: s.digest,
                installed: s.installed,
                revoked: s.revoked,
                usage: s.usage,
            },
        );
    }
    Ok(Some(State {
        accounts: file.accounts,
        by_owner: file.by_owner,
        sessions,
        policies: file.policies,
        prepared: file.prepared,
        sent: SentOps::from_map(file.sent),
    }))
}
