// Every command the app defines, as the UI names them. Included by `build.rs` (which
// generates an `allow-<name>`/`deny-<name>` permission for each) and by `commands`, so
// the permission list and the code share one list; `tests/security_config.rs` checks that
// the main window's capability grants exactly these.
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
    "account_get",
    "account_balance",
    "account_delegate",
    "devnet_fund",
];
