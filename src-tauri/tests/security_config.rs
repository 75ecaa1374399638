#![allow(clippy::unwrap_used)]
//! The app's security configuration, checked so that it cannot regress unnoticed:
//! an explicit CSP with no `unsafe-eval`, no inline scripts and no remote sources; no
//! global Tauri object; nothing "dangerous"; no remote URL loaded or granted IPC; and
//! capabilities that grant each window exactly the app commands it needs plus only the
//! plugin permissions the UI uses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use warden_app::commands::{APPROVAL_COMMANDS, COMMANDS};

/// Plugin permissions the UI uses: `listen`/`unlisten` for the `progress` event. Adding
/// one here is a security decision; say why in the capability's description.
const ALLOWED_PLUGIN_PERMISSIONS: &[&str] = &["core:event:allow-listen", "core:event:allow-unlisten"];

/// The app commands each window needs: the approval window answers approvals and nothing
/// else; the main window runs every other screen and cannot answer an approval.
fn commands_per_window() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    BTreeMap::from([
        ("main", COMMANDS.iter().copied().filter(|c| !APPROVAL_COMMANDS.contains(c)).collect()),
        ("approval", APPROVAL_COMMANDS.iter().copied().collect()),
    ])
}

/// Windows the app creates at run time (not in `tauri.conf.json`), and the source file
/// that creates each — checked so a renamed label cannot silently lose its capability.
const CREATED_WINDOWS: &[(&str, &str)] = &[("approval", "../crates/desk/src/approvals.rs")];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn config() -> Value {
    read_json(&manifest_dir().join("tauri.conf.json"))
}

fn capabilities() -> BTreeMap<String, Value> {
    let dir = manifest_dir().join("capabilities");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(
            path.extension().and_then(|e| e.to_str()),
            Some("json"),
            "{}: capabilities must be JSON files (so this test reads them all)",
            path.display()
        );
        let cap = read_json(&path);
        let id = cap["identifier"].as_str().unwrap().to_owned();
        assert!(out.insert(id.clone(), cap).is_none(), "capability {id} defined twice");
    }
    out
}

/// `directive -> sources` from the config's CSP (a directive map or a policy string).
fn csp_directives(csp: &Value) -> BTreeMap<String, Vec<String>> {
    match csp {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let sources = match v {
                    Value::String(s) => s.split_whitespace().map(str::to_owned).collect(),
                    Value::Array(items) => items.iter().map(|i| i.as_str().unwrap().to_owned()).collect(),
                    other => panic!("CSP directive {k} has an unexpected value {other}"),
                };
                (k.to_ascii_lowercase(), sources)
            })
            .collect(),
        Value::String(policy) => policy
            .split(';')
            .filter(|d| !d.trim().is_empty())
            .map(|d| {
                let mut parts = d.split_whitespace();
                let name = parts.next().unwrap().to_ascii_lowercase();
                (name, parts.map(str::to_owned).collect())
            })
            .collect(),
        other => panic!("the CSP must be set explicitly, found {other}"),
    }
}

fn is_loopback_http(url: &str) -> bool {
    ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"].iter().any(|p| url.starts_with(p))
}

/// Every string anywhere in `v`, with its JSON path.
fn strings<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::String(s) => out.push((path, s)),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, x)| strings(x, format!("{path}[{i}]"), out)),
        Value::Object(map) => map.iter().for_each(|(k, x)| strings(x, format!("{path}.{k}"), out)),
        _ => {}
    }
}

fn keys<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Array(items) => items.iter().for_each(|x| keys(x, out)),
        Value::Object(map) => map.iter().for_each(|(k, x)| {
            out.push(k);
            keys(x, out)
        }),
        _ => {}
    }
}

