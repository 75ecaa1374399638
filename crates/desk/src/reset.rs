//! Resetting Warden: removing everything it keeps on this computer, after showing what
//! that is. A person who gives the computer away, or starts over, should not have to know
//! the XDG folders and `secret-tool` to do it (the README documents the manual way too).
//!
//! [`plan`] lists what a reset removes, without reading a secret: the keychain entries
//! under the app's namespace ([`warden_keychain::KeychainInventory`]: owner keys by label
//! and address, session keys, the API key, anything else), and the files — the settings
//! and answered-request list in the config folder (the owner-key index goes with the
//! keychain entries), and everything in Warden's data and state folders (the session list,
//! the activity log, set-aside files, the devnet). [`remove_files`] then removes exactly
//! the files the plan listed, and reports the ones it could not.
//!
//! The command (`app_reset`) asks in a native dialog that names what goes, stops the
//! devnet, erases the keychain first (the part that matters most if something else fails)
//! and restarts the app into onboarding. Left out: the webview's own caches (not Warden's
//! data; the README names them) and other keychain namespaces (development builds).

use std::path::{Path, PathBuf};

use warden_keychain::KeychainInventory;

use crate::locations::{Locations, SETTINGS_FILE};
use crate::open_requests::ANSWERED_REQUESTS_FILE;

/// What a reset would remove.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResetPlan {
    pub keychain: KeychainInventory,
    /// Files and folders, each removed whole; only ones that exist.
    pub paths: Vec<PathBuf>,
}

impl ResetPlan {
    /// The plan in words, one line per kind of thing, for the confirmation dialog.
    pub fn summary(&self) -> Vec<String> {
        let k = &self.keychain;
        let mut lines = Vec::new();
        let owners = k.owner_keys.len() + k.unlisted_owner_keys.len();
        if owners > 0 {
            let names: Vec<String> = k
                .owner_keys
                .iter()
                .map(|o| format!("“{}” ({})", o.label, o.address))
                .chain(k.unlisted_owner_keys.iter().map(|a| format!("an unlisted key ({a})")))
                .collect();
            lines.push(format!("{} owner key{}: {}", owners, plural(owners), names.join(", ")));
        }
        if k.session_keys > 0 {
            lines.push(format!("{} session key{} Warden holds", k.session_keys, plural(k.session_keys)));
        }
        if k.api_key {
            lines.push("the Alchemy API key".to_owned());
        }
        if k.other_entries > 0 {
            lines.push(format!(
                "{} other keychain entr{}",
                k.other_entries,
                if k.other_entries == 1 { "y" } else { "ies" }
            ));
        }
        if !self.paths.is_empty() {
            lines.push(format!(
                "{} file{} and folder{}: the session list, the activity log, settings and the local devnet",
                self.paths.len(),
                plural(self.paths.len()),
                plural(self.paths.len())
            ));
        }
        lines
    }

