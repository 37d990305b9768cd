//! `format: byte` and `format: base64url` fields: base64 text on the
//! wire, bytes in Rust.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A newtype of bytes written with `encode` and read in either alphabet.
macro_rules! base64_bytes {
    ($(#[$doc:meta])* $name:ident, $encode:path) => {
        $(#[$doc])*
        #[derive(Clone, Default, PartialEq, Eq, Hash)]
        pub struct $name(pub Vec<u8>);

        // The length only: bytes are often keys or certificates.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({} bytes)", stringify!($name), self.0.len())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&$encode(&self.0))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                read(deserializer).map(Self)
            }
        }
    };
}

base64_bytes!(
    /// Bytes carried as base64 text (`format: byte`).
    Base64,
    azure_core::base64::encode
);

base64_bytes!(
    /// Bytes carried as base64url text (`format: base64url`: the URL-safe
    /// alphabet, unpadded, as in JSON Web Keys). Read in either alphabet.
    Base64Url,
    azure_core::base64::encode_url_safe
);

fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
    azure_core::base64::decode(text.as_bytes())
        .ok()
        .or_else(|| decode_lenient(&text))
        .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not base64")))
}

/// Decodes base64 as services write it beyond the canonical form: the
/// standard or the URL-safe alphabet, with or without padding, line
/// breaks, and trailing bits a canonical encoder would have left zero.
fn decode_lenient(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut padding = false;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        if padding {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // One character alone cannot make a byte.
    (bits < 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_canonical_and_lenient_forms() {
        let canonical: Result<Base64, _> = serde_json::from_str("\"aGVsbG8=\"");
        assert_eq!(canonical.ok().map(|b| b.0), Some(b"hello".to_vec()));
        for text in ["aGVsbG8", "aGVsbG9=", "aGVs\nbG8="] {
            assert_eq!(decode_lenient(text), Some(b"hello".to_vec()), "{text}");
        }
        assert_eq!(decode_lenient("-_8"), decode_lenient("+/8"));
        assert_eq!(decode_lenient("abcde"), None);
        assert_eq!(decode_lenient("ab=c"), None);
        assert_eq!(decode_lenient("a.b"), None);
    }

    #[test]
    fn base64url_is_written_url_safe_and_unpadded() {
        let key = Base64Url(vec![0xfb, 0xff, 0xfe]);
        assert_eq!(serde_json::to_string(&key).ok(), Some("\"-__-\"".into()));
        let short = Base64Url(b"hi".to_vec());
        assert_eq!(serde_json::to_string(&short).ok(), Some("\"aGk\"".into()));
        let read: Result<Base64Url, _> = serde_json::from_str("\"-__-\"");
        assert_eq!(read.ok(), Some(key.clone()));
        let standard: Result<Base64Url, _> = serde_json::from_str("\"+//+\"");
        assert_eq!(standard.ok(), Some(key));
    }
}