#[test]
fn csp_is_explicit_and_strict() {
    let config = config();
    let d = csp_directives(&config["app"]["security"]["csp"]);
    assert_eq!(d.get("default-src").map(Vec::as_slice), Some(&["'self'".to_owned()][..]), "default-src 'self'");
    assert_eq!(
        d.get("script-src").map(Vec::as_slice),
        Some(&["'self'".to_owned()][..]),
        "script-src must be exactly 'self': no inline scripts, no eval, no remote scripts"
    );
    assert_eq!(d.get("object-src").map(Vec::as_slice), Some(&["'none'".to_owned()][..]));
    assert_eq!(d.get("base-uri").map(Vec::as_slice), Some(&["'none'".to_owned()][..]));
    assert_eq!(d.get("frame-ancestors").map(Vec::as_slice), Some(&["'none'".to_owned()][..]));
    for (name, sources) in &d {
        for s in sources {
            let lower = s.to_ascii_lowercase();
            assert!(
                ![
                    "'unsafe-eval'",
                    "'wasm-unsafe-eval'",
                    "'unsafe-hashes'",
                    "*",
                    "https:",
                    "http:",
                    "blob:",
                    "filesystem:"
                ]
                .contains(&lower.as_str()),
                "CSP {name} allows {s}"
            );
            if name.starts_with("script") || name == "default-src" {
                assert_ne!(lower, "'unsafe-inline'", "CSP {name} allows inline scripts");
                assert_ne!(lower, "data:", "CSP {name} allows data: scripts");
            }
            // Sources are keywords, schemes of the app itself, or the IPC origin: never a host.
            let allowed =
                lower.starts_with('\'') || ["data:", "ipc:", "http://ipc.localhost"].contains(&lower.as_str());
            assert!(allowed, "CSP {name} names a source that is not the app itself: {s}");
        }
    }
    assert!(config["app"]["security"].get("devCsp").is_none(), "no separate, looser dev CSP");
}

#[test]
fn no_global_tauri_and_nothing_dangerous() {
    let config = config();
    assert_eq!(config["app"]["withGlobalTauri"], Value::Bool(false), "withGlobalTauri must be explicitly false");
    let mut all_keys = Vec::new();
    keys(&config, &mut all_keys);
    for k in all_keys {
        assert!(!k.to_ascii_lowercase().starts_with("dangerous"), "tauri.conf.json sets {k}");
    }
    let security = &config["app"]["security"];
    assert_eq!(security["assetProtocol"]["enable"], Value::Bool(false), "the asset protocol stays off");
    // A frozen Object.prototype: a script that got in cannot poison what the UI's objects
    // inherit. The page tests run the UI under the same freeze (ui/tests/pages/harness.ts).
    assert_eq!(security["freezePrototype"], Value::Bool(true), "freezePrototype must be on");
}

#[test]
fn no_remote_url_is_loaded() {
    let config = config();
    let dist = config["build"]["frontendDist"].as_str().unwrap();
    assert!(!dist.contains("://"), "frontendDist must be the built UI on disk, not a URL: {dist}");
    if let Some(dev) = config["build"].get("devUrl").and_then(Value::as_str) {
        assert!(is_loopback_http(dev), "devUrl may only be a loopback dev server: {dev}");
    }
    for window in config["app"]["windows"].as_array().unwrap() {
        if let Some(url) = window.get("url").and_then(Value::as_str) {
            assert!(!url.contains("://"), "window {} loads a URL: {url}", window["label"]);
        }
    }
    let mut all = Vec::new();
    strings(&config, String::new(), &mut all);
    for (path, s) in all {
        // devUrl is checked above; the homepage is package metadata (the .deb's Homepage
        // field, AppStream), never loaded by the app.
        if path == ".build.devUrl" || path == ".bundle.homepage" {
            continue;
        }
        for token in s.to_ascii_lowercase().split_whitespace() {
            let url = token.contains("://");
            assert!(!url || token == "http://ipc.localhost", "tauri.conf.json {path} names a remote URL: {token}");
        }
    }
}