    /// Whether there is nothing to remove.
    pub fn is_empty(&self) -> bool {
        self.keychain.is_empty() && self.paths.is_empty()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The files a reset removes in `locations`, given what the keychain holds.
pub fn plan(locations: &Locations, keychain: KeychainInventory) -> ResetPlan {
    let mut paths: Vec<PathBuf> = [SETTINGS_FILE, ANSWERED_REQUESTS_FILE]
        .iter()
        .map(|name| locations.config.join(name))
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    for folder in [&locations.data, &locations.state] {
        paths.extend(entries_of(folder));
    }
    ResetPlan { keychain, paths }
}

/// The entries of `folder`, sorted (none when it does not exist).
fn entries_of(folder: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> =
        std::fs::read_dir(folder).map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default();
    found.sort();
    found
}

/// Removes each of `paths` (a folder with everything in it; a symbolic link itself, never
/// what it points to). Returns the ones that could not be removed, with the reason; one
/// that is already gone is not a failure.
pub fn remove_files(paths: &[PathBuf]) -> Vec<(PathBuf, String)> {
    let mut failed = Vec::new();
    for path in paths {
        let result = match path.symlink_metadata() {
            Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
            Ok(_) => std::fs::remove_file(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = result
            && e.kind() != std::io::ErrorKind::NotFound
        {
            failed.push((path.clone(), e.to_string()));
        }
    }
    failed
}

/// The plan as the UI shows it (the view type lives with the other payloads in `warden_desk`).
impl From<&ResetPlan> for crate::payloads::ResetPlanView {
    fn from(plan: &ResetPlan) -> Self {
        let k = &plan.keychain;
        Self {
            owner_keys: k.owner_keys.iter().cloned().map(crate::payloads::OwnerKey::from).collect(),
            unlisted_owner_keys: k.unlisted_owner_keys.iter().map(|a| a.to_checksum(None)).collect(),
            session_keys: u32::try_from(k.session_keys).unwrap_or(u32::MAX),
            api_key: k.api_key,
            other_entries: u32::try_from(k.other_entries).unwrap_or(u32::MAX),
            paths: plan.paths.iter().map(|p| p.display().to_string()).collect(),
            summary: plan.summary(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use alloy_primitives::Address;

    fn locations(root: &Path) -> Locations {
        Locations { config: root.join("config"), data: root.join("data"), state: root.join("state") }
    }

    #[test]
    fn the_plan_lists_warden_files_only_and_removal_takes_exactly_those() {
        let root = tempfile::tempdir().unwrap();
        let at = locations(root.path());
        for dir in [&at.config, &at.data, &at.state] {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(at.config.join(SETTINGS_FILE), "{}").unwrap();
        std::fs::write(at.config.join(ANSWERED_REQUESTS_FILE), "[]").unwrap();
        // Something else a person keeps beside Warden's config: not Warden's to remove.
        std::fs::write(at.config.join("notes.txt"), "mine").unwrap();
        std::fs::write(at.data.join("sessions.json"), "{}").unwrap();
        std::fs::write(at.data.join("activity.jsonl"), "").unwrap();
        std::fs::create_dir_all(at.state.join("devnet")).unwrap();
        std::fs::write(at.state.join("devnet/state.json"), "{}").unwrap();
        // A link in the data folder is removed, never followed.
        let outside = root.path().join("outside.txt");
        std::fs::write(&outside, "keep").unwrap();
        std::os::unix::fs::symlink(&outside, at.data.join("link")).unwrap();

        let plan = plan(&at, KeychainInventory::default());
        let mut names: Vec<String> =
            plan.paths.iter().map(|p| p.strip_prefix(root.path()).unwrap().display().to_string()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "config/answered-requests.json",
                "config/settings.json",
                "data/activity.jsonl",
                "data/link",
                "data/sessions.json",
                "state/devnet"
            ]
        );
        assert!(remove_files(&plan.paths).is_empty());
        for p in &plan.paths {
            assert!(p.symlink_metadata().is_err(), "{} is gone", p.display());
        }
        assert_eq!(std::fs::read_to_string(at.config.join("notes.txt")).unwrap(), "mine");
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
        // Removing again: nothing left to fail on.
        assert!(remove_files(&plan.paths).is_empty());
    }

    #[test]
    fn a_fresh_computer_has_nothing_to_reset() {
        let root = tempfile::tempdir().unwrap();
        let plan = plan(&locations(root.path()), KeychainInventory::default());
        assert!(plan.is_empty());
        assert!(plan.summary().is_empty());
    }

    #[test]
    fn the_summary_names_each_owner_key_and_counts_the_rest() {
        let key: Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8".parse().unwrap();
        let plan = ResetPlan {
            keychain: KeychainInventory {
                owner_keys: vec![],
                unlisted_owner_keys: vec![key],
                session_keys: 2,
                api_key: true,
                other_entries: 1,
            },
            paths: vec![PathBuf::from("/x/sessions.json")],
        };
        let lines = plan.summary();
        assert_eq!(lines[0], format!("1 owner key: an unlisted key ({key})"));
        assert_eq!(lines[1], "2 session keys Warden holds");
        assert_eq!(lines[2], "the Alchemy API key");
        assert_eq!(lines[3], "1 other keychain entry");
        assert!(lines[4].starts_with("1 file and folder:"), "{}", lines[4]);
    }
}
