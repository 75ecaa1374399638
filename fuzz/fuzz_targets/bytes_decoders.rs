//! The MAv2 decoders over arbitrary bytes: install call, call data, permissions context.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = warden_core::mav2::install::decode_install_call(data);
    let _ = warden_core::mav2::calls::decode_calls(data);
    let _ = warden_core::mav2::context::Context::decode(data);
});
