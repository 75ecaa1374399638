//! Whole-file writes that a crash cannot leave half done.
//!
//! The bytes go to a temporary file in the destination's own folder (same file system,
//! created with the final mode), which is fsynced and then renamed over — or, for
//! create-new, linked to — the destination; the folder is fsynced last so the rename itself
//! survives a power cut. A reader therefore sees the old file or the new one, never a mix,
//! and a process killed at any instant leaves at most a stray `.NAME.*.tmp` file behind
//! (see [`stray_temp_files`]).
//!
//! Used here by the activity log's head anchor, the credentials export and the list of
//! answered permission requests, and by the desktop app's session list and settings
//! (`warden_desk::store`, `warden_desk::settings`).
//! Left out: locking between processes (each file has one writing process: the app) and
//! appends (the activity log appends with `O_APPEND` itself).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Coded, ErrorCode};

/// What to do when the destination exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Replace it atomically.
    Replace,
    /// Refuse with [`AtomicWriteError::Exists`]; the existing file is untouched.
    Refuse,
}

/// Why a file was not written. The destination is unchanged in every case.
#[derive(Debug, thiserror::Error)]
pub enum AtomicWriteError {
    #[error("{path}: already exists; refusing to overwrite it")]
    Exists { path: PathBuf },
    #[error("{path}: cannot {action}: {source}")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
}

impl Coded for AtomicWriteError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Exists { .. } => ErrorCode::AlreadyExists,
            Self::Io { .. } => ErrorCode::StorageFailed,
        }
    }
}

/// The folder a path lives in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn temp_prefix(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!(".{name}.")
}

/// Writes `bytes` to `path` atomically, with unix permission bits `mode` (ignored
/// elsewhere). See the module docs.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32, existing: Existing) -> Result<(), AtomicWriteError> {
    let io = |action: &'static str| {
        move |source: std::io::Error| AtomicWriteError::Io { path: path.to_owned(), action, source }
    };
    if existing == Existing::Refuse && path.symlink_metadata().is_ok() {
        return Err(AtomicWriteError::Exists { path: path.to_owned() });
    }
    let dir = parent_dir(path);
    let prefix = temp_prefix(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut tmp = builder.tempfile_in(dir).map_err(io("create a temporary file next to it"))?;
    tmp.write_all(bytes).map_err(io("write"))?;
    tmp.as_file().sync_all().map_err(io("flush to disk"))?;
    let persisted = match existing {
        Existing::Replace => tmp.persist(path),
        Existing::Refuse => tmp.persist_noclobber(path),
    };
    persisted.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            AtomicWriteError::Exists { path: path.to_owned() }
        } else {
            AtomicWriteError::Io { path: path.to_owned(), action: "move the new file into place", source: e.error }
        }
    })?;
    sync_dir(dir).map_err(io("flush its folder to disk"))
}

/// Fsyncs a folder so a rename or a new entry in it is durable. A no-op where folders
/// cannot be opened as files.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Temporary files [`write_atomic`] left next to `path` when its process died mid-write.
pub fn stray_temp_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let prefix = temp_prefix(path);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(parent_dir(path))? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(".tmp") {
            out.push(entry.path());
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn replaces_or_refuses_and_keeps_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        write_atomic(&path, b"one", 0o600, Existing::Refuse).unwrap();
        let err = write_atomic(&path, b"two", 0o600, Existing::Refuse).unwrap_err();
        assert!(matches!(err, AtomicWriteError::Exists { .. }), "{err}");
        assert_eq!(err.code(), ErrorCode::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"three", 0o600, Existing::Replace).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"three");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            let other = dir.path().join("g");
            write_atomic(&other, b"x", 0o644, Existing::Refuse).unwrap();
            assert_eq!(std::fs::metadata(&other).unwrap().permissions().mode() & 0o777, 0o644);
        }
        assert!(stray_temp_files(&path).unwrap().is_empty());
    }

    #[test]
    fn a_missing_folder_is_an_io_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/f.json");
        let err = write_atomic(&path, b"x", 0o600, Existing::Replace).unwrap_err();
        assert_eq!(err.code(), ErrorCode::StorageFailed);
        assert!(err.to_string().contains("no/such/f.json"), "{err}");
    }

    #[test]
    fn a_dangling_symlink_counts_as_existing() {
        #[cfg(unix)]
        {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("link");
            std::os::unix::fs::symlink(dir.path().join("nowhere"), &path).unwrap();
            assert!(matches!(write_atomic(&path, b"x", 0o600, Existing::Refuse), Err(AtomicWriteError::Exists { .. })));
        }
    }
}
