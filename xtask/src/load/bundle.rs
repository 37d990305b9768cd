//! `$ref` resolution: every reference into another file (or into the middle
//! of a component) becomes a component of the entry document, so the rest
//! of the pipeline only ever meets `#/components/<kind>/<name>` (or
//! `#/definitions/<name>` before Swagger 2.0 conversion).
//!
//! A `$ref` may not leave the spec folder and is never fetched over the
//! network: a spec from a third party is untrusted input.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{
    Diagnostic, Location, SourceFormat, SourceMap, display_path, parse, pointer_get, pointer_push,
    pointer_tokens,
};

/// The kinds of component a `$ref` can land in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Schema,
    Parameter,
    Response,
    RequestBody,
    Header,
    Example,
    SecurityScheme,
    Link,
    Callback,
}

impl Kind {
    fn from_container(tokens: &[String]) -> Option<Kind> {
        match tokens {
            [c, _] => match c.as_str() {
                "definitions" => Some(Kind::Schema),
                "parameters" => Some(Kind::Parameter),
                "responses" => Some(Kind::Response),
                _ => None,
            },
            [components, c, _] if components == "components" => Some(match c.as_str() {
                "schemas" => Kind::Schema,
                "parameters" => Kind::Parameter,
                "responses" => Kind::Response,
                "requestBodies" => Kind::RequestBody,
                "headers" => Kind::Header,
                "examples" => Kind::Example,
                "securitySchemes" => Kind::SecurityScheme,
                "links" => Kind::Link,
                "callbacks" => Kind::Callback,
                _ => return None,
            }),
            _ => None,
        }
    }

    /// Where components of this kind live in the entry document.
    fn container(self, swagger: bool) -> Option<&'static [&'static str]> {
        Some(match (self, swagger) {
            (Kind::Schema, true) => &["definitions"],
            (Kind::Parameter, true) => &["parameters"],
            (Kind::Response, true) => &["responses"],
            (_, true) => return None,
            (Kind::Schema, false) => &["components", "schemas"],
            (Kind::Parameter, false) => &["components", "parameters"],
            (Kind::Response, false) => &["components", "responses"],
            (Kind::RequestBody, false) => &["components", "requestBodies"],
            (Kind::Header, false) => &["components", "headers"],
            (Kind::Example, false) => &["components", "examples"],
            (Kind::SecurityScheme, false) => &["components", "securitySchemes"],
            (Kind::Link, false) => &["components", "links"],
            (Kind::Callback, false) => &["components", "callbacks"],
        })
    }
}

/// Keys whose values are data, not schema: a `$ref` inside is not ours to
/// follow. `x-ms-examples` are dropped outright (Azure specs carry
/// thousands of them; nothing downstream reads them).
const DATA_KEYS: [&str; 3] = ["example", "examples", "enum"];
const DROPPED_KEYS: [&str; 1] = ["x-ms-examples"];

struct Bundler<'a> {
    root: &'a Path,
    entry: PathBuf,
    entry_shown: String,
    swagger: bool,
    /// The entry document, for `$ref`s into it. While it is being walked
    /// (and rewritten) this is a copy made before, and only when one of its
    /// own `$ref`s points inside it at something other than a component:
    /// copying a large document costs more than the rest of bundling it.
    /// Afterwards it is the document itself, lent while the imports are
    /// walked.
    entry_doc: Option<Value>,
    /// The entry document's components, (kind, name): what its component
    /// `$ref`s are checked against while `entry_doc` is empty.
    entry_components: BTreeSet<(Kind, String)>,
    /// Other files reached by `$ref`, parsed once.
    files: BTreeMap<PathBuf, Result<Value, String>>,
    /// (file, pointer) already imported → its local `$ref`.
    imported: BTreeMap<(PathBuf, String), String>,
    taken: BTreeSet<(Kind, String)>,
    queue: VecDeque<Pending>,
    additions: Vec<(Kind, String, Value)>,
    errors: Vec<Diagnostic>,
}

struct Pending {
    kind: Kind,
    name: String,
    value: Value,
    file: PathBuf,
    pointer: String,
}

