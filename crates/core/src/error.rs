//! The one closed set of error codes that leave Warden's Rust code.
//!
//! Every module has its own `thiserror` enum with variants that carry the facts (which
//! permission, which field, both chain ids, …). What crosses a process boundary — the CLI's
//! exit status, the app's IPC `{code, message}` — is only an [`ErrorCode`] plus the
//! `Display` text, so the UI and scripts can branch on a stable, finite set of codes while
//! the message stays free to improve. The codes only the desktop app produces (a missing
//! owner key, an approval that timed out, …) are in the same set: there is no second list
//! to keep in step, and the UI's list of codes and their plain-words texts is generated from
//! this one (`warden_app::payloads::export_bindings`, behind the `ts` feature).
//!
//! Each code is declared once, in [`error_codes!`]'s invocation below, with its wire name
//! and the two sentences a person sees: what happened and what to do. Adding a code is an
//! API change; renaming one breaks clients, so don't.

use serde::{Deserialize, Serialize};

/// Declares [`ErrorCode`], its wire names, [`ErrorCode::ALL`] and the texts, from one list.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $name:ident = $wire:literal { summary: $summary:literal, action: $action:literal, }),* $(,)?) => {
        /// Stable, closed error code. Serialized in `snake_case`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $name,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$name,)*];

            /// The `snake_case` wire name of the code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$name => $wire,)*
                }
            }

            /// What happened, in one plain sentence for the person using Warden.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Self::$name => $summary,)*
                }
            }

            /// What to do about it, in plain words.
            pub fn action(self) -> &'static str {
                match self {
                    $(Self::$name => $action,)*
                }
            }
        }
    };
}

