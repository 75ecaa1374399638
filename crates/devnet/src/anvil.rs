//! Finding and running the anvil node the devnet executes on.
//!
//! Discovery order:
//! 1. an explicit path (`--anvil`, or `WARDEN_ANVIL` for the app and the CLI);
//! 2. the sidecar: `anvil` next to the running executable. The installed package ships the
//!    pinned `@foundry-rs/anvil` binary there (beside `warden-app` and `warden`), and a
//!    build of the app copies it beside the built binaries too;
//! 3. in a debug build only, as a convenience for working from a checkout: the pinned npm
//!    package in the source tree (`crates/devnet/node`, a path fixed at compile time). A
//!    release build never looks into a source tree;
//! 4. `anvil` on `PATH`.
//!
//! When none is found the error lists every place that was tried, so a missing setup step
//! is obvious rather than a hang.
//!
//! The process is started on an ephemeral port (`--port 0`) and is ready when it prints
//! `Listening on 127.0.0.1:PORT`; its output is drained for as long as it runs (a full pipe
//! would stall it) and kept in the last few lines for error messages. It is killed when the
//! [`AnvilProcess`] is dropped, and on Linux also when the process that started it dies
//! (`setpriv --pdeathsig`). Left out: anvil's own `--state` (the devnet dumps and loads
//! node state itself, see `persist`).
//!
//! Two things of a default anvil make it slower with every block, and the devnet mines a
//! block per operation, so it starts anvil without them:
//!
//! * historical states on disk: past its in-memory window (the last 500 blocks' states),
//!   anvil writes every block's whole state as JSON into `~/.foundry/anvil/tmp`, a file
//!   that grows with the state, gigabytes over a few thousand operations, never removed
//!   when anvil is killed. The devnet passes `--max-persisted-states 0`: state is
//!   queryable at the last 500 blocks (older ones answer `BlockOutOfRangeError`), blocks,
//!   receipts and logs at every block;
//! * the EIP-2935 block-hash history contract ([`HISTORY_STORAGE_ADDRESS`], Prague): each
//!   block stores its parent's hash in one more of its 8,191 storage slots, and anvil
//!   rehashes the whole state trie every block, so each block costs more than the one
//!   before until the ring is full. [`drop_block_hash_history`] removes its code from the
//!   anvil the devnet started (a call to it then does nothing and stores nothing); the
//!   `BLOCKHASH` opcode still answers for the last 256 blocks, as on any chain.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// How long anvil may take to print its listening line.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// Lines of anvil output kept for error messages.
const TAIL_LINES: usize = 20;

/// The environment variable naming an explicit anvil binary (what `--anvil` also sets).
pub const ANVIL_ENV: &str = "WARDEN_ANVIL";

/// The EIP-2935 block-hash history contract (see the module docs).
pub const HISTORY_STORAGE_ADDRESS: alloy_primitives::Address =
    alloy_primitives::address!("0000F90827F1C53a10cb7A02335B175320002935");

/// Removes the EIP-2935 history contract's code from a node the devnet started, so blocks
/// stop adding storage to it (see the module docs). Its storage so far stays, and stops
/// growing.
pub async fn drop_block_hash_history(node: &crate::node::Node) -> Result<(), crate::node::NodeError> {
    if !node.code(HISTORY_STORAGE_ADDRESS).await?.is_empty() {
        node.set_code(HISTORY_STORAGE_ADDRESS, &alloy_primitives::Bytes::new()).await?;
    }
    Ok(())
}

