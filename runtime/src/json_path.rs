//! Where in a JSON body decoding failed, worked out after the fact from the
//! line and column serde_json reports.
//!
//! Tracking the path while decoding (serde_path_to_error) instantiates every
//! model's `Deserialize` a second time, with a wrapping deserializer: that
//! doubled the crate's largest share of machine code, in this crate and in
//! every crate that calls it. A failed decode is rare, so instead the body is
//! scanned once more, without serde, up to the failing byte.

/// The JSON path (`value[3].properties.name`, `.` for the whole body) of the
/// value that was being decoded when `error` was raised on `body`.
pub(crate) fn path_of(body: &[u8], error: &serde_json::Error) -> String {
    let Some(last) = byte_index(body, error.line(), error.column()) else {
        return ".".to_string();
    };
    let message = error.to_string();
    let (last, mode) = if message.starts_with(super::macros::VARIANT_ERROR) {
        // A union's variant is decoded from the JSON already read, so the
        // error carries no position of its own: serde_json places it where
        // the enclosing array or object stopped reading, past the union.
        // The failing value is the last one closed by then.
        (last, Mode::LastClosed)
    } else if message.starts_with("invalid type: map")
        || message.starts_with("invalid type: sequence")
    {
        // An object or array of the wrong type is refused on sight, before
        // its bracket is consumed: the failing value is the one about to
        // start.
        let next = body
            .iter()
            .enumerate()
            .skip(last.saturating_add(1))
            .find(|(_, b)| !b.is_ascii_whitespace());
        match next {
            Some((index, b'{' | b'[')) => (index, Mode::Open),
            _ => (last, Mode::Open),
        }
    } else if message.starts_with("missing field") {
        // Raised once the object's members are read, with the position on
        // the last byte consumed inside that object: the field is missing
        // from the innermost object, not from its last member.
        (last, Mode::OpenObject)
    } else {
        (last, Mode::Open)
    };
    path_at(body, last, mode)
}

/// Which value a position names.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// The innermost value open at the position.
    Open,
    /// The innermost object open at the position (not its member).
    OpenObject,
    /// The last value closed at or before the position.
    LastClosed,
}

/// The 0-based index of the byte at 1-based `line` and `column` (serde_json
/// counts columns in bytes; column 0 is the newline ending the line
/// before), clamped to the body.
fn byte_index(body: &[u8], line: usize, column: usize) -> Option<usize> {
    if line == 0 || body.is_empty() {
        return None;
    }
    let mut start = 0usize;
    for _ in 1..line {
        let newline = body.get(start..)?.iter().position(|&b| b == b'\n')?;
        start = start.checked_add(newline)?.checked_add(1)?;
    }
    let index = match column.checked_sub(1) {
        Some(offset) => start.checked_add(offset)?,
        None => start.checked_sub(1)?,
    };
    Some(index.min(body.len() - 1))
}

enum Frame {
    /// `key` is the member whose value is being read, once its name is.
    Object {
        key: Option<String>,
        reading_key: bool,
    },
    /// `started` once an element after the last `[` or `,` has begun.
    Array { index: usize, started: bool },
}

/// Scans `body` up to and including byte `last` and names the value `mode`
/// asks for.
fn path_at(body: &[u8], last: usize, mode: Mode) -> String {
    let mut stack: Vec<Frame> = Vec::new();
    let mut closed: Option<String> = None;
    let mut i = 0;
    while i <= last && i < body.len() {
        let byte = body[i];
        match byte {
            b'{' | b'[' => {
                start_value(&mut stack);
                stack.push(if byte == b'{' {
                    Frame::Object {
                        key: None,
                        reading_key: true,
                    }
                } else {
                    Frame::Array {
                        index: 0,
                        started: false,
                    }
                });
            }
            b'}' | b']' => {
                // A failure on the closing bracket belongs to the container.
                if i == last && mode != Mode::LastClosed {
                    break;
                }
                stack.pop();
                if mode == Mode::LastClosed {
                    closed = Some(render(&stack));
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, reading_key }) => {
                    *key = None;
                    *reading_key = true;
                }
                Some(Frame::Array { index, started }) => {
                    *index += 1;
                    *started = false;
                }
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { reading_key, .. }) = stack.last_mut() {
                    *reading_key = false;
                }
            }
            b'"' => {
                let (text, end) = string_at(body, i + 1);
                match stack.last_mut() {
                    Some(Frame::Object {
                        key,
                        reading_key: true,
                    }) => *key = Some(text),
                    _ => start_value(&mut stack),
                }
                i = end;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => start_value(&mut stack),
        }
        i += 1;
    }
    match mode {
        Mode::LastClosed => closed.unwrap_or_else(|| render(&stack)),
        Mode::OpenObject => {
            if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                *key = None;
            }
            render(&stack)
        }
        Mode::Open => render(&stack),
    }
}

fn start_value(stack: &mut [Frame]) {
    if let Some(Frame::Array { started, .. }) = stack.last_mut() {
        *started = true;
    }
}

/// The text of the string whose first byte after the quote is at `start`
/// (escapes other than `\"` and `\\` kept as written), and the index of
/// its closing quote (or the last byte, when it is not closed).
fn string_at(body: &[u8], start: usize) -> (String, usize) {
    let mut text = Vec::new();
    let mut i = start;
    while let Some(&byte) = body.get(i) {
        match byte {
            b'"' => return (String::from_utf8_lossy(&text).into_owned(), i),
            b'\\' => {
                match body.get(i + 1) {
                    Some(&escaped @ (b'"' | b'\\')) => text.push(escaped),
                    Some(&other) => text.extend_from_slice(&[b'\\', other]),
                    None => {}
                }
                i += 2;
                continue;
            }
            _ => text.push(byte),
        }
        i += 1;
    }
    (
        String::from_utf8_lossy(&text).into_owned(),
        body.len().saturating_sub(1),
    )
}

