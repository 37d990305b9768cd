//! Errors from the service, typed: the status, the operation, the request
//! id and the service's error body when it sent one. They travel inside
//! `azure_core::Error` (kind `HttpResponse`), as azure_core's pagers and
//! pollers require; [`ServiceError::of`] gets them back out.

use std::fmt;

use azure_core::error::ErrorKind;
use azure_core::http::StatusCode;
use serde_json::Value;

/// The error body these services send, in either of its shapes: flat
/// (`{code, message, details}`, the data planes and ARM accounts) or
/// wrapped (`{error: {code, message, target, details}}`, ARM).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorBody {
    pub code: Option<String>,
    pub message: Option<String>,
    pub target: Option<String>,
    pub details: Vec<ErrorBody>,
}

impl ErrorBody {
    /// Reads an error body leniently; `None` when it is not one.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let value: Value = serde_json::from_slice(bytes).ok()?;
        let inner = match value.get("error") {
            Some(e @ Value::Object(_)) => e,
            _ => &value,
        };
        let body = Self::from_value(inner, 0);
        (body.code.is_some() || body.message.is_some()).then_some(body)
    }

    fn from_value(v: &Value, depth: usize) -> Self {
        let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
        let details = match v.get("details") {
            Some(Value::Array(items)) if depth < 8 => items
                .iter()
                .map(|d| Self::from_value(d, depth + 1))
                .collect(),
            _ => Vec::new(),
        };
        Self {
            code: text("code"),
            message: text("message"),
            target: text("target"),
            details,
        }
    }
}

/// A request the service answered with an error status.
#[derive(Debug, Clone)]
pub struct ServiceError {
    /// The operation (`Services_Get`).
    pub operation: &'static str,
    pub status: StatusCode,
    /// The service's `x-ms-request-id`, to quote when asking for support.
    pub request_id: Option<String>,
    /// The error body, when the service sent a recognizable one.
    pub body: Option<ErrorBody>,
    /// How many times the request was sent (retries included).
    pub attempts: u32,
}

impl ServiceError {
    /// The service error inside an `azure_core::Error`, if that is what it is.
    pub fn of(error: &azure_core::Error) -> Option<&ServiceError> {
        error.downcast_ref::<ServiceError>()
    }

    pub fn code(&self) -> Option<&str> {
        self.body.as_ref()?.code.as_deref()
    }

    pub fn message(&self) -> Option<&str> {
        self.body.as_ref()?.message.as_deref()
    }

    pub(crate) fn into_error(self) -> azure_core::Error {
        let kind = ErrorKind::HttpResponse {
            status: self.status,
            error_code: self.code().map(str::to_string),
            // The raw response stays out of the error: its headers and
            // body are not ours to print.
            raw_response: None,
        };
        azure_core::Error::new(kind, self)
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed with status {}",
            self.operation,
            u16::from(self.status)
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (x-ms-request-id {id})")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        match (self.code(), self.message()) {
            (Some(code), Some(message)) => write!(f, ": {code}: {message}"),
            (Some(one), None) | (None, Some(one)) => write!(f, ": {one}"),
            (None, None) => Ok(()),
        }
    }
}

impl std::error::Error for ServiceError {}

/// A response that does not decode into the documented type.
pub(crate) fn decode_error(
    operation: &str,
    status: StatusCode,
    request_id: Option<&str>,
    path: &str,
    inner: &dyn fmt::Display,
) -> azure_core::Error {
    let at = if path.is_empty() || path == "." {
        String::new()
    } else {
        format!(" at `{path}`")
    };
    let id = request_id
        .map(|id| format!(" (x-ms-request-id {id})"))
        .unwrap_or_default();
    azure_core::Error::with_message(
        ErrorKind::DataConversion,
        format!(
            "{operation}: the {status} response{id} does not match its documented type{at}: {inner}"
        ),
    )
}

/// A configuration mistake found before any request was sent.
pub(crate) fn config_error(message: String) -> azure_core::Error {
    azure_core::Error::with_message(ErrorKind::Other, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_flat_and_wrapped_bodies() {
        let flat =
            ErrorBody::parse(br#"{"code":"NotFound","message":"no such model","statusCode":404}"#);
        assert_eq!(
            flat.as_ref().and_then(|b| b.code.as_deref()),
            Some("NotFound")
        );
        let wrapped = ErrorBody::parse(
            br#"{"error":{"code":"Conflict","message":"exists","details":[{"code":"X"}]}}"#,
        );
        assert_eq!(wrapped.as_ref().map(|b| b.details.len()), Some(1));
        assert_eq!(ErrorBody::parse(b"<html>"), None);
        assert_eq!(ErrorBody::parse(b"{}"), None);
    }

    #[test]
    fn service_errors_survive_the_trip_through_azure_core() {
        let e = ServiceError {
            operation: "Models_Get",
            status: StatusCode::NotFound,
            request_id: Some("r-1".into()),
            body: ErrorBody::parse(br#"{"code":"NotFound","message":"gone"}"#),
            attempts: 1,
        };
        let err = e.into_error();
        assert_eq!(err.http_status(), Some(StatusCode::NotFound));
        let back = ServiceError::of(&err).map(ToString::to_string);
        assert_eq!(
            back.as_deref(),
            Some("Models_Get failed with status 404 (x-ms-request-id r-1): NotFound: gone")
        );
    }
}
