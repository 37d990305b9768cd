//! Timestamps: RFC 3339 (`date-time`) or RFC 1123 (`date-time-rfc1123`) on
//! the wire, `OffsetDateTime` in Rust.

use std::fmt;
use std::ops::Deref;

use azure_core::time::OffsetDateTime;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time, as these services write it (`date-time`).
///
/// Decoding accepts RFC 3339 and, since the legacy services sometimes omit
/// the offset, a timestamp without one is read as UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub OffsetDateTime);

impl DateTime {
    pub fn parse(s: &str) -> Option<Self> {
        if let Ok(t) = azure_core::time::parse_rfc3339(s) {
            return Some(Self(t));
        }
        // Services answer an RFC 1123 date where they document RFC 3339 now
        // and then; it is the same instant.
        if let Ok(t) = azure_core::time::parse_rfc7231(s) {
            return Some(Self(t));
        }
        // No offset: assume UTC.
        let has_offset =
            s.ends_with('Z') || s.ends_with('z') || s.rfind(['+', '-']).is_some_and(|i| i > 10);
        if has_offset {
            return None;
        }
        azure_core::time::parse_rfc3339(&format!("{s}Z"))
            .ok()
            .map(Self)
    }
}

impl Deref for DateTime {
    type Target = OffsetDateTime;
    fn deref(&self) -> &OffsetDateTime {
        &self.0
    }
}

impl From<OffsetDateTime> for DateTime {
    fn from(t: OffsetDateTime) -> Self {
        Self(t)
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", azure_core::time::to_rfc3339(&self.0))
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&azure_core::time::to_rfc3339(&self.0))
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&azure_core::time::to_rfc3339(&self.0))
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Self::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not an RFC 3339 date-time")))
    }
}

/// A point in time written as RFC 1123 (`Thu, 15 Jun 2017 19:20:58 GMT`),
/// as the spec documents it (`date-time-rfc1123`); decoding also accepts
/// what [`DateTime`] accepts.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTimeRfc1123(pub OffsetDateTime);

impl DateTimeRfc1123 {
    pub fn parse(s: &str) -> Option<Self> {
        DateTime::parse(s).map(|d| Self(d.0))
    }
}

impl Deref for DateTimeRfc1123 {
    type Target = OffsetDateTime;
    fn deref(&self) -> &OffsetDateTime {
        &self.0
    }
}

impl From<OffsetDateTime> for DateTimeRfc1123 {
    fn from(t: OffsetDateTime) -> Self {
        Self(t)
    }
}

impl fmt::Debug for DateTimeRfc1123 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", azure_core::time::to_rfc7231(&self.0))
    }
}

impl fmt::Display for DateTimeRfc1123 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&azure_core::time::to_rfc7231(&self.0))
    }
}

impl Serialize for DateTimeRfc1123 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&azure_core::time::to_rfc7231(&self.0))
    }
}

impl<'de> Deserialize<'de> for DateTimeRfc1123 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Self::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("`{s}` is not an RFC 1123 or RFC 3339 date-time"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_and_without_offset() {
        let a = DateTime::parse("2017-08-28T12:00:00Z").map(|d| d.unix_timestamp());
        let b = DateTime::parse("2017-08-28T12:00:00").map(|d| d.unix_timestamp());
        let c = DateTime::parse("2017-08-28T14:00:00+02:00").map(|d| d.unix_timestamp());
        assert_eq!(a, Some(1_503_921_600));
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert!(DateTime::parse("yesterday").is_none());
        let d = DateTime::parse("Mon, 28 Aug 2017 12:00:00 GMT").map(|d| d.unix_timestamp());
        assert_eq!(d, a);
        let json: Result<DateTime, _> = serde_json::from_str("\"not a date\"");
        assert!(json.is_err());
    }

    #[test]
    fn rfc1123_round_trips_as_written() {
        let text = "\"Thu, 15 Jun 2017 19:20:58 GMT\"";
        let d: DateTimeRfc1123 = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(serde_json::to_string(&d).ok().as_deref(), Some(text));
        let from_3339: Result<DateTimeRfc1123, _> =
            serde_json::from_str("\"2017-06-15T19:20:58Z\"");
        assert_eq!(from_3339.ok(), Some(d));
    }
}
