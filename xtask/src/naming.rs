//! Rust names for things named in specs, decided here and nowhere else:
//! case conversion (heck), keywords, leading digits, symbols, non-ASCII
//! letters, names that would shadow the prelude, and collisions.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that cannot be raw identifiers (`r#self` is not allowed).
const NOT_RAW: [&str; 5] = ["self", "Self", "super", "crate", "_"];

/// Rust's keywords, strict and reserved: exactly the words syn will not take
/// as an identifier, plus `gen` (reserved from edition 2024, which the
/// generated crate uses; syn still takes it).
const KEYWORDS: [&str; 52] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Type names a generated type must not take: the prelude's, and the names
/// generated code uses unqualified.
const RESERVED_TYPES: [&str; 30] = [
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "ToString",
    "ToOwned",
    "AsRef",
    "AsMut",
    "Into",
    "From",
    "Eq",
    "PartialEq",
    "Self",
];

/// Replaces everything that cannot stand in an identifier by a word
/// boundary, keeping letters of any script (Rust identifiers are Unicode).
fn words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else {
            out.push(' ');
        }
    }
    out
}

/// Whether `s` is a valid (non-raw) Rust identifier.
fn is_ident(s: &str) -> bool {
    // The common case without lexing: `KEYWORDS` (with `_`) is the set syn
    // refuses as an identifier, and `gen`. Raw identifiers go to syn.
    if s.is_ascii() && !s.starts_with("r#") {
        return s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && s != "_"
            && !KEYWORDS.contains(&s);
    }
    syn::parse_str::<syn::Ident>(s).is_ok()
}

/// Letters outside XID (some symbols count as alphanumeric) become their
/// code point, so the result always parses.
fn ensure_ident(s: String, prefix: &str) -> String {
    let s = if s.starts_with(|c: char| c.is_ascii_digit()) || s.is_empty() {
        format!("{prefix}{s}")
    } else {
        s
    };
    if is_ident(&s) || KEYWORDS.contains(&s.as_str()) {
        return s;
    }
    let escaped: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_string()
            } else {
                format!("u{:04x}", c as u32)
            }
        })
        .collect();
    if is_ident(&escaped) {
        escaped
    } else {
        format!("{prefix}{escaped}")
    }
}

/// Why `name`, taken as written (from a rules file), cannot name a
/// generated type, if it cannot: not an identifier, a keyword, or a name
/// generated code uses unqualified (`Option`, `String`, …).
pub fn unusable_type_name(name: &str) -> Option<String> {
    // `is_ident` refuses keywords.
    if !is_ident(name) {
        Some(format!("`{name}` is not a Rust identifier"))
    } else if RESERVED_TYPES.contains(&name) {
        Some(format!(
            "`{name}` is a name the generated code uses for a standard type"
        ))
    } else {
        None
    }
}

/// Why `name`, taken as written, cannot name a method, argument or field,
/// if it cannot.
pub fn unusable_value_name(name: &str) -> Option<String> {
    let usable = match name.strip_prefix("r#") {
        Some(bare) => !NOT_RAW.contains(&bare) && syn::parse_str::<syn::Ident>(name).is_ok(),
        None => is_ident(name),
    };
    (!usable).then(|| format!("`{name}` is not a Rust identifier (a keyword needs `r#`)"))
}

/// `UpperCamelCase` for types and enum variants.
pub fn type_name(s: &str) -> String {
    let camel = words(s).to_upper_camel_case();
    let name = ensure_ident(camel, "V");
    if RESERVED_TYPES.contains(&name.as_str()) || KEYWORDS.contains(&name.as_str()) {
        format!("{name}Model")
    } else {
        name
    }
}

