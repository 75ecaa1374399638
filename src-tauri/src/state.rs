//! [`AppState`]: what every command reaches through `tauri::State`. It is the desk's
//! (`warden_desk::state`), built once in `setup` (it needs the app's data folder).

pub use warden_desk::state::AppState;
