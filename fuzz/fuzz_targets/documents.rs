//! The documents Warden reads from files, links and servers: credentials, permission
//! requests (and answers to a fixed request), typed data.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = warden_core::credentials::SessionCredentials::parse(text);
    if let Ok(r) = warden_core::request::SessionRequest::parse_link_or_document(text, 1_800_000_000) {
        let _ = r.accept_answer(text, Some(text));
    }
    if let Ok(t) = serde_json::from_str::<warden_core::api::TypedDataDefinition>(text) {
        let _ = warden_core::signing::digest::typed_data_digest(&t);
    }
});
