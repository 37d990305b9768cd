//! JSON pointers (RFC 6901): building, splitting and following them.

/// Appends one reference token to a JSON pointer, escaping `~` and `/`.
pub fn pointer_push(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// Splits a JSON pointer into its unescaped reference tokens. `""` is the
/// whole document; anything else must start with `/`.
pub fn pointer_tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Looks a JSON pointer up in a document.
pub fn pointer_get<'a>(doc: &'a serde_json::Value, pointer: &str) -> Option<&'a serde_json::Value> {
    let mut cur = doc;
    for token in pointer_tokens(pointer)? {
        cur = match cur {
            serde_json::Value::Object(map) => map.get(&token)?,
            serde_json::Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_and_unescape() {
        let p = pointer_push("/paths", "/models/{id}");
        assert_eq!(p, "/paths/~1models~1{id}");
        assert_eq!(
            pointer_tokens(&p),
            Some(vec!["paths".to_string(), "/models/{id}".to_string()])
        );
        assert_eq!(pointer_push("", "a~b"), "/a~0b");
        assert_eq!(pointer_tokens("no-slash"), None);
    }

    #[test]
    fn pointer_get_walks_objects_and_arrays() {
        let doc = serde_json::json!({"a": [{"b/c": 1}]});
        assert_eq!(pointer_get(&doc, "/a/0/b~1c"), Some(&serde_json::json!(1)));
        assert_eq!(pointer_get(&doc, "/a/1"), None);
        assert_eq!(pointer_get(&doc, "/a/x"), None);
        assert_eq!(pointer_get(&doc, ""), Some(&doc));
    }
}
