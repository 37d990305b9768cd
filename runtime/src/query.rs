//! Values as they go into a query string or a header.

use super::{DateTime, DateTimeRfc1123, SecretString};

/// Formats a parameter value for the URL or a header.
pub trait QueryValue {
    fn to_query(&self) -> String;
}

macro_rules! display_query {
    ($($t:ty),*) => {
        $(impl QueryValue for $t {
            fn to_query(&self) -> String {
                self.to_string()
            }
        })*
    };
}

display_query!(
    String,
    str,
    i32,
    i64,
    f32,
    f64,
    bool,
    DateTime,
    DateTimeRfc1123
);

impl QueryValue for SecretString {
    fn to_query(&self) -> String {
        self.expose().to_string()
    }
}

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn to_query(&self) -> String {
        (**self).to_query()
    }
}

/// Arrays are joined with commas (`collectionFormat: csv`, the default).
impl<T: QueryValue> QueryValue for Vec<T> {
    fn to_query(&self) -> String {
        self.iter()
            .map(QueryValue::to_query)
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl QueryValue for serde_json::Value {
    fn to_query(&self) -> String {
        match self {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// Appends `name=value` to the request's query.
pub fn append_query(request: &mut azure_core::http::Request, name: &str, value: &dyn QueryValue) {
    request
        .url_mut()
        .query_pairs_mut()
        .append_pair(name, &value.to_query());
}

/// Appends `name=item` once per item (`collectionFormat: multi`).
pub fn append_query_each<T: QueryValue>(
    request: &mut azure_core::http::Request,
    name: &str,
    values: &[T],
) {
    let mut pairs = request.url_mut().query_pairs_mut();
    for value in values {
        pairs.append_pair(name, &value.to_query());
    }
}

/// Sets a header from a parameter value.
pub fn set_header(request: &mut azure_core::http::Request, name: &str, value: &dyn QueryValue) {
    // Header names are case-insensitive; azure_core wants them lower case.
    request.insert_header(name.to_ascii_lowercase(), value.to_query());
}