pub fn bundle(
    root: &Path,
    entry: &Path,
    shown: &str,
    format: &SourceFormat,
    mut doc: Value,
    source_map: &mut SourceMap,
) -> Result<Value, Vec<Diagnostic>> {
    if !doc.is_object() {
        return Err(vec![Diagnostic::new(
            Location::new(shown, ""),
            "document root is not an object",
        )]);
    }
    let swagger = matches!(format, SourceFormat::Swagger2);
    let entry = entry.canonicalize().unwrap_or_else(|_| entry.to_path_buf());
    let needs_copy = refers_inside_itself(&doc, &entry, swagger);
    let mut b = Bundler {
        root,
        entry: entry.clone(),
        entry_shown: shown.to_string(),
        swagger,
        entry_doc: needs_copy.then(|| doc.clone()),
        entry_components: BTreeSet::new(),
        files: BTreeMap::new(),
        imported: BTreeMap::new(),
        taken: BTreeSet::new(),
        queue: VecDeque::new(),
        additions: Vec::new(),
        errors: Vec::new(),
    };
    b.note_existing_names(&doc);
    b.entry_components = b.taken.clone();
    b.walk(&mut doc, &entry, String::new(), Kind::Schema);
    // Imports may point back into the entry document: lend it (rewritten
    // `$ref`s resolve to the same values).
    b.entry_doc = Some(doc);
    while let Some(mut p) = b.queue.pop_front() {
        let file = p.file.clone();
        b.walk(&mut p.value, &file, p.pointer.clone(), p.kind);
        b.additions.push((p.kind, p.name, p.value));
    }
    let Some(mut doc) = b.entry_doc.take() else {
        return Err(vec![Diagnostic::new(
            Location::new(shown, ""),
            "the bundler lost the document (a generator bug)",
        )]);
    };
    for (kind, name, value) in std::mem::take(&mut b.additions) {
        let Some(container) = kind.container(swagger) else {
            continue;
        };
        if let Some(obj) = container_mut(&mut doc, container) {
            obj.insert(name, value);
        }
    }
    for ((file, pointer), local) in &b.imported {
        let origin = Location::new(display_path(root, file), pointer.clone());
        source_map.map_bundled(local.trim_start_matches('#').to_string(), origin);
    }
    if b.errors.is_empty() {
        Ok(doc)
    } else {
        Err(b.errors)
    }
}

