//! Text that holds a secret, built without leaving copies behind.
//!
//! `Zeroizing<String>` wipes the buffer it ends with, but not the buffers a `String` or a
//! `Vec` outgrew on the way: each reallocation frees the old bytes unwiped. Serializing a
//! document that carries a private key (`serde_json::to_string`) therefore leaves pieces
//! of the key on the heap. [`WipingBuffer`] grows by copying into a new wiped buffer and
//! wiping the old one, and [`to_json`] serializes into it.
//!
//! Left out: copies a library makes internally (an HTTP stack's write buffer, a TLS
//! record), which are out of this crate's reach.

use std::io;

use serde::Serialize;
use zeroize::Zeroizing;

/// Smallest capacity a [`WipingBuffer`] grows to.
const MIN_CAPACITY: usize = 256;

/// A byte buffer that wipes every buffer it outgrows and, when dropped, the last one.
#[derive(Default)]
pub struct WipingBuffer(Zeroizing<Vec<u8>>);

impl WipingBuffer {
    /// An empty buffer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self(Zeroizing::new(Vec::with_capacity(capacity)))
    }

    /// Appends `data`, moving to a larger buffer (and wiping the old one) when needed.
    pub fn extend_from_slice(&mut self, data: &[u8]) {
        let needed = self.0.len() + data.len();
        if needed > self.0.capacity() {
            let capacity = needed.max(self.0.capacity() * 2).max(MIN_CAPACITY);
            let mut bigger = Zeroizing::new(Vec::with_capacity(capacity));
            bigger.extend_from_slice(&self.0);
            // The old buffer is dropped here, wiped.
            self.0 = bigger;
        }
        self.0.extend_from_slice(data);
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, in a buffer wiped when dropped.
    pub fn into_bytes(self) -> Zeroizing<Vec<u8>> {
        self.0
    }

    /// The bytes as text, or `None` when they are not UTF-8 (the bytes are wiped then).
    pub fn into_string(mut self) -> Option<Zeroizing<String>> {
        let bytes = std::mem::take(&mut *self.0);
        match String::from_utf8(bytes) {
            Ok(text) => Some(Zeroizing::new(text)),
            Err(e) => {
                drop(Zeroizing::new(e.into_bytes()));
                None
            }
        }
    }
}

impl io::Write for WipingBuffer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl std::fmt::Debug for WipingBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WipingBuffer({} bytes, <redacted>)", self.0.len())
    }
}

/// `value` as JSON (pretty when `pretty`), with no unwiped copy left on the heap. `None`
/// when `value` cannot be serialized (a map with non-string keys, a failing `Serialize`).
pub fn to_json<T: Serialize + ?Sized>(value: &T, pretty: bool) -> Option<Zeroizing<String>> {
    let mut buffer = WipingBuffer::with_capacity(4096);
    let written = if pretty {
        serde_json::to_writer_pretty(&mut buffer, value)
    } else {
        serde_json::to_writer(&mut buffer, value)
    };
    written.ok()?;
    buffer.into_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Write;

    #[test]
    fn grows_and_keeps_every_byte() {
        let mut buffer = WipingBuffer::default();
        for i in 0..2000u32 {
            write!(buffer, "{i},").unwrap();
        }
        let expected: String = (0..2000u32).map(|i| format!("{i},")).collect();
        assert_eq!(buffer.as_bytes(), expected.as_bytes());
        assert_eq!(buffer.into_string().unwrap().as_str(), expected);
        assert!(WipingBuffer::with_capacity(1).into_string().unwrap().is_empty());
        let mut bad = WipingBuffer::default();
        bad.extend_from_slice(&[0xff, 0xfe]);
        assert!(bad.into_string().is_none());
        assert_eq!(to_json(&serde_json::json!({"a": [1, 2]}), false).unwrap().as_str(), r#"{"a":[1,2]}"#);
    }
}
