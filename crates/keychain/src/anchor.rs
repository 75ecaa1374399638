//! The activity log's outside anchor (`warden_core::activity::HeadAnchor`) in the keychain:
//! one entry, `activity-anchor` under the namespace, holding the log's newest
//! `{version, seq, hash}` — the same text as the log's own anchor file, nothing secret.
//!
//! It is the one entry Warden replaces in place (every append moves it); keys are still
//! written once and never overwritten. The owner-key repair ignores it (it lists
//! `owner-key:` entries only). Errors keep the store's classification (locked, denied,
//! unavailable, corrupt), so the activity screen can say why the check was not done.

use tracing::debug;
use warden_core::activity::{AnchorError, AnchoredHead, HeadAnchor};
use warden_core::error::Coded;

use crate::keychain::{Keychain, KeychainError};
use crate::namespace::Slot;
use crate::store::StoreError;

impl Keychain {
    /// The activity log's anchored head, or `None` when none is stored.
    pub fn activity_anchor(&self) -> Result<Option<AnchoredHead>, KeychainError> {
        let entries = self.entries();
        let text = match entries.read(Slot::ActivityAnchor) {
            Ok(text) => text,
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        AnchoredHead::from_text(&text).map(Some).map_err(|reason| {
            StoreError::Corrupt {
                service: entries.namespace().to_string(),
                account: Slot::ActivityAnchor.account(),
                reason,
            }
            .into()
        })
    }

    /// Stores `head` as the activity log's anchored head, replacing the one stored.
    pub fn set_activity_anchor(&self, head: AnchoredHead) -> Result<(), KeychainError> {
        self.entries().replace_record(Slot::ActivityAnchor, &head.to_text())?;
        debug!(seq = head.seq, "moved the activity log's keychain anchor");
        Ok(())
    }

    /// Removes the activity log's anchored head (none stored is not an error).
    pub fn delete_activity_anchor(&self) -> Result<(), KeychainError> {
        match self.entries().delete(Slot::ActivityAnchor) {
            Ok(()) | Err(StoreError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

fn anchor_error(e: KeychainError) -> AnchorError {
    AnchorError { code: e.code(), message: e.to_string() }
}

impl HeadAnchor for Keychain {
    fn load(&self) -> Result<Option<AnchoredHead>, AnchorError> {
        self.activity_anchor().map_err(anchor_error)
    }

    fn store(&self, head: AnchoredHead) -> Result<(), AnchorError> {
        self.set_activity_anchor(head).map_err(anchor_error)
    }

    fn clear(&self) -> Result<(), AnchorError> {
        self.delete_activity_anchor().map_err(anchor_error)
    }
}