/// Why no anvil could be started.
#[derive(Debug, thiserror::Error)]
pub enum AnvilError {
    /// An explicit `--anvil` path (or `WARDEN_ANVIL`) does not name an executable file.
    #[error("--anvil {path}: no such executable file")]
    ExplicitPathMissing { path: PathBuf },
    /// Nothing was found anywhere.
    #[error("no anvil binary found; tried {tried}. {hint}")]
    NotFound { tried: String, hint: &'static str },
    /// The process could not be spawned.
    #[error("could not start {path}: {source}")]
    Spawn {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The process exited before it was ready.
    #[error("{path} exited before listening ({status}); last output:\n{tail}")]
    ExitedEarly { path: PathBuf, status: String, tail: String },
    /// The process did not print its listening line in time.
    #[error("{path} did not report a listening address within {secs} s; last output:\n{tail}")]
    NotReady { path: PathBuf, secs: u64, tail: String },
}

/// The anvil `WARDEN_ANVIL` names, if it is set and not empty.
pub fn explicit_from_env() -> Option<PathBuf> {
    std::env::var_os(ANVIL_ENV).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// What a debug build (working from a checkout) suggests when nothing is found.
const DEV_HINT: &str = "Install the pinned one with `npm install --no-audit --no-fund` in crates/devnet/node (or scripts/setup.sh), put anvil on PATH, or pass --anvil PATH (WARDEN_ANVIL)";
/// What an installed build suggests: the package ships anvil beside the executable.
const INSTALLED_HINT: &str = "Warden's package ships anvil beside its executables: reinstall the package, put anvil on PATH, or pass --anvil PATH (WARDEN_ANVIL)";

/// npm's name for this platform's anvil package (`@foundry-rs/anvil-<os>-<arch>`).
fn npm_platform_package() -> Option<String> {
    let os = match std::env::consts::OS {
        "linux" => "linux",
        "macos" => "darwin",
        "windows" => "win32",
        _ => return None,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        _ => return None,
    };
    Some(format!("anvil-{os}-{arch}"))
}

/// The file name of anvil on this platform (also the sidecar's name once installed).
pub fn binary_name() -> &'static str {
    if cfg!(windows) { "anvil.exe" } else { "anvil" }
}

/// The pinned npm package's binary inside `node_dir` (the folder holding package.json). A
/// debug build only: a release build does not even carry the npm folder's name, so an
/// installed Warden cannot end up running an anvil out of some checkout's node_modules.
pub fn npm_anvil_path(node_dir: &Path) -> Option<PathBuf> {
    #[cfg(debug_assertions)]
    {
        let package = npm_platform_package()?;
        Some(node_dir.join("node_modules/@foundry-rs").join(package).join("bin").join(binary_name()))
    }
    #[cfg(not(debug_assertions))]
    {
        let _ = (node_dir, npm_platform_package);
        None
    }
}

/// The devnet's pinned npm folder in the source tree, in a debug build only: a release
/// build carries no path into the tree it was built from.
pub fn dev_node_dir() -> Option<PathBuf> {
    cfg!(debug_assertions).then(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("node"))
}

/// The folder of the running executable, where an installed Warden keeps its sidecar.
pub fn executable_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // A symlinked executable (e.g. /usr/local/bin/warden -> /opt/…/warden) keeps its
    // sidecar beside the real file.
    let exe = exe.canonicalize().unwrap_or(exe);
    exe.parent().map(Path::to_path_buf)
}

fn is_executable_file(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// Where [`discover`] looks, besides an explicit path.
#[derive(Clone, Debug, Default)]
pub struct SearchPlaces {
    /// The folder of the running executable (the sidecar's place).
    pub executable_dir: Option<PathBuf>,
    /// The source tree's pinned npm folder (debug builds only).
    pub dev_node_dir: Option<PathBuf>,
    /// The value of `PATH`.
    pub path_var: Option<OsString>,
}

impl SearchPlaces {
    /// The places of this process: its executable's folder, the source tree's npm folder
    /// when `dev_node_dir` is given (see [`dev_node_dir`]), and `PATH`.
    pub fn of_this_process(dev_node_dir: Option<PathBuf>) -> Self {
        Self { executable_dir: executable_dir(), dev_node_dir, path_var: std::env::var_os("PATH") }
    }
}

/// Finds anvil: `explicit`, then the sidecar, then (debug builds) the source tree's npm
/// package, then `PATH`; see the module docs.
pub fn discover(explicit: Option<&Path>, places: &SearchPlaces) -> Result<PathBuf, AnvilError> {
    if let Some(p) = explicit {
        return if is_executable_file(p) {
            Ok(p.to_path_buf())
        } else {
            Err(AnvilError::ExplicitPathMissing { path: p.to_path_buf() })
        };
    }
    let mut tried = Vec::new();
    let mut candidates = Vec::new();
    if let Some(dir) = &places.executable_dir {
        candidates.push(dir.join(binary_name()));
    }
    if let Some(p) = places.dev_node_dir.as_deref().and_then(npm_anvil_path) {
        candidates.push(p);
    }
    for p in candidates {
        if is_executable_file(&p) {
            return Ok(p);
        }
        tried.push(p.display().to_string());
    }
    if let Some(path) = &places.path_var {
        for dir in std::env::split_paths(path) {
            let p = dir.join(binary_name());
            if is_executable_file(&p) {
                return Ok(p);
            }
        }
    }
    tried.push("`anvil` on PATH".into());
    let hint = if places.dev_node_dir.is_some() { DEV_HINT } else { INSTALLED_HINT };
    Err(AnvilError::NotFound { tried: tried.join(", "), hint })
}

/// What to start anvil with.
#[derive(Clone, Debug)]
pub struct AnvilOptions {
    pub chain_id: u64,
    /// Interval mining in seconds; `None` = mine on every transaction.
    pub block_time: Option<u64>,
}

/// A running anvil, killed on drop.
#[derive(Debug)]
pub struct AnvilProcess {
    child: Child,
    url: String,
    path: PathBuf,
}

type Tail = Arc<Mutex<VecDeque<String>>>;

fn push_tail(tail: &Tail, line: String) {
    if let Ok(mut t) = tail.lock() {
        if t.len() == TAIL_LINES {
            t.pop_front();
        }
        t.push_back(line);
    }
}

fn tail_text(tail: &Tail) -> String {
    tail.lock().map(|t| t.iter().cloned().collect::<Vec<_>>().join("\n")).unwrap_or_default()
}

/// Drains a stream of anvil output into the tail, reporting the listening address once.
fn drain<R: AsyncRead + Unpin + Send + 'static>(
    stream: R,
    tail: Tail,
    ready: Option<tokio::sync::oneshot::Sender<String>>,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        let mut ready = ready;
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(addr) = line.strip_prefix("Listening on ")
                && let Some(tx) = ready.take()
            {
                let _ = tx.send(addr.trim().to_owned());
            }
            tracing::trace!(target: "warden_devnet::anvil", "{line}");
            push_tail(&tail, line);
        }
    });
}