error_codes! {
    /// Input could not be parsed (bad JSON, wrong shape, bad hex).
    InvalidInput = "invalid_input" {
        summary: "Something entered is not valid.",
        action: "Check the value and try again.",
    },
    /// A permission set breaks a rule (protocol.md §6.2); the message names permission and field.
    InvalidPermissions = "invalid_permissions" {
        summary: "The requested permissions break a rule.",
        action: "Review the permissions and try again.",
    },
    /// Data returned by an endpoint does not match what was asked for (verify_grant,
    /// verify_prepared).
    VerificationFailed = "verification_failed" {
        summary: "The network's answer did not match the request, so Warden refused to sign it.",
        action: "Nothing was signed. Try again; if it keeps happening, the endpoint is misbehaving.",
    },
    /// Encoded data could not be decoded completely (unknown module, trailing bytes, …).
    DecodeFailed = "decode_failed" {
        summary: "Warden could not decode data it received.",
        action: "Nothing was signed. Try again, and report it if it keeps happening.",
    },
    /// A signature is malformed or does not recover to the expected signer.
    BadSignature = "bad_signature" {
        summary: "A signature did not check out.",
        action: "Nothing was sent. Try again.",
    },
    /// The endpoint answered with a JSON-RPC error.
    RpcError = "rpc_error" {
        summary: "The network refused the request.",
        action: "Read the details below, then try again. If it keeps failing, check the backend in Settings.",
    },
    /// The endpoint could not be reached, timed out, or answered with HTTP 5xx.
    Unavailable = "unavailable" {
        summary: "The network could not be reached.",
        action: "Check your internet connection (or that the local devnet is running) and try again.",
    },
    /// The endpoint is rate limiting (HTTP 429).
    RateLimited = "rate_limited" {
        summary: "The endpoint is limiting how many requests you can make.",
        action: "Wait a minute, then try again.",
    },
    /// The endpoint's answer was not valid JSON-RPC or was too large.
    BadResponse = "bad_response" {
        summary: "The endpoint sent an answer Warden could not read.",
        action: "Check the chain and API key in Settings, or try again later.",
    },
    /// The keychain has no such entry.
    KeyNotFound = "key_not_found" {
        summary: "That key is not in the keychain.",
        action: "It may have been removed outside Warden. Pick another key or import it again.",
    },
    /// The keychain is locked.
    KeychainLocked = "keychain_locked" {
        summary: "Your keychain is locked.",
        action: "Unlock it (your desktop keyring, usually with your login password), then try again.",
    },
    /// Access to the keychain entry was denied.
    KeychainDenied = "keychain_denied" {
        summary: "Access to the keychain was denied.",
        action: "Allow Warden when your system asks for access, then try again.",
    },
    /// No keychain service is available (no Secret Service, no session bus).
    KeychainUnavailable = "keychain_unavailable" {
        summary: "No keychain service is available.",
        action: "Warden keeps keys in the system keychain (Secret Service, such as GNOME Keyring). Start it, then try again.",
    },
    /// A keychain entry exists but does not hold a valid key.
    KeychainCorrupt = "keychain_corrupt" {
        summary: "A keychain entry exists but does not hold a valid key.",
        action: "Nothing was overwritten. Repair or remove the entry with your keyring tool, then try again.",
    },
    /// An entry already exists and will not be overwritten.
    AlreadyExists = "already_exists" {
        summary: "That key is already in Warden.",
        action: "Select it in the list of owner keys instead of adding it again.",
    },
    /// Something inside Warden went wrong that the caller cannot fix.
    Internal = "internal" {
        summary: "Something went wrong inside Warden.",
        action: "Try again. If it keeps happening, restart Warden.",
    },
    /// The endpoint refused calls because a session permission does not allow them (the
    /// message names the limit), or the account cannot pay for them.
    PermissionDenied = "permission_denied" {
        summary: "The session's permissions do not allow this call.",
        action: "The details name the limit or rule. Stay within it, or grant a new session with what the call needs.",
    },
    /// The session's expiry has passed.
    SessionExpired = "session_expired" {
        summary: "This session has expired.",
        action: "Its key can no longer act on the account. Grant a new session if it is still needed.",
    },
    /// The owner revoked the session.
    SessionRevoked = "session_revoked" {
        summary: "This session was revoked.",
        action: "Its key can no longer act on the account. Grant a new session if it is still needed.",
    },
    /// The endpoint does not know the session.
    UnknownSession = "unknown_session" {
        summary: "The network does not know this session.",
        action: "Check that the backend in Settings is the one the session was granted on, then try again.",
    },
    /// A send failed in transit: the operation may or may not have been accepted.
    OutcomeUnknown = "outcome_unknown" {
        summary: "The call may or may not have been sent.",
        action: "Check the session's usage and the activity log before trying again, so it is not sent twice.",
    },
    /// The calls were included but reverted, or were dropped.
    CallFailed = "call_failed" {
        summary: "The transaction failed.",
        action: "Read the details below, check the balance, and try again.",
    },
    /// The calls did not reach a final status in the time waited.
    CallTimeout = "call_timeout" {
        summary: "The call did not finish in the time Warden waited.",
        action: "It may still complete. Check the session's usage before sending it again.",
    },
    /// The app's data folder could not be read or written (permissions, disk full, …).
    StorageFailed = "storage_failed" {
        summary: "Warden could not read or write its data folder.",
        action: "Check that the disk has space and the folder is writable, then try again.",
    },
    /// A data file of the app is damaged or of a format this Warden does not read; the
    /// message names the problem and where the file was kept.
    StoreCorrupt = "store_corrupt" {
        summary: "A Warden data file is damaged or from a newer version.",
        action: "The damaged file was kept aside; the message names where. Nothing was overwritten.",
    },
    /// No session with this id in the app's list of sessions.
    SessionUnknown = "session_unknown" {
        summary: "Warden does not know that session.",
        action: "It may have been forgotten in another window. Reload the session list.",
    },
    /// Credentials could not be delivered (file not written, server unreachable or refusing).
    ExportFailed = "export_failed" {
        summary: "The export did not complete.",
        action: "Read the details below, then try again or pick another destination.",
    },
    /// The activity log was edited, reordered or truncated; the message names the entry.
    LogTampered = "log_tampered" {
        summary: "The activity log was changed outside Warden.",
        action: "Keep a copy of the log file for inspection; entries after the break cannot be trusted.",
    },
    /// A gas policy was asked to sponsor an operation and declined; nothing was signed.
    NotSponsored = "not_sponsored" {
        summary: "Your gas policy declined to pay for this operation, so the account would pay.",
        action: "Nothing was signed. Check the policy in Settings (Check connection), or fund the account and turn the policy off.",
    },
    /// A destructive command was sent without its explicit confirmation.
    NotConfirmed = "not_confirmed" {
        summary: "The action was not confirmed.",
        action: "Confirm it to go ahead.",
    },
    /// The command needs a selected owner key and there is none.
    NoOwnerKey = "no_owner_key" {
        summary: "No owner key is selected.",
        action: "Create or import an owner key first.",
    },
    /// The embedded local devnet did not start or stopped working.
    DevnetFailed = "devnet_failed" {
        summary: "The local devnet stopped working.",
        action: "Restart Warden to start a fresh local devnet.",
    },
    /// A devnet-only command (the faucet) was used on another backend.
    NotOnDevnet = "not_on_devnet" {
        summary: "The faucet only exists on the local devnet.",
        action: "Switch to the local devnet in Settings to use it.",
    },
    /// A 7702 account must be delegated before it can grant a session.
    NotDelegated = "not_delegated" {
        summary: "This EIP-7702 account is not delegated yet.",
        action: "Delegate it on the Account screen, then grant the session again.",
    },
    /// An approval request's time limit passed before it was answered.
    ApprovalExpired = "approval_expired" {
        summary: "This approval request timed out.",
        action: "Nothing was signed. Start the request again from the main window.",
    },
    /// No pending approval with this id.
    ApprovalUnknown = "approval_unknown" {
        summary: "Warden does not know this approval request.",
        action: "Nothing was signed. Start the request again from the main window.",
    },
    /// The approval was already answered (approvals are single-use).
    ApprovalUsed = "approval_used" {
        summary: "This approval request was already answered.",
        action: "Nothing more was signed. Check the session list in the main window.",
    },
    /// The grant did not verify against the request, so it cannot be approved.
    NotVerified = "not_verified" {
        summary: "The prepared grant does not match your request, so it cannot be approved.",
        action: "Nothing was signed. Reject it; if it keeps happening, the endpoint is misbehaving.",
    },
    /// An approval, signature or export could not be written to the activity log; the
    /// message says whether the action itself went ahead.
    NotRecorded = "not_recorded" {
        summary: "Warden could not write this to the activity log.",
        action: "The details say whether it was done anyway. Check that the disk has space and Warden's data folder is writable, then look at the Activity screen.",
    },
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Implemented by every error enum of the core: maps a variant to its stable code.
pub trait Coded {
    /// The stable code for this error.
    fn code(&self) -> ErrorCode;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_names() {
        for &c in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(c.as_str()));
            assert_eq!(serde_json::from_value::<ErrorCode>(serde_json::json!(c.as_str())).unwrap(), c);
        }
    }

    #[test]
    fn every_code_has_its_own_name_and_texts() {
        let mut names = std::collections::HashSet::new();
        let mut summaries = std::collections::HashSet::new();
        for &c in ErrorCode::ALL {
            assert!(names.insert(c.as_str()), "{c:?}: wire name used twice");
            assert!(summaries.insert(c.summary()), "{c:?}: summary shared with another code");
            assert!(c.summary().ends_with('.') && c.action().ends_with('.'), "{c:?}: full sentences");
        }
    }

    #[test]
    fn the_code_set_is_exactly_this() {
        // The closed contract: scripts and the UI branch on these names. Changing this list
        // is an API change, made on purpose.
        let names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        let contract = "invalid_input invalid_permissions verification_failed decode_failed bad_signature rpc_error \
                        unavailable rate_limited bad_response key_not_found keychain_locked keychain_denied \
                        keychain_unavailable keychain_corrupt already_exists internal permission_denied \
                        session_expired session_revoked unknown_session outcome_unknown call_failed call_timeout \
                        storage_failed store_corrupt session_unknown export_failed log_tampered not_sponsored \
                        not_confirmed no_owner_key devnet_failed not_on_devnet not_delegated approval_expired \
                        approval_unknown approval_used not_verified not_recorded";
        assert_eq!(names, contract.split_whitespace().collect::<Vec<_>>());
    }
}
