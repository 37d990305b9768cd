//! Pieces of Rust every emitter needs: identifiers, type paths, doc
//! comments, and formatting a token stream into a file.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Primitive, TypeRef};

/// An identifier from a name `naming` produced (`r#type` becomes a raw
/// identifier). Never panics: anything unparsable becomes `invalid_name`,
/// which `naming`'s own tests rule out.
pub fn ident(name: &str) -> Ident {
    if let Some(bare) = name.strip_prefix("r#") {
        let rawable = !matches!(bare, "" | "self" | "Self" | "super" | "crate" | "_")
            && !bare.starts_with(|c: char| c.is_ascii_digit())
            && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if rawable {
            return Ident::new_raw(bare, Span::call_site());
        }
    }
    syn::parse_str::<Ident>(name).unwrap_or_else(|_| Ident::new("invalid_name", Span::call_site()))
}

/// The path of a module of the generated crate (`hosting_account::models`).
pub fn module_path(module: &str) -> TokenStream {
    let parts = module.split("::").map(ident);
    quote!(crate #(:: #parts)*)
}

/// The Rust type of a `TypeRef`, fully qualified.
pub fn type_tokens(t: &TypeRef) -> TokenStream {
    type_tokens_in(t, None)
}

/// The Rust type of a `TypeRef` as written inside `module`: its own types by
/// bare name, its submodules' by relative path, everything else fully
/// qualified. Prelude types are bare: `naming` keeps generated types from
/// taking their names.
pub fn type_tokens_in(t: &TypeRef, module: Option<&str>) -> TokenStream {
    match t {
        TypeRef::Primitive(p) => match p {
            Primitive::String => quote!(String),
            Primitive::Bool => quote!(bool),
            Primitive::I32 => quote!(i32),
            Primitive::I64 => quote!(i64),
            Primitive::F32 => quote!(f32),
            Primitive::F64 => quote!(f64),
            Primitive::DateTime => quote!(crate::runtime::DateTime),
            Primitive::DateTimeRfc1123 => quote!(crate::runtime::DateTimeRfc1123),
            Primitive::Secret => quote!(crate::runtime::SecretString),
            Primitive::Bytes => quote!(crate::runtime::Base64),
            Primitive::Base64Url => quote!(crate::runtime::Base64Url),
        },
        TypeRef::Named { module: m, name } => {
            let name = ident(name);
            // Written inside `module`: its own types bare, its submodules'
            // (`models` beside a surface's client) by relative path.
            let relative = module.and_then(|here| {
                if here == m {
                    return Some("");
                }
                m.strip_prefix(here)?.strip_prefix("::")
            });
            match relative {
                Some("") => quote!(#name),
                Some(below) => {
                    let parts = below.split("::").map(ident);
                    quote!(#(#parts ::)* #name)
                }
                None => {
                    let path = module_path(m);
                    quote!(#path :: #name)
                }
            }
        }
        TypeRef::Vec(inner) => {
            let inner = type_tokens_in(inner, module);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = type_tokens_in(inner, module);
            quote!(::std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Any => quote!(::serde_json::Value),
        TypeRef::Page(inner) => {
            let inner = type_tokens_in(inner, module);
            quote!(crate::runtime::Page<#inner>)
        }
    }
}

/// `#[doc]` attributes for a description. Spec prose is not rustdoc: lines
/// are trimmed (indentation would make a code block, and code blocks
/// become doctests) and brackets escaped (they would be links).
pub fn doc(text: Option<&str>) -> TokenStream {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return TokenStream::new();
    };
    let lines = sanitize_doc(text);
    quote!(#(#[doc = #lines])*)
}

/// `#[doc]` attributes taken as written: text the generator wrote itself,
/// with its own links (spec prose goes through [`doc`]).
pub fn doc_raw(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
    quote!(#(#[doc = #lines])*)
}

/// `#![doc]` attributes taken as written (text this crate wrote itself,
/// code blocks included).
pub fn inner_doc_raw(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
    quote!(#(#![doc = #lines])*)
}

/// `#![doc]` attributes: a module's own documentation.
pub fn inner_doc(text: &str) -> TokenStream {
    let lines = sanitize_doc(text.trim());
    quote!(#(#![doc = #lines])*)
}

/// Spec prose as rustdoc reads it without complaint: no code blocks (an
/// indented line would be one), no links or HTML (brackets and angle
/// brackets escaped), bare URLs made links, and a line that continues a
/// list item indented under it.
pub fn sanitize_doc(text: &str) -> Vec<String> {
    let mut in_item = false;
    text.lines()
        .map(|line| {
            let line = line.trim();
            let item = line.starts_with("- ")
                || line.starts_with("* ")
                || line
                    .split_once(". ")
                    .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            let continues = in_item && !item && !line.is_empty();
            in_item = (item || continues) && !line.is_empty();
            let line = link_urls(
                &line
                    .replace("```", "'''")
                    .replace('[', "\\[")
                    .replace(']', "\\]")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;"),
            );
            if continues {
                format!("   {line}")
            } else {
                format!(" {line}")
            }
        })
        .collect()
}

/// Bare `http(s)://` URLs in prose, made links (`<https://…>`), their
/// trailing punctuation left outside.
fn link_urls(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("http://").or_else(|| rest.find("https://")) {
        let start = match (rest.find("http://"), rest.find("https://")) {
            (Some(a), Some(b)) => a.min(b),
            _ => start,
        };
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let end = from
            .find(|c: char| c.is_whitespace() || c == '`' || c == '"' || c == '\'' || c == '&')
            .unwrap_or(from.len());
        let url = from[..end].trim_end_matches(['.', ',', ';', ':', ')', '!', '?']);
        // In a code span: leave it. (A Markdown link is no link here: its
        // brackets are escaped.)
        let quoted = before.ends_with('`');
        if quoted || url.len() <= "https://".len() {
            out.push_str(url);
        } else {
            out.push('<');
            out.push_str(url);
            out.push('>');
        }
        rest = &from[url.len()..];
    }
    out.push_str(rest);
    out
}

/// Formats pieces of a Rust file (each one or more items; the file's first
/// may start with its inner attributes) and appends them to `out`.
///
/// prettyplease lays out each item on its own, so formatting the items
/// of a file separately and concatenating gives the same bytes as
/// formatting the file whole (`xtask/tests/determinism.rs` checks this). Small pieces keep
/// syn's buffers small and let a large file be formatted on every core.
pub fn format_pieces(
    pieces: impl IntoIterator<Item = TokenStream>,
    what: &str,
    out: &mut String,
) -> Result<(), String> {
    let dump_to = std::env::var_os("XTASK_DUMP_TOKENS");
    for tokens in pieces {
        // Kept only when asked for: a clone shares the stream, and parsing
        // a shared stream copies every token first.
        let dump = dump_to.as_ref().map(|path| (path, tokens.clone()));
        let file: syn::File = syn::parse2(tokens).map_err(|e| {
            // A generator bug, not an input problem: let its author see
            // the tokens.
            if let Some((path, tokens)) = dump {
                let _ = std::fs::write(path, tokens.to_string());
            }
            format!("generated {what} does not parse: {e} (a generator bug; XTASK_DUMP_TOKENS=FILE writes the tokens)")
        })?;
        out.push_str(&prettyplease::unparse(&file));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_becomes_quiet_rustdoc() {
        assert_eq!(
            sanitize_doc("See https://aka.ms/x. Use <li> and [a](b).\n    indented"),
            [
                " See <https://aka.ms/x>. Use &lt;li&gt; and \\[a\\](b).",
                " indented"
            ]
        );
        assert_eq!(
            sanitize_doc("- one\ncontinued\n\nafter"),
            [" - one", "   continued", " ", " after"]
        );
        assert_eq!(
            sanitize_doc("1. first\n2. second"),
            [" 1. first", " 2. second"]
        );
        assert_eq!(link_urls("see (https://x.y/z)."), "see (<https://x.y/z>).");
        assert_eq!(link_urls("`https://x.y`"), "`https://x.y`");
    }
}