/// On Linux, util-linux's `setpriv --pdeathsig KILL` makes the kernel kill anvil when the
/// process that started it dies, even by SIGKILL (when `kill_on_drop` never runs), so a
/// killed app or CLI leaves no node behind. Elsewhere, or without setpriv, anvil is started
/// directly and only `kill_on_drop` stops it.
fn parent_death_wrapper() -> Option<&'static Path> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    ["/usr/bin/setpriv", "/bin/setpriv"].into_iter().map(Path::new).find(|p| is_executable_file(p))
}

impl AnvilProcess {
    /// Starts anvil at `path` on 127.0.0.1 with an ephemeral port and waits until it listens.
    pub async fn spawn(path: &Path, opts: &AnvilOptions) -> Result<Self, AnvilError> {
        let mut cmd = match parent_death_wrapper() {
            Some(setpriv) => {
                let mut c = Command::new(setpriv);
                c.args(["--pdeathsig", "KILL", "--"]).arg(path);
                c
            }
            None => Command::new(path),
        };
        cmd.args(["--host", "127.0.0.1", "--port", "0", "--max-persisted-states", "0", "--chain-id"])
            .arg(opts.chain_id.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(s) = opts.block_time {
            cmd.arg("--block-time").arg(s.to_string());
        }
        let mut child = cmd.spawn().map_err(|source| AnvilError::Spawn { path: path.to_path_buf(), source })?;
        let tail: Tail = Arc::default();
        let (tx, rx) = tokio::sync::oneshot::channel();
        if let Some(out) = child.stdout.take() {
            drain(out, tail.clone(), Some(tx));
        }
        if let Some(err) = child.stderr.take() {
            drain(err, tail.clone(), None);
        }
        let addr = match tokio::time::timeout(READY_TIMEOUT, rx).await {
            Ok(Ok(addr)) => addr,
            Ok(Err(_)) => {
                // Output closed without a listening line: the process is gone or going.
                let status = match tokio::time::timeout(Duration::from_secs(2), child.wait()).await {
                    Ok(Ok(s)) => s.to_string(),
                    _ => "still running, output closed".into(),
                };
                return Err(AnvilError::ExitedEarly { path: path.to_path_buf(), status, tail: tail_text(&tail) });
            }
            Err(_) => {
                return Err(AnvilError::NotReady {
                    path: path.to_path_buf(),
                    secs: READY_TIMEOUT.as_secs(),
                    tail: tail_text(&tail),
                });
            }
        };
        Ok(Self { child, url: format!("http://{addr}"), path: path.to_path_buf() })
    }

    /// The node's JSON-RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The binary that runs.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }
}

impl Drop for AnvilProcess {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// An executable file named anvil in `dir`.
    fn fake_anvil(dir: &Path) -> PathBuf {
        let p = dir.join(binary_name());
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        p
    }