#[test]
fn capabilities_are_listed_and_per_window() {
    let config = config();
    let listed: BTreeSet<String> = config["app"]["security"]["capabilities"]
        .as_array()
        .expect("app.security.capabilities lists the capabilities explicitly")
        .iter()
        .map(|c| c.as_str().expect("capabilities are referenced by identifier").to_owned())
        .collect();
    let defined = capabilities();
    assert_eq!(listed, defined.keys().cloned().collect(), "every capability file is listed, and only those");

    let mut labels: BTreeSet<String> =
        config["app"]["windows"].as_array().unwrap().iter().map(|w| w["label"].as_str().unwrap().to_owned()).collect();
    for (label, source) in CREATED_WINDOWS {
        let text = std::fs::read_to_string(manifest_dir().join(source)).unwrap();
        assert!(text.contains(&format!("APPROVAL_WINDOW: &str = \"{label}\"")), "{source} names window {label}");
        labels.insert((*label).to_owned());
    }
    let needs = commands_per_window();
    assert_eq!(labels, needs.keys().map(|l| (*l).to_owned()).collect(), "the windows this test knows");

    let mut granted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (id, cap) in &defined {
        assert!(cap.get("remote").is_none(), "capability {id} grants IPC to remote URLs");
        assert_ne!(cap.get("local"), Some(&Value::Bool(false)), "capability {id} is not for local content");
        assert!(cap.get("webviews").is_none(), "capability {id}: grant by window label only");
        assert!(cap.get("platforms").is_none(), "capability {id} applies on every platform");
        let windows: Vec<&str> = cap["windows"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
        for w in &windows {
            assert!(!w.contains('*'), "capability {id} names windows by pattern {w}");
            assert!(labels.contains(*w), "capability {id} names unknown window {w}");
        }
        for p in cap["permissions"].as_array().unwrap() {
            let p = p.as_str().unwrap_or_else(|| panic!("capability {id}: scoped permission objects are not expected"));
            if p.contains(':') {
                assert!(ALLOWED_PLUGIN_PERMISSIONS.contains(&p), "capability {id} grants plugin permission {p}");
            } else {
                for permission in app_permission_resolved(p) {
                    let command = permission.strip_prefix("allow-").unwrap_or_else(|| panic!("capability {id}: {p}"));
                    let command = command.replace('-', "_");
                    assert!(COMMANDS.contains(&command.as_str()), "capability {id} grants unknown command {command}");
                    for w in &windows {
                        granted.entry((*w).to_owned()).or_default().insert(command.clone());
                    }
                }
            }
        }
    }
    for (window, commands) in needs {
        let got: BTreeSet<&str> =
            granted.get(window).map(|s| s.iter().map(String::as_str).collect()).unwrap_or_default();
        assert_eq!(got, commands, "window {window} is granted exactly the commands it needs");
    }
}

/// An app permission as Tauri resolves it: a permission names itself; a set (such as
/// `main-window-commands`, which build.rs generates) its members, read from the ACL manifest
/// `tauri_build` wrote for this build, so what is checked is what the app enforces.
fn app_permission_resolved(name: &str) -> Vec<String> {
    if name.starts_with("allow-") || name.starts_with("deny-") {
        return vec![name.to_owned()];
    }
    let manifests = read_json(&manifest_dir().join("gen/schemas/acl-manifests.json"));
    let set = &manifests["__app-acl__"]["permission_sets"][name];
    let members = set["permissions"].as_array().unwrap_or_else(|| panic!("no app permission or set named {name}"));
    members.iter().map(|m| m.as_str().unwrap().to_owned()).collect()
}

#[test]
fn build_script_generates_permissions_for_exactly_the_commands() {
    let build_rs = std::fs::read_to_string(manifest_dir().join("build.rs")).unwrap();
    assert!(build_rs.contains("include!(\"src/commands/names.rs\")"), "build.rs takes the command list from names.rs");
    assert!(build_rs.contains("AppManifest::new().commands(COMMANDS)"), "build.rs declares the app manifest");
    let mut sorted = COMMANDS.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), COMMANDS.len(), "a command is listed twice");
}

#[test]
fn the_ui_page_has_no_inline_script_or_handler() {
    let index = manifest_dir().join("../ui/index.html");
    let Ok(html) = std::fs::read_to_string(&index) else {
        panic!("{} is missing: the UI is part of the app", index.display());
    };
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    let mut scripts = 0;
    while let Some(start) = rest.find("<script") {
        let tag_end = rest[start..].find('>').unwrap() + start;
        let tag = &rest[start..=tag_end];
        assert!(tag.contains(" src="), "ui/index.html has an inline script: {tag}");
        let close = rest[tag_end..].find("</script>").unwrap() + tag_end;
        assert!(rest[tag_end + 1..close].trim().is_empty(), "ui/index.html: a script with a src has a body");
        scripts += 1;
        rest = &rest[close..];
    }
    assert!(scripts > 0, "ui/index.html loads its script");
    for attr in [" onload=", " onclick=", " onerror=", "javascript:"] {
        assert!(!lower.contains(attr), "ui/index.html uses {attr}");
    }
}
