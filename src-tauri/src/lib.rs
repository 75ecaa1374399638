//! warden-app: the Tauri desktop shell of Warden.
//!
//! Everything a user sees runs in `ui/` (Svelte); everything that touches a key, the
//! network or the disk runs in Rust. What needs no Tauri lives in `warden_desk`
//! (`crates/desk`): every command's body, the approvals, the records, the settings, the
//! choice of backend and the embedded devnet, the servers' requests, the IPC payloads and
//! errors. This crate is what only Tauri can do:
//!
//! * [`commands`] — the `#[tauri::command]`s of the IPC contract, one module per area (one
//!   command per name, so each window's capability names exactly what it may call), each a
//!   call into `warden_desk`; plus the approval expiry timer, the background delivery of an
//!   approved request's answer, the loopback intake's sink and closing the app after a
//!   reset.
//! * [`host`] — [`host::TauriHost`], the desk's `Host` over Tauri: events, the calling
//!   window, the approval window, the native confirmation, save and open dialogs, the
//!   clipboard.
//! * [`state`] — what commands share: the desk's `AppState`, kept in `tauri::State`.
//! * [`intake`] — a permission request a launch's arguments carry, handed to the desk's
//!   queue; [`locations`] — the platform's app data folders.
//! * [`payloads`], [`error`], [`sensitive`], [`approvals`], [`records`], [`keychain_access`],
//!   [`settings`], [`embedded_devnet`], [`backend`] — re-exported from `warden_desk` under
//!   their old paths.
//!
//! Security configuration (CSP, capabilities, no global Tauri object) is in
//! `tauri.conf.json` and `capabilities/`, checked by `tests/security_config.rs`.
//! Where the webviews may go is in [`navigation`]; one
//! instance per keychain namespace in [`single_instance`]; the tray and notifications in
//! [`desktop`]; the release updater in [`updates`].

#[macro_use]
pub mod commands;
pub mod desktop;
pub mod host;
pub mod intake;
pub mod locations;
pub mod navigation;
pub mod single_instance;
pub mod state;
pub mod updates;

// The Tauri-free parts, kept under their old paths (`crate::payloads`, …) for the commands
// and for `tests/bindings.rs` (`warden_app::payloads::export_bindings`).
pub use warden_desk::{
    approvals, backend, embedded_devnet, error, keychain_access, payloads, records, sensitive, settings,
};

use tauri::{Manager, RunEvent};
use tracing::{error, info};
use warden_keychain::Namespace;

use crate::state::AppState;

/// The bundle identifier (`identifier` in tauri.conf.json; `tests/package_config.rs` checks
/// they agree).
pub const IDENTIFIER: &str = "dev.warden.Warden";

/// The `generate_handler!` of every command `commands/names.rs` declares.
macro_rules! command_handler {
    (main: [$($mm:ident :: $mc:ident),* $(,)?], approval: [$($am:ident :: $ac:ident),* $(,)?] $(,)?) => {
        tauri::generate_handler![$(commands::$mm::$mc,)* $(commands::$am::$ac,)*]
    };
}

/// Builds and runs the app until its last window closes. Returns an error only when the
/// app could not start at all.
pub fn run() -> Result<(), String> {
    init_logging();
    navigation::check_embedded_ui(|k| std::env::var(k).ok())?;
    let namespace = Namespace::from_env().map_err(|e| e.to_string())?;
    let context = tauri::generate_context!();
    let dev_url = if navigation::EMBEDDED_UI { None } else { context.config().build.dev_url.clone() };
    let app = tauri::Builder::default()
        // First, so a second launch hands over to the running app before anything else
        // starts (its devnet above all: two would share one state folder), then exits 0.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(single_instance::dbus_id(IDENTIFIER, &namespace))
                .callback(|app, argv, cwd| single_instance::handed_over(app, &argv, &cwd))
                .build(),
        )
        .plugin(navigation::guard(dev_url))
        // Used from Rust only (the save dialog of an export, the clipboard); no window's
        // capability grants their JavaScript commands.
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        // Used from Rust only: the desktop module's notifications, the release updater.
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(move |app| {
            let state = build_state(app.handle(), namespace.clone())?;
            let start_devnet = state.settings.load().backend == payloads::BackendKind::Devnet;
            app.manage(state);
            // Opened with a request link or file: kept until the main window takes it.
            let args: Vec<String> = std::env::args().collect();
            let cwd = std::env::current_dir().unwrap_or_default();
            if let Some(incoming) = intake::from_args(&args, &cwd) {
                intake::hand_over(&app.state::<AppState>().intake, app.handle(), incoming);
            }
            desktop::setup(app.handle());
            updates::check_when_configured(app.handle());
            exit_on_termination_signals(app.handle().clone());
            if start_devnet {
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    // Failures are reported to the UI by the first command that needs it.
                    let _ = handle.state::<AppState>().devnet.ensure_started().await;
                });
            }
            Ok(())
        })
        .invoke_handler(for_each_command!(command_handler))
        .build(context)
        .map_err(|e| format!("the app could not start: {e}"))?;
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            let handle = handle.clone();
            tauri::async_runtime::block_on(async move {
                if let Some(state) = handle.try_state::<AppState>() {
                    state.devnet.stop().await;
                }
            });
            info!("exited");
        }
    });
    Ok(())
}

/// SIGTERM, SIGINT and SIGHUP end the app the orderly way (`RunEvent::Exit`), so the
/// embedded devnet's anvil is stopped rather than orphaned.
fn exit_on_termination_signals(handle: tauri::AppHandle) {
    #[cfg(unix)]
    tauri::async_runtime::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int), Ok(mut hup)) =
            (signal(SignalKind::terminate()), signal(SignalKind::interrupt()), signal(SignalKind::hangup()))
        else {
            error!("cannot listen for termination signals; the devnet may outlive a killed app");
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
            _ = hup.recv() => {}
        }
        info!("termination signal: exiting");
        handle.exit(0);
    });
    #[cfg(not(unix))]
    let _ = handle;
}

fn build_state(app: &tauri::AppHandle, namespace: Namespace) -> Result<AppState, Box<dyn std::error::Error>> {
    let locations = locations::of_app(app)?;
    if let Some(legacy) = locations::legacy_dir(app) {
        warden_desk::locations::migrate_legacy(&legacy, &locations)?;
    }
    let settings = settings::SettingsStore::open(&locations.settings_file());
    info!(
        namespace = %namespace,
        config_dir = %locations.config.display(),
        data_dir = %locations.data.display(),
        state_dir = %locations.state.display(),
        "starting"
    );
    let records = records::Records::open(&locations.data).map_err(|e| e.message)?;
    Ok(AppState::new(namespace, locations, settings, records))
}

/// Logs to stderr; `RUST_LOG` filters (default: info for Warden's crates, warn otherwise).
/// Nothing Warden logs carries key material (the core crates' rule).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,warden_app=info,warden_devnet=info"));
    if tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init().is_err() {
        error!("logging was already set up");
    }
}
