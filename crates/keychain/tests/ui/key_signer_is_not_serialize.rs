// A signer handle must never be serializable (it could only ever leak what it points to).
fn assert_serialize<T: serde::Serialize>() {}

fn main() {
    assert_serialize::<warden_keychain::KeySigner>();
}
