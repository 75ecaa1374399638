// Every command the app defines, as the UI names them. Included by `build.rs` (which
// generates an `allow-<name>`/`deny-<name>` permission for each) and by `commands`, so
// the permission list and the code share one list; `tests/security_config.rs` checks that
// the main window's capability grants exactly these but the approval ones, and the approval
// windows' capability exactly those.
pub const COMMANDS: &[&str] = &[
    "app_info",
    "keychain_status",
    "keys_list",
    "keys_create",
    "keys_import_hex",
    "keys_import_mnemonic",
    "keys_select",
    "keys_rename",
    "keys_delete",
    "backend_status",
    "chains_list",
    "backend_use_alchemy",
    "backend_use_devnet",
    "backend_check",
    "account_get",
    "account_balance",
    "account_delegate",
    "devnet_fund",
    "permissions_check",
    "token_info",
    "selector_of",
    "grant_start",
    "sessions_list",
    "sessions_quarantined",
    "sessions_start_new_list",
    "session_usage",
    "session_test_call",
    "session_revoke",
    "session_forget",
    "session_export_preview",
    "session_export",
    "request_open",
    "request_open_file",
    "request_grant",
    "request_decline",
    "request_deliver",
    "request_answer_copy",
    "request_answer_save",
    "request_take_incoming",
    "intake_status",
    "intake_start",
    "intake_stop",
    "activity_list",
    "approval_pending",
    "approval_approve",
    "approval_reject",
];

/// The commands an approval window may call (its capability grants exactly these).
#[allow(dead_code)] // build.rs includes this file too and needs only COMMANDS.
pub const APPROVAL_COMMANDS: &[&str] = &["approval_pending", "approval_approve", "approval_reject"];