fn render(stack: &[Frame]) -> String {
    let mut path = String::new();
    for frame in stack {
        match frame {
            Frame::Object {
                key: Some(key),
                reading_key: false,
            } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Array {
                index,
                started: true,
            } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
            _ => break,
        }
    }
    if path.is_empty() {
        ".".to_string()
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::path_of;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        name: String,
        #[serde(default)]
        tags: Vec<u32>,
        #[serde(default)]
        child: Option<Box<Item>>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Page {
        value: Vec<Item>,
    }

    fn path(body: &str) -> String {
        let error = serde_json::from_str::<Page>(body).expect_err("must fail");
        path_of(body.as_bytes(), &error)
    }

    #[test]
    fn names_the_value_of_the_wrong_type() {
        assert_eq!(
            path(r#"{"value":[{"name":"a"},{"name":42}]}"#),
            "value[1].name"
        );
        assert_eq!(
            path(r#"{"value":[{"name":"a","tags":[1,"x"]}]}"#),
            "value[0].tags[1]"
        );
        assert_eq!(
            path("{\n  \"value\": [\n    {\"name\": \"a\", \"child\": {\"name\": true}}\n  ]\n}"),
            "value[0].child.name"
        );
        assert_eq!(path(r#"{"value":7}"#), "value");
        assert_eq!(path(r#"{"value":[{"name":"a"}, [] ]}"#), "value[1]");
        assert_eq!(path(r#"{"value": {"name": "a"}}"#), "value");
        assert_eq!(path(r#"{"value":[{"name": {}}]}"#), "value[0].name");
    }

    #[test]
    fn names_the_object_a_field_is_missing_from() {
        assert_eq!(path(r#"{}"#), ".");
        assert_eq!(path(r#"{"value":[{"tags":[1]}]}"#), "value[0]");
        assert_eq!(path(r#"{"value":[{"name":"a"},{}]}"#), "value[1]");
        assert_eq!(
            path(r#"{"value":[{"name":"a","child":{"tags":[],"child":{"name":"b"}}}]}"#),
            "value[0].child"
        );
    }

    #[test]
    fn keys_with_escapes_and_brackets_inside_strings() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Odd {
            #[serde(rename = "a\"b")]
            quoted: Item,
        }
        let body = r#"{"a\"b":{"name":"[{,:}]","tags":[{}]}}"#;
        let error = serde_json::from_str::<Odd>(body).expect_err("must fail");
        assert_eq!(path_of(body.as_bytes(), &error), "a\"b.tags[0]");
    }

    /// Decodes like a generated union: the JSON is read whole, then the
    /// variant is decoded from it.
    #[derive(Debug)]
    struct Union(#[allow(dead_code)] Item);

    impl<'de> Deserialize<'de> for Union {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let value = serde_json::Value::deserialize(d)?;
            super::super::macros::decode_variant(&value, "A")
                .map(Union)
                .map_err(serde::de::Error::custom)
        }
    }

    #[test]
    fn a_union_that_fails_is_named_not_its_neighbour() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Unions {
            value: Vec<Union>,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Holder {
            u: Union,
            other: u32,
        }
        let body = r#"{"value": [{"name": 42, "zz": 1}, {"name": "b"}]}"#;
        let error = serde_json::from_str::<Unions>(body).expect_err("must fail");
        assert_eq!(path_of(body.as_bytes(), &error), "value[0]");
        assert!(
            error.to_string().starts_with(
                "variant `A` at `name`: invalid type: integer `42`, expected a string"
            ),
            "{error}"
        );
        let body = r#"{"value": [{"name": "a"}, {"tags": []}, {"name": "c"}]}"#;
        let error = serde_json::from_str::<Unions>(body).expect_err("must fail");
        assert_eq!(path_of(body.as_bytes(), &error), "value[1]");
        assert!(
            error
                .to_string()
                .starts_with("variant `A`: missing field `name`"),
            "{error}"
        );
        let body = r#"{"u": {"name": 42, "zz": 1}, "other": 1}"#;
        let error = serde_json::from_str::<Holder>(body).expect_err("must fail");
        assert_eq!(path_of(body.as_bytes(), &error), "u");
        let body = r#"{"name": 42}"#;
        let error = serde_json::from_str::<Union>(body).expect_err("must fail");
        assert_eq!(path_of(body.as_bytes(), &error), ".");
    }

    #[test]
    fn a_position_at_the_start_of_a_line_is_the_newline_before_it() {
        let body = "{\"value\": [{\"name\": \"a\"},\n{\"name\": 1}]}";
        let error = serde_json::from_str::<Page>(body).expect_err("must fail");
        assert_eq!(path_of(body.as_bytes(), &error), "value[1].name");
        assert_eq!(super::byte_index(b"ab\ncd", 2, 0), Some(2));
        assert_eq!(super::byte_index(b"ab\ncd", 2, 1), Some(3));
        assert_eq!(super::byte_index(b"ab\ncd", 1, 0), None);
        assert_eq!(super::byte_index(b"ab", 5, 1), None);
    }

    #[test]
    fn syntax_errors_and_odd_positions_do_not_panic() {
        for body in [
            "",
            "{",
            "{\"value\":[",
            "[1,2",
            "\"open",
            "{\"value\":[{\"name\":\"a\"}]} x",
            "\n\n\n",
        ] {
            if let Err(error) = serde_json::from_str::<Page>(body) {
                let _ = path_of(body.as_bytes(), &error);
            }
        }
        assert_eq!(path(r#"{"value":[{"name":"a"}],}"#), ".");
    }
}
