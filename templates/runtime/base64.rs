//! `format: byte` fields: base64 on the wire, bytes in Rust.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes carried as base64 text.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Base64(pub Vec<u8>);

impl fmt::Debug for Base64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64({} bytes)", self.0.len())
    }
}

impl Serialize for Base64 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&azure_core::base64::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        azure_core::base64::decode(text.as_bytes())
            .map(Self)
            .map_err(|e| serde::de::Error::custom(format!("invalid base64: {e}")))
    }
}
