// What an owner key is imported from (hex key or mnemonic) must never be serializable.
fn assert_serialize<T: serde::Serialize>() {}

fn main() {
    assert_serialize::<warden_keychain::OwnerKeySource<'static>>();
}