/// `snake_case` for fields, methods, modules and arguments; keywords become
/// raw identifiers (`r#type`) or, where Rust forbids that, get a `_`.
pub fn value_name(s: &str) -> String {
    let snake = words(s).to_snake_case();
    let name = ensure_ident(snake, "_");
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// `SCREAMING`-free constant-free module name: like [`value_name`] but never
/// raw (a module file cannot be named `r#type.rs`).
pub fn module_name(s: &str) -> String {
    let name = value_name(s);
    match name.strip_prefix("r#") {
        Some(bare) => format!("{bare}_"),
        None => name,
    }
}

/// A Cargo feature name: ASCII letters, digits and `-`, starting with a
/// letter.
pub fn feature_name(s: &str) -> String {
    use heck::ToKebabCase;
    let ascii: String = s
        .to_kebab_case()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let parts: Vec<&str> = ascii.split('-').filter(|p| !p.is_empty()).collect();
    let joined = parts.join("-");
    if joined.starts_with(|c: char| c.is_ascii_alphabetic()) {
        joined
    } else {
        format!("api-{joined}").trim_end_matches('-').to_string()
    }
}

/// Hands out names unique within one namespace (the fields of a struct, the
/// types of a module): the first taker keeps a name, later ones get `_2`,
/// `_3`… (or `2`, `3`… for camel-case names).
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves a name without checking (names the generated code defines
    /// itself).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.trim_start_matches("r#").to_string());
    }

    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name.trim_start_matches("r#"))
    }

    /// `name` if free, else the first free numbered form of it.
    pub fn claim(&mut self, name: String) -> String {
        let bare = name.trim_start_matches("r#").to_string();
        if self.taken.insert(bare.clone()) {
            return name;
        }
        // `Model2`, `id_2`, and `self_2` rather than `self__2`.
        let sep = if bare.starts_with(|c: char| c.is_uppercase()) || bare.ends_with('_') {
            ""
        } else {
            "_"
        };
        let mut n = 2u64;
        loop {
            let candidate = format!("{bare}{sep}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_shortcut_agrees_with_syn() {
        let samples = KEYWORDS.iter().copied().chain([
            "_", "__", "_a", "a_", "a1", "1a", "", "A", "Type", "gen", "union", "r#type", "a-b",
            "a b", "ab$", "Self_", "selfish", "é", "x\u{301}",
        ]);
        for s in samples {
            // `gen`: syn takes it, edition 2024 does not.
            let expected = s != "gen" && syn::parse_str::<syn::Ident>(s).is_ok();
            assert_eq!(is_ident(s), expected, "{s:?}");
        }
        assert_eq!(value_name("gen"), "r#gen");
    }

    #[test]
    fn keywords_digits_symbols_and_unicode() {
        assert_eq!(value_name("type"), "r#type");
        assert_eq!(value_name("self"), "self_");
        assert_eq!(value_name("Self"), "self_");
        assert_eq!(value_name("2fa"), "_2fa");
        assert_eq!(value_name("$skipToken"), "skip_token");
        assert_eq!(value_name("x-ms-request-id"), "x_ms_request_id");
        assert_eq!(value_name("größe"), "größe");
        assert_eq!(value_name("名前"), "名前");
        assert_eq!(value_name("@odata.type"), "odata_type");
        assert_eq!(value_name("resourceGroupName"), "resource_group_name");
        assert_eq!(value_name("ID"), "id");
        assert_eq!(module_name("type"), "type_");
        assert_eq!(
            feature_name("modelManagement-2019-09-30"),
            "model-management-2019-09-30"
        );
        assert_eq!(feature_name("名前/2020"), "api-2020");
        assert_eq!(feature_name("arm/a"), "arm-a");
        assert_eq!(type_name("2017-06-01"), "V20170601");
        assert_eq!(type_name("Option"), "OptionModel");
        assert_eq!(type_name("Self"), "SelfModel");
        assert_eq!(type_name("ACIServiceResponse"), "AciServiceResponse");
        assert_eq!(type_name("UNKNOWON"), "Unknowon");
        assert_eq!(type_name("with space.and-dash"), "WithSpaceAndDash");
        for s in ["type", "2fa", "größe", "名前", "$", "@", "", "Self", "🙂x"] {
            let v = value_name(s);
            let t = type_name(s);
            assert!(
                syn::parse_str::<syn::Ident>(&v).is_ok() || v.starts_with("r#"),
                "{s} → {v}"
            );
            assert!(syn::parse_str::<syn::Ident>(&t).is_ok(), "{s} → {t}");
        }
    }

    #[test]
    fn namespaces_number_later_takers() {
        let mut ns = Namespace::new();
        assert_eq!(ns.claim("id".into()), "id");
        assert_eq!(ns.claim("id".into()), "id_2");
        assert_eq!(ns.claim("r#type".into()), "r#type");
        assert_eq!(ns.claim("type".into()), "type_2");
        let mut types = Namespace::new();
        assert_eq!(types.claim("Model".into()), "Model");
        assert_eq!(types.claim("Model".into()), "Model2");
    }
}
