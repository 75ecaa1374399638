// A secret string must never be serializable: no JSON, no IPC payload, no store file.
fn assert_serialize<T: serde::Serialize>() {}

fn main() {
    assert_serialize::<warden_keychain::SecretString>();
}