impl Bundler<'_> {
    fn note_existing_names(&mut self, doc: &Value) {
        for kind in [
            Kind::Schema,
            Kind::Parameter,
            Kind::Response,
            Kind::RequestBody,
            Kind::Header,
            Kind::Example,
            Kind::SecurityScheme,
            Kind::Link,
            Kind::Callback,
        ] {
            let Some(container) = kind.container(self.swagger) else {
                continue;
            };
            let pointer = container
                .iter()
                .fold(String::new(), |p, t| pointer_push(&p, t));
            if let Some(Value::Object(map)) = pointer_get(doc, &pointer) {
                for name in map.keys() {
                    self.taken.insert((kind, name.clone()));
                }
            }
        }
    }

    fn shown(&self, file: &Path) -> String {
        if file == self.entry {
            self.entry_shown.clone()
        } else {
            display_path(self.root, file)
        }
    }

    /// Rewrites every `$ref` below `value`. `kind` says what kind of object
    /// `value` is, so a `$ref` to a whole file knows what it imports.
    fn walk(&mut self, value: &mut Value, file: &Path, pointer: String, kind: Kind) {
        match value {
            Value::Object(map) => {
                for key in DROPPED_KEYS {
                    map.shift_remove(key);
                }
                if let Some(Value::String(target)) = map.get("$ref") {
                    let target = target.clone();
                    let at = Location::new(self.shown(file), pointer_push(&pointer, "$ref"));
                    if let Some(local) = self.resolve(&target, file, kind, &at) {
                        map.insert("$ref".to_string(), Value::String(local));
                    }
                }
                for (key, child) in map.iter_mut() {
                    if key == "$ref" || DATA_KEYS.contains(&key.as_str()) {
                        continue;
                    }
                    let child_kind = child_kind(kind, key);
                    self.walk(child, file, pointer_push(&pointer, key), child_kind);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    self.walk(child, file, pointer_push(&pointer, &i.to_string()), kind);
                }
            }
            _ => {}
        }
    }

    /// The local `$ref` that replaces `target`, or `None` when it stays as is
    /// (already a local component) or is broken (an error is recorded).
    fn resolve(&mut self, target: &str, file: &Path, kind: Kind, at: &Location) -> Option<String> {
        let (raw_file, raw_fragment) = match target.split_once('#') {
            Some((f, frag)) => (f, frag),
            None => (target, ""),
        };
        // A `$ref` is a URI reference: `%20` in it is a space.
        let (file_part, fragment) = (percent_decode(raw_file), percent_decode(raw_fragment));
        let (file_part, fragment) = (file_part.as_str(), fragment.as_str());
        let rewritten = fragment != raw_fragment;
        if file_part.contains("://") || file_part.starts_with("//") {
            self.errors.push(Diagnostic::new(
                at.clone(),
                format!("`$ref` to `{target}` is remote; only files inside the spec folder are read, nothing is fetched"),
            ));
            return None;
        }
        let Some(tokens) = pointer_tokens(fragment) else {
            self.errors.push(Diagnostic::new(
                at.clone(),
                format!(
                    "`$ref` fragment `{fragment}` is not a JSON pointer (it must start with `/`)"
                ),
            ));
            return None;
        };
        let target_file = if file_part.is_empty() {
            file.to_path_buf()
        } else {
            let joined = file.parent().unwrap_or(self.root).join(file_part);
            match joined.canonicalize() {
                Ok(p) if p.starts_with(self.root) => p,
                Ok(_) => {
                    self.errors.push(Diagnostic::new(
                        at.clone(),
                        format!("`$ref` to `{target}` leaves the spec folder; references must stay inside it"),
                    ));
                    return None;
                }
                Err(_) => {
                    self.errors.push(Diagnostic::new(
                        at.clone(),
                        format!("`$ref` to `{target}`: file `{file_part}` does not exist"),
                    ));
                    return None;
                }
            }
        };
        let is_entry = target_file == self.entry;
        if is_entry && is_component_pointer(&tokens, self.swagger) {
            if !self.pointer_exists(&target_file, fragment) {
                self.errors.push(Diagnostic::new(
                    at.clone(),
                    format!("`$ref` to `{target}` points at nothing"),
                ));
            } else if file_part.is_empty() && !rewritten {
                return None;
            } else {
                return Some(format!("#{fragment}"));
            }
            return None;
        }
        if let Some(local) = self
            .imported
            .get(&(target_file.clone(), fragment.to_string()))
        {
            return Some(local.clone());
        }
        let value = self.lookup(&target_file, fragment, target, at)?;
        let kind = Kind::from_container(&tokens).unwrap_or(kind);
        let Some(container) = kind.container(self.swagger) else {
            self.errors.push(Diagnostic::new(
                at.clone(),
                format!("`$ref` to `{target}` reaches a {kind:?} component, which Swagger 2.0 cannot hold"),
            ));
            return None;
        };
        let name = self.fresh_name(kind, &tokens, &target_file);
        let local = format!(
            "#{}",
            container
                .iter()
                .chain(std::iter::once(&name.as_str()))
                .fold(String::new(), |p, t| pointer_push(&p, t))
        );
        self.imported
            .insert((target_file.clone(), fragment.to_string()), local.clone());
        self.queue.push_back(Pending {
            kind,
            name,
            value,
            file: target_file,
            pointer: fragment.to_string(),
        });
        Some(local)
    }

    fn pointer_exists(&self, file: &Path, fragment: &str) -> bool {
        if file == self.entry {
            match &self.entry_doc {
                Some(doc) => pointer_get(doc, fragment).is_some(),
                // Only component pointers are asked of the entry while it
                // is being walked without a copy.
                None => pointer_tokens(fragment).is_some_and(|tokens| {
                    let kind = Kind::from_container(&tokens);
                    kind.zip(tokens.last())
                        .is_some_and(|(k, name)| self.entry_components.contains(&(k, name.clone())))
                }),
            }
        } else {
            matches!(self.files.get(file), Some(Ok(doc)) if pointer_get(doc, fragment).is_some())
        }
    }

    fn lookup(
        &mut self,
        file: &Path,
        fragment: &str,
        target: &str,
        at: &Location,
    ) -> Option<Value> {
        let doc = if file == self.entry {
            match &self.entry_doc {
                Some(doc) => doc,
                None => {
                    self.errors.push(Diagnostic::new(
                        at.clone(),
                        format!("`$ref` to `{target}` was not foreseen when the document was read (a generator bug)"),
                    ));
                    return None;
                }
            }
        } else {
            let shown = self.shown(file);
            let parsed = self.files.entry(file.to_path_buf()).or_insert_with(|| {
                let yaml = matches!(
                    file.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml")
                );
                std::fs::read(file)
                    .map_err(|e| format!("cannot read file: {e}"))
                    .and_then(|bytes| parse::parse_bytes(&bytes, yaml))
                    .map_err(|e| format!("{shown}: {e}"))
            });
            match parsed {
                Ok(doc) => &*doc,
                Err(e) => {
                    let message =
                        format!("`$ref` to `{target}` reaches a file that cannot be read: {e}");
                    self.errors.push(Diagnostic::new(at.clone(), message));
                    return None;
                }
            }
        };
        match pointer_get(doc, fragment) {
            Some(v) => Some(v.clone()),
            None => {
                self.errors.push(Diagnostic::new(
                    at.clone(),
                    format!("`$ref` to `{target}` points at nothing"),
                ));
                None
            }
        }
    }

    /// A component name for an import: the target's own name when free,
    /// else qualified by its file's stem, else numbered.
    fn fresh_name(&mut self, kind: Kind, tokens: &[String], file: &Path) -> String {
        let clean = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        };
        let stem = clean(
            &file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let base = tokens
            .last()
            .map(|t| clean(t))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| stem.clone());
        let base = if base.is_empty() {
            "Imported".to_string()
        } else {
            base
        };
        let candidates = [base.clone(), format!("{stem}_{base}")];
        let name = candidates
            .into_iter()
            .chain((2..).map(|n| format!("{base}_{n}")))
            .find(|n| !self.taken.contains(&(kind, n.clone())))
            .unwrap_or(base);
        self.taken.insert((kind, name.clone()));
        name
    }
}

