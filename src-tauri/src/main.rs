//! The `warden-app` binary: starts the desktop app (see the library for what it is).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    match warden_app::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("warden-app: {message}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}
