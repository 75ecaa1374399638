// Every command the app defines, declared once: the module each lives in (under
// `commands`) and its name, which is the name the UI calls. This file is included by
// `build.rs` (which generates an `allow-<name>`/`deny-<name>` permission for each, and the
// `main-window-commands` set the main window's capability grants) and by `commands` (the
// name lists) and `lib.rs` (`generate_handler!`), so registering, permitting and granting a
// command all follow from one line here. `tests/security_config.rs` checks that the main
// window is granted exactly these but the approval ones, and the approval windows exactly
// those.
//
// A macro, because `build.rs` needs the names as strings and `generate_handler!` needs the
// functions as paths: `for_each_command!(m)` hands both lists to the macro `m`.
macro_rules! for_each_command {
    ($then:ident) => {
        $then! {
            // The main window: every screen but the approval window.
            main: [
                app::app_info,
                app::keychain_status,
                app::app_reset_plan,
                app::app_reset,
                keys::keys_list,
                keys::keys_create,
                keys::keys_import_hex,
                keys::keys_import_mnemonic,
                keys::keys_select,
                keys::keys_rename,
                keys::keys_delete,
                keys::keys_repair,
                backend::backend_status,
                backend::chains_list,
                backend::backend_use_alchemy,
                backend::backend_use_devnet,
                backend::backend_check,
                account::account_get,
                account::account_balance,
                account::account_delegate,
                account::devnet_fund,
                permissions::permissions_check,
                permissions::token_info,
                permissions::selector_of,
                grant::grant_start,
                sessions::sessions_list,
                sessions::sessions_quarantined,
                sessions::sessions_start_new_list,
                sessions::session_usage,
                sessions::session_test_call,
                sessions::session_revoke,
                sessions::session_forget,
                export::session_export_preview,
                export::session_export,
                requests::request_open,
                requests::request_open_file,
                requests::request_grant,
                requests::request_decline,
                requests::request_deliver,
                requests::request_answer_copy,
                requests::request_answer_save,
                requests::request_take_incoming,
                requests::intake_status,
                requests::intake_start,
                requests::intake_stop,
                activity::activity_list,
            ],
            // The approval windows: they read and answer the pending approval, nothing else.
            approval: [
                grant::approval_pending,
                grant::approval_approve,
                grant::approval_reject,
            ],
        }
    };
}

/// Turns the declared list into the name lists.
macro_rules! command_names {
    (main: [$($mm:ident :: $mc:ident),* $(,)?], approval: [$($am:ident :: $ac:ident),* $(,)?] $(,)?) => {
        /// Every command the app defines, as the UI names them.
        pub const COMMANDS: &[&str] = &[$(stringify!($mc),)* $(stringify!($ac),)*];
        /// The commands an approval window may call (its capability grants exactly these).
        pub const APPROVAL_COMMANDS: &[&str] = &[$(stringify!($ac),)*];
    };
}

for_each_command!(command_names);