/// The object at `path` below `doc`, created empty where missing; `None`
/// when something that is not an object is in the way.
fn container_mut<'a>(
    doc: &'a mut Value,
    path: &[&str],
) -> Option<&'a mut serde_json::Map<String, Value>> {
    let mut cur = doc.as_object_mut()?;
    for token in path {
        cur = cur
            .entry(token.to_string())
            .or_insert_with(|| Value::Object(Default::default()))
            .as_object_mut()?;
    }
    Some(cur)
}

/// `#/definitions/X` in Swagger 2.0, `#/components/<kind>/X` in OpenAPI 3.
fn is_component_pointer(tokens: &[String], swagger: bool) -> bool {
    let Some((_, container)) = tokens.split_last() else {
        return false;
    };
    Kind::from_container(tokens)
        .and_then(|k| k.container(swagger))
        .is_some_and(|c| c.len() == container.len() && c.iter().zip(container).all(|(a, b)| a == b))
}

/// Whether a `$ref` in the entry document points inside that same document
/// at something other than a component (a path's response, say): the
/// bundler then copies it out of the document while rewriting it, and
/// needs the document as read. Errs towards yes.
fn refers_inside_itself(doc: &Value, entry: &Path, swagger: bool) -> bool {
    let mut same_file: BTreeMap<String, bool> = BTreeMap::new();
    let mut stack = vec![doc];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    let (file_part, fragment) = target.split_once('#').unwrap_or((target, ""));
                    let to_entry = file_part.is_empty()
                        || *same_file.entry(file_part.to_string()).or_insert_with(|| {
                            let joined = entry
                                .parent()
                                .unwrap_or(Path::new("."))
                                .join(percent_decode(file_part));
                            joined.canonicalize().is_ok_and(|p| p == entry)
                        });
                    let component = pointer_tokens(&percent_decode(fragment))
                        .is_some_and(|tokens| is_component_pointer(&tokens, swagger));
                    if to_entry && !component {
                        return true;
                    }
                }
                for (key, child) in map {
                    if key != "$ref" && !DATA_KEYS.contains(&key.as_str()) {
                        stack.push(child);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    false
}

/// Decodes `%XX` escapes; anything malformed stays as written.
pub(super) fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What kind of object sits under `key` of an object of kind `parent`.
fn child_kind(parent: Kind, key: &str) -> Kind {
    match key {
        "parameters" => Kind::Parameter,
        "responses" => Kind::Response,
        "requestBody" => Kind::RequestBody,
        "headers" => Kind::Header,
        "callbacks" => Kind::Callback,
        "links" => Kind::Link,
        "schema"
        | "items"
        | "properties"
        | "additionalProperties"
        | "allOf"
        | "oneOf"
        | "anyOf"
        | "not"
        | "definitions"
        | "schemas" => Kind::Schema,
        _ => match parent {
            // Maps of named things keep the kind of their members.
            Kind::Parameter | Kind::Response | Kind::Header | Kind::RequestBody => parent,
            _ => Kind::Schema,
        },
    }
}

/// After bundling and conversion every `$ref` must be local and resolve;
/// chains of pure aliases must end. Returns the pointer of the first bad
/// `$ref` and what is wrong with it.
pub fn check_local_refs(doc: &Value) -> Result<(), (String, String)> {
    // Every node is visited; only a failing one needs its pointer, so each
    // node records its parent and key, and the pointer is spelled out on
    // failure rather than built for every node.
    enum Step<'a> {
        Key(&'a str),
        Index(usize),
    }
    let mut trail: Vec<(usize, Step<'_>)> = Vec::new();
    let pointer_of = |trail: &[(usize, Step<'_>)], mut at: usize| {
        let mut steps = Vec::new();
        while let Some((parent, step)) = trail.get(at) {
            steps.push(step);
            if at == 0 {
                break;
            }
            at = *parent;
        }
        steps
            .iter()
            .rev()
            .skip(1)
            .fold(String::new(), |p, step| match step {
                Step::Key(k) => pointer_push(&p, k),
                Step::Index(i) => pointer_push(&p, &i.to_string()),
            })
    };
    trail.push((0, Step::Key("")));
    let mut stack: Vec<(&Value, usize)> = vec![(doc, 0)];
    while let Some((value, at)) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    check_alias_chain(doc, target)
                        .map_err(|msg| (pointer_push(&pointer_of(&trail, at), "$ref"), msg))?;
                }
                for (key, child) in map.iter().rev() {
                    if key != "$ref" && !DATA_KEYS.contains(&key.as_str()) {
                        trail.push((at, Step::Key(key)));
                        stack.push((child, trail.len() - 1));
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate().rev() {
                    trail.push((at, Step::Index(i)));
                    stack.push((child, trail.len() - 1));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_alias_chain(doc: &Value, first: &str) -> Result<(), String> {
    let mut seen: Vec<&str> = Vec::new();
    let mut target = first;
    loop {
        let Some(fragment) = target.strip_prefix('#') else {
            return Err(format!("`$ref` to `{target}` was not resolved"));
        };
        if seen.contains(&target) {
            seen.push(target);
            return Err(format!("`$ref` cycle: {}", seen.join(" → ")));
        }
        seen.push(target);
        match pointer_get(doc, fragment) {
            None => return Err(format!("`$ref` to `{target}` points at nothing")),
            Some(Value::Object(map)) => match map.get("$ref") {
                Some(Value::String(next)) => target = next,
                _ => return Ok(()),
            },
            Some(_) => return Ok(()),
        }
    }
}