    /// `dir` laid out as the devnet's npm folder with anvil installed.
    fn fake_node_dir(dir: &Path) -> PathBuf {
        let bin = npm_anvil_path(dir).unwrap();
        std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
        fake_anvil(bin.parent().unwrap())
    }

    #[test]
    fn explicit_path_must_exist() {
        let err = discover(Some(Path::new("/nonexistent/anvil")), &SearchPlaces::default()).unwrap_err();
        assert!(matches!(err, AnvilError::ExplicitPathMissing { .. }), "{err}");
        assert!(err.to_string().contains("/nonexistent/anvil"), "{err}");
    }

    #[test]
    fn explicit_path_wins_over_the_sidecar() {
        let exe = tempfile::tempdir().unwrap();
        let mine = tempfile::tempdir().unwrap();
        fake_anvil(exe.path());
        let explicit = fake_anvil(mine.path());
        let places = SearchPlaces { executable_dir: Some(exe.path().into()), ..SearchPlaces::default() };
        assert_eq!(discover(Some(&explicit), &places).unwrap(), explicit);
    }

    #[test]
    fn the_sidecar_beside_the_executable_comes_before_the_source_tree_and_path() {
        let exe = tempfile::tempdir().unwrap();
        let node = tempfile::tempdir().unwrap();
        let on_path = tempfile::tempdir().unwrap();
        let sidecar = fake_anvil(exe.path());
        let npm = fake_node_dir(node.path());
        fake_anvil(on_path.path());
        let mut places = SearchPlaces {
            executable_dir: Some(exe.path().into()),
            dev_node_dir: Some(node.path().into()),
            path_var: Some(on_path.path().as_os_str().to_owned()),
        };
        assert_eq!(discover(None, &places).unwrap(), sidecar);
        places.executable_dir = None;
        assert_eq!(discover(None, &places).unwrap(), npm, "then the checkout's pinned package");
        places.dev_node_dir = None;
        assert_eq!(discover(None, &places).unwrap(), on_path.path().join(binary_name()), "then PATH");
    }

    #[test]
    fn nothing_found_lists_what_was_tried() {
        let dir = tempfile::tempdir().unwrap();
        let places = SearchPlaces {
            executable_dir: Some(dir.path().join("bin")),
            dev_node_dir: Some(dir.path().into()),
            path_var: Some(dir.path().as_os_str().to_owned()),
        };
        let err = discover(None, &places).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, AnvilError::NotFound { .. }), "{msg}");
        assert!(msg.contains(&dir.path().join("bin").join(binary_name()).display().to_string()), "{msg}");
        assert!(msg.contains("node_modules/@foundry-rs/anvil-") && msg.contains("on PATH"), "{msg}");
        assert!(msg.contains("npm install --no-audit --no-fund"), "{msg}");
    }

    #[test]
    fn an_installed_build_points_at_the_package_not_a_source_tree() {
        let dir = tempfile::tempdir().unwrap();
        let places = SearchPlaces { executable_dir: Some(dir.path().into()), dev_node_dir: None, path_var: None };
        let msg = discover(None, &places).unwrap_err().to_string();
        assert!(!msg.contains("node_modules") && !msg.contains("npm"), "{msg}");
        assert!(msg.contains("reinstall the package"), "{msg}");
    }

    #[test]
    fn only_a_debug_build_knows_the_source_tree() {
        assert_eq!(dev_node_dir().is_some(), cfg!(debug_assertions));
    }

    #[test]
    fn npm_path_names_the_platform_package() {
        let p = npm_anvil_path(Path::new("/x")).unwrap();
        let s = p.to_string_lossy();
        assert!(s.starts_with("/x/node_modules/@foundry-rs/anvil-"), "{s}");
        assert!(s.ends_with("/bin/anvil") || s.ends_with("/bin/anvil.exe"), "{s}");
    }
}
