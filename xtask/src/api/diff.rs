//! What changed between two API manifests, each change judged twice: on
//! the wire (would a client written for the old API still work against
//! the new service; `@azure/oad`'s rule where one applies) and in Rust
//! (does code written against the old crate still compile, given the
//! conventions of docs/api.md), and the semver bump the whole implies.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::manifest::{ApiManifest, FieldApi, OperationApi, ParamApi, SurfaceApi, TypeApi};

/// Whether something came, went or changed: the changelog's sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

/// One change of the public API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    /// What changed, in words (`operation Models_Delete (ModelsClient::delete) removed`).
    pub what: String,
    pub wire: Verdict,
    /// Breaks code that compiled against the old crate.
    pub rust_breaking: bool,
}

/// The wire-level judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub breaking: bool,
    /// `@azure/oad`'s rule (`1035 RemovedOperation`), where one applies.
    pub rule: Option<&'static str>,
}

const fn wire(breaking: bool, rule: &'static str) -> Verdict {
    Verdict {
        breaking,
        rule: Some(rule),
    }
}

const fn wire_unruled(breaking: bool) -> Verdict {
    Verdict {
        breaking,
        rule: None,
    }
}

/// What the changes mean for the crate's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    None,
    /// Additions only.
    Minor,
    /// Something that compiled no longer does.
    Major,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub changes: Vec<Change>,
    pub bump: Bump,
    /// The version before, and the one the bump gives.
    pub from: String,
    pub to: String,
}

/// Where a type is used: sent (a request body or parameter, or inside
/// one), received (a response, or inside one), or both. A field added to
/// a type only received changes nothing a client sends.
#[derive(Debug, Default)]
struct Roles {
    sent: BTreeSet<String>,
    received: BTreeSet<String>,
}

/// A manifest's types by path (`account::models::Model`).
fn type_index(m: &ApiManifest) -> BTreeMap<String, &TypeApi> {
    let mut types: BTreeMap<String, &TypeApi> = BTreeMap::new();
    for t in &m.common_types {
        types.insert(format!("models::{}", t.name), t);
    }
    for s in &m.surfaces {
        for t in &s.types {
            types.insert(format!("{}::models::{}", s.module, t.name), t);
        }
    }
    types
}

/// What the comparison needs besides the two sides at hand.
struct Ctx<'a> {
    roles: Roles,
    old_types: BTreeMap<String, &'a TypeApi>,
    new_types: BTreeMap<String, &'a TypeApi>,
}

impl Ctx<'_> {
    /// Whether code that used the old type breaks with the new one.
    fn rust_retype(&self, old: &str, new: &str) -> bool {
        rust_type(old, &self.old_types, 0) != rust_type(new, &self.new_types, 0)
    }

    /// A type changed in Rust: on the wire only if the JSON it stands for
    /// did (an alias of a string, or a string enum, made a plain
    /// `String` sends and reads the same JSON).
    fn type_verdict(&self, old: &str, new: &str) -> Verdict {
        let (a, b) = (
            json_shape(old, &self.old_types, 0),
            json_shape(new, &self.new_types, 0),
        );
        let base = |s: &str| s.split('/').next().unwrap_or_default().to_string();
        if a == b {
            wire_unruled(false)
        } else if base(&a) == base(&b) {
            wire(true, "1023 TypeFormatChanged")
        } else {
            wire(true, "1026 TypeChanged")
        }
    }
}

/// A type string with aliases resolved: the Rust type it is (an alias is
/// the type it names, so a field moved from `SubnetId` = `String` to
/// `String` compiles as before).
fn rust_type(ty: &str, types: &BTreeMap<String, &TypeApi>, depth: usize) -> String {
    if depth > 32 {
        return ty.to_string();
    }
    for (open, close) in [("Vec<", ">"), ("BTreeMap<String, ", ">"), ("Page<", ">")] {
        if let Some(inner) = ty.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
            return format!("{open}{}{close}", rust_type(inner, types, depth + 1));
        }
    }
    match types.get(ty) {
        Some(t) if t.kind == "alias" => {
            t.of.as_deref()
                .map_or_else(|| ty.to_string(), |of| rust_type(of, types, depth + 1))
        }
        _ => ty.to_string(),
    }
}

/// The JSON a type string stands for: through aliases, an enum as a
/// string, a struct or union as an object of its name.
fn json_shape(ty: &str, types: &BTreeMap<String, &TypeApi>, depth: usize) -> String {
    if depth > 32 {
        return ty.to_string();
    }
    let inner = |prefix: &str| {
        ty.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix('>'))
            .map(|t| json_shape(t, types, depth + 1))
    };
    if let Some(t) = inner("Vec<") {
        return format!("array of {t}");
    }
    if let Some(t) = inner("BTreeMap<String, ") {
        return format!("map of {t}");
    }
    if let Some(t) = inner("Page<") {
        return format!("page of {t}");
    }
    if let Some(t) = types.get(ty) {
        return match (t.kind.as_str(), &t.of) {
            ("alias", Some(of)) => json_shape(of, types, depth + 1),
            ("enum", _) => "string".to_string(),
            _ => format!("object {}", t.name),
        };
    }
    match ty {
        "String" | "SecretString" => "string",
        "OffsetDateTime" => "string/date-time",
        "OffsetDateTime (RFC 1123)" => "string/date-time-rfc1123",
        "Base64Url" => "string/base64url",
        "Vec<u8>" => "string/byte",
        "i32" => "integer/int32",
        "i64" => "integer/int64",
        "f32" => "number/float",
        "f64" => "number/double",
        "bool" => "boolean",
        other => other,
    }
    .to_string()
}

impl Roles {
    /// `types`: `m`'s type index.
    fn of(m: &ApiManifest, types: &BTreeMap<String, &TypeApi>) -> Self {
        let mut roles = Roles::default();
        for op in m.surfaces.iter().flat_map(|s| &s.operations) {
            let sent = op
                .params
                .iter()
                .map(|p| p.ty.as_str())
                .chain(op.body.iter().map(|b| b.ty.as_str()));
            for ty in sent {
                reach(ty, types, &mut roles.sent);
            }
            for ty in op.responses.iter().filter_map(|r| r.ty.as_deref()) {
                reach(ty, types, &mut roles.received);
            }
        }
        roles
    }

    fn received_only(&self, path: &str) -> bool {
        self.received.contains(path) && !self.sent.contains(path)
    }
}

/// Every named type a type string leads to, through fields, aliases and
/// union variants.
fn reach(ty: &str, types: &BTreeMap<String, &TypeApi>, seen: &mut BTreeSet<String>) {
    let mut stack: Vec<String> = named_in(ty);
    while let Some(path) = stack.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let Some(t) = types.get(&path) else {
            continue;
        };
        for f in &t.fields {
            stack.extend(named_in(&f.ty));
        }
        if let Some(of) = &t.of {
            stack.extend(named_in(of));
        }
    }
}

/// The generated types a type string names (`Vec<account::models::Model>`
/// → `account::models::Model`).
fn named_in(ty: &str) -> Vec<String> {
    ty.split(['<', '>', ',', ' '])
        .filter(|t| t.contains("::models::") || t.starts_with("models::"))
        .map(str::to_string)
        .collect()
}

pub fn diff(old: &ApiManifest, new: &ApiManifest) -> Report {
    let mut changes = Vec::new();
    let new_types = type_index(new);
    let ctx = Ctx {
        roles: Roles::of(new, &new_types),
        old_types: type_index(old),
        new_types,
    };
    let old_surfaces: BTreeMap<&str, &SurfaceApi> = old
        .surfaces
        .iter()
        .map(|s| (s.feature.as_str(), s))
        .collect();
    let new_surfaces: BTreeMap<&str, &SurfaceApi> = new
        .surfaces
        .iter()
        .map(|s| (s.feature.as_str(), s))
        .collect();
    for (feature, o) in &old_surfaces {
        match new_surfaces.get(feature) {
            None => changes.push(Change {
                what: format!("surface `{feature}` (module `{}`) removed", o.module),
                kind: ChangeKind::Removed,
                wire: wire_unruled(true),
                rust_breaking: true,
            }),
            Some(n) => surface(o, n, &ctx, &mut changes),
        }
    }
    for (feature, n) in &new_surfaces {
        if !old_surfaces.contains_key(feature) {
            changes.push(Change {
                what: format!(
                    "surface `{feature}` (module `{}`, {} operations) added",
                    n.module,
                    n.operations.len()
                ),
                kind: ChangeKind::Added,
                wire: wire_unruled(false),
                rust_breaking: false,
            });
        }
    }
    types(
        "models",
        &old.common_types,
        &new.common_types,
        &ctx,
        &mut changes,
    );
    let bump = if changes.iter().any(|c| c.rust_breaking) {
        Bump::Major
    } else if changes.is_empty() {
        Bump::None
    } else {
        Bump::Minor
    };
    Report {
        from: old.version.clone(),
        to: next_version(&old.version, bump),
        changes,
        bump,
    }
}

/// Cargo's reading of semver: before 1.0, the minor digit is the major.
pub(super) fn next_version(version: &str, bump: Bump) -> String {
    let mut parts = version
        .split('.')
        .map(|p| p.parse::<u64>().unwrap_or(0))
        .chain(std::iter::repeat(0));
    let (major, minor, patch) = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    match (bump, major) {
        (Bump::None, _) => format!("{major}.{minor}.{patch}"),
        (Bump::Major, 0) => format!("0.{}.0", minor + 1),
        (Bump::Major, _) => format!("{}.0.0", major + 1),
        (Bump::Minor, 0) => format!("0.{minor}.{}", patch + 1),
        (Bump::Minor, _) => format!("{major}.{}.0", minor + 1),
    }
}

fn surface(o: &SurfaceApi, n: &SurfaceApi, ctx: &Ctx<'_>, changes: &mut Vec<Change>) {
    let feature = &o.feature;
    if o.api_version != n.api_version {
        changes.push(Change {
            what: format!(
                "`{feature}`: default api-version {} → {}",
                o.api_version.as_deref().unwrap_or("(none)"),
                n.api_version.as_deref().unwrap_or("(none)")
            ),
            kind: ChangeKind::Changed,
            wire: wire_unruled(false),
            rust_breaking: false,
        });
    }
    let old_ops: BTreeMap<&str, &OperationApi> = o
        .operations
        .iter()
        .map(|op| (op.operation_id.as_str(), op))
        .collect();
    let new_ops: BTreeMap<&str, &OperationApi> = n
        .operations
        .iter()
        .map(|op| (op.operation_id.as_str(), op))
        .collect();
    // An operationId renamed: the same method and path under a new id.
    let mut renamed: BTreeMap<&str, &OperationApi> = BTreeMap::new();
    for (id, op) in &old_ops {
        if new_ops.contains_key(id) {
            continue;
        }
        let successor = n.operations.iter().find(|x| {
            !old_ops.contains_key(x.operation_id.as_str())
                && x.method == op.method
                && x.path == op.path
        });
        match successor {
            Some(x) => {
                renamed.insert(x.operation_id.as_str(), op);
                changes.push(Change {
                    what: format!(
                        "`{feature}`: operationId `{id}` is now `{}` ({} → {})",
                        x.operation_id, op.rust, x.rust
                    ),
                    kind: ChangeKind::Changed,
                    wire: wire(true, "1008 ModifiedOperationId"),
                    rust_breaking: op.rust != x.rust,
                });
                operation(feature, op, x, ctx, changes);
            }
            None => changes.push(Change {
                what: format!("`{feature}`: operation `{id}` ({}) removed", op.rust),
                kind: ChangeKind::Removed,
                wire: wire(true, "1035 RemovedOperation"),
                rust_breaking: true,
            }),
        }
    }
    for (id, op) in &new_ops {
        match old_ops.get(id) {
            Some(o) => operation(feature, o, op, ctx, changes),
            None if renamed.contains_key(id) => {}
            None => changes.push(Change {
                what: format!("`{feature}`: operation `{id}` ({}) added", op.rust),
                kind: ChangeKind::Added,
                wire: wire(false, "1039 AddedOperation"),
                rust_breaking: false,
            }),
        }
    }
    types(
        &format!("{}::models", o.module),
        &o.types,
        &n.types,
        ctx,
        changes,
    );
}

fn operation(
    feature: &str,
    o: &OperationApi,
    n: &OperationApi,
    ctx: &Ctx<'_>,
    changes: &mut Vec<Change>,
) {
    let at = format!("`{feature}`: `{}` ({})", n.operation_id, n.rust);
    if o.rust != n.rust && o.operation_id == n.operation_id {
        changes.push(Change {
            what: format!("{at}: Rust method was {}", o.rust),
            kind: ChangeKind::Changed,
            wire: wire_unruled(false),
            rust_breaking: true,
        });
    }
    if o.kind != n.kind {
        let (verdict, what) = if o.kind == "long-running" || n.kind == "long-running" {
            (
                wire(true, "1044 XmsLongRunningOperationChanged"),
                "long-running",
            )
        } else {
            // x-ms-pageable says how clients read, not what is sent.
            (wire_unruled(false), "pageable")
        };
        changes.push(Change {
            what: format!("{at}: {} → {} ({what} marker)", o.kind, n.kind),
            kind: ChangeKind::Changed,
            wire: verdict,
            rust_breaking: true,
        });
    }
    let key = |p: &ParamApi| (p.location.clone(), p.wire.clone());
    let old_params: BTreeMap<_, &ParamApi> = o.params.iter().map(|p| (key(p), p)).collect();
    let new_params: BTreeMap<_, &ParamApi> = n.params.iter().map(|p| (key(p), p)).collect();
    for (k, p) in &old_params {
        let Some(q) = new_params.get(k) else {
            let (verdict, what) = if p.required {
                (wire(true, "1009 RemovedRequiredParameter"), "required")
            } else {
                (wire(true, "1046 RemovedOptionalParameter"), "optional")
            };
            changes.push(Change {
                what: format!("{at}: {what} {} parameter `{}` removed", p.location, p.wire),
                kind: ChangeKind::Removed,
                wire: verdict,
                rust_breaking: true,
            });
            continue;
        };
        if p.required != q.required {
            changes.push(Change {
                what: format!(
                    "{at}: {} parameter `{}` is now {}",
                    p.location,
                    p.wire,
                    if q.required { "required" } else { "optional" }
                ),
                // Optional where it was required: every old request still valid.
                kind: ChangeKind::Changed,
                wire: wire(q.required, "1025 RequiredStatusChange"),
                rust_breaking: true,
            });
        }
        if p.ty != q.ty {
            changes.push(Change {
                what: format!("{at}: parameter `{}` type {} → {}", p.wire, p.ty, q.ty),
                kind: ChangeKind::Changed,
                wire: ctx.type_verdict(&p.ty, &q.ty),
                rust_breaking: ctx.rust_retype(&p.ty, &q.ty),
            });
        }
    }
    for (k, q) in &new_params {
        if old_params.contains_key(k) {
            continue;
        }
        let (verdict, what) = if q.required {
            (wire(true, "1010 AddingRequiredParameter"), "required")
        } else {
            (wire(false, "1043 AddingOptionalParameter"), "optional")
        };
        changes.push(Change {
            what: format!("{at}: {what} {} parameter `{}` added", q.location, q.wire),
            kind: ChangeKind::Added,
            wire: verdict,
            // An optional one is a field and a setter of a non-exhaustive
            // options struct.
            rust_breaking: q.required,
        });
    }
    match (&o.body, &n.body) {
        (None, Some(b)) => changes.push(Change {
            what: format!("{at}: request body {} added", b.ty),
            kind: ChangeKind::Added,
            wire: wire_unruled(b.required),
            rust_breaking: true,
        }),
        (Some(b), None) => changes.push(Change {
            what: format!("{at}: request body {} removed", b.ty),
            kind: ChangeKind::Removed,
            wire: wire(true, "1003 RequestBodyFormatNoLongerSupported"),
            rust_breaking: true,
        }),
        (Some(a), Some(b)) if a.ty != b.ty => changes.push(Change {
            what: format!("{at}: request body {} → {}", a.ty, b.ty),
            kind: ChangeKind::Changed,
            wire: ctx.type_verdict(&a.ty, &b.ty),
            rust_breaking: ctx.rust_retype(&a.ty, &b.ty),
        }),
        (Some(a), Some(b)) if a.required != b.required => changes.push(Change {
            what: format!(
                "{at}: request body now {}",
                if b.required { "required" } else { "optional" }
            ),
            kind: ChangeKind::Changed,
            wire: wire(b.required, "1025 RequiredStatusChange"),
            rust_breaking: true,
        }),
        _ => {}
    }
    let old_responses: BTreeMap<u16, &Option<String>> =
        o.responses.iter().map(|r| (r.status, &r.ty)).collect();
    let new_responses: BTreeMap<u16, &Option<String>> =
        n.responses.iter().map(|r| (r.status, &r.ty)).collect();
    for (status, ty) in &old_responses {
        match new_responses.get(status) {
            None => changes.push(Change {
                what: format!("{at}: response {status} removed"),
                kind: ChangeKind::Removed,
                wire: wire(false, "1012 RemovedResponseCode"),
                rust_breaking: o.kind == "plain",
            }),
            Some(t) if t != ty => changes.push(Change {
                what: format!(
                    "{at}: response {status} body {} → {}",
                    ty.as_deref().unwrap_or("(none)"),
                    t.as_deref().unwrap_or("(none)")
                ),
                kind: ChangeKind::Changed,
                wire: match (ty.as_deref(), t.as_deref()) {
                    (Some(a), Some(b)) => ctx.type_verdict(a, b),
                    _ => wire(true, "1026 TypeChanged"),
                },
                rust_breaking: match (ty.as_deref(), t.as_deref()) {
                    (Some(a), Some(b)) => ctx.rust_retype(a, b),
                    _ => true,
                },
            }),
            Some(_) => {}
        }
    }
    for status in new_responses.keys() {
        if !old_responses.contains_key(status) {
            changes.push(Change {
                what: format!("{at}: response {status} added"),
                kind: ChangeKind::Added,
                wire: wire(true, "1011 AddingResponseCode"),
                rust_breaking: o.kind == "plain",
            });
        }
    }
}

fn types(module: &str, old: &[TypeApi], new: &[TypeApi], ctx: &Ctx<'_>, changes: &mut Vec<Change>) {
    let old_types: BTreeMap<&str, &TypeApi> = old.iter().map(|t| (t.name.as_str(), t)).collect();
    let new_types: BTreeMap<&str, &TypeApi> = new.iter().map(|t| (t.name.as_str(), t)).collect();
    for (name, o) in &old_types {
        match new_types.get(name) {
            None => changes.push(Change {
                what: format!("type `{module}::{name}` removed"),
                kind: ChangeKind::Removed,
                wire: wire(true, "1006 RemovedDefinition"),
                rust_breaking: true,
            }),
            Some(n) => {
                let path = format!("{module}::{name}");
                type_change(&path, o, n, ctx, changes);
            }
        }
    }
    for name in new_types.keys() {
        if !old_types.contains_key(name) {
            changes.push(Change {
                what: format!("type `{module}::{name}` added"),
                kind: ChangeKind::Added,
                wire: wire_unruled(false),
                rust_breaking: false,
            });
        }
    }
}

fn type_change(path: &str, o: &TypeApi, n: &TypeApi, ctx: &Ctx<'_>, changes: &mut Vec<Change>) {
    let received_only = ctx.roles.received_only(path);
    if o.kind != n.kind {
        changes.push(Change {
            what: format!("type `{path}` was a {}, is a {}", o.kind, n.kind),
            kind: ChangeKind::Changed,
            wire: wire(true, "1026 TypeChanged"),
            rust_breaking: true,
        });
        return;
    }
    if o.of != n.of {
        let rule = if o.kind == "union" {
            "1030 DifferentDiscriminator"
        } else {
            "1026 TypeChanged"
        };
        changes.push(Change {
            what: format!(
                "type `{path}`: {} → {}",
                o.of.as_deref().unwrap_or("(none)"),
                n.of.as_deref().unwrap_or("(none)")
            ),
            kind: ChangeKind::Changed,
            wire: wire(true, rule),
            rust_breaking: true,
        });
    }
    let field_key = |f: &FieldApi| f.wire.clone();
    let old_fields: BTreeMap<String, &FieldApi> =
        o.fields.iter().map(|f| (field_key(f), f)).collect();
    let new_fields: BTreeMap<String, &FieldApi> =
        n.fields.iter().map(|f| (field_key(f), f)).collect();
    for (wire_name, f) in &old_fields {
        let Some(g) = new_fields.get(wire_name) else {
            changes.push(Change {
                what: format!("`{path}.{}` removed", f.rust),
                kind: ChangeKind::Removed,
                wire: wire(true, "1033 RemovedProperty"),
                rust_breaking: true,
            });
            continue;
        };
        if f.ty != g.ty {
            changes.push(Change {
                what: format!("`{path}.{}` type {} → {}", f.rust, f.ty, g.ty),
                kind: ChangeKind::Changed,
                wire: ctx.type_verdict(&f.ty, &g.ty),
                rust_breaking: ctx.rust_retype(&f.ty, &g.ty),
            });
        }
        if f.required != g.required {
            changes.push(Change {
                what: format!(
                    "`{path}.{}` is now {}",
                    f.rust,
                    if g.required { "required" } else { "optional" }
                ),
                kind: ChangeKind::Changed,
                wire: wire(true, "1025 RequiredStatusChange"),
                // The field's type gains or loses its `Option`, and `new`
                // its argument.
                rust_breaking: true,
            });
        }
    }
    for (wire_name, g) in &new_fields {
        if old_fields.contains_key(wire_name) {
            continue;
        }
        let (verdict, what) = match (received_only, g.required) {
            // Clients read what they know and keep the rest.
            (true, required) => (
                wire(false, "1041 AddedPropertyInResponse"),
                if required { "required" } else { "optional" },
            ),
            (false, true) => (wire(true, "1034 AddedRequiredProperty"), "required"),
            (false, false) => (wire(false, "1045 AddedOptionalProperty"), "optional"),
        };
        changes.push(Change {
            what: format!("`{path}.{}`: {what} field added ({})", g.rust, g.ty),
            kind: ChangeKind::Added,
            wire: verdict,
            // An optional field of a non-exhaustive struct breaks nothing;
            // a required one is a new argument of `new`.
            rust_breaking: g.required,
        });
    }
    for (i, v) in o.values.iter().enumerate() {
        if !n.values.contains(v) {
            // The Rust variant may stay, with another value on the wire (a
            // subtype's tag renamed).
            let variant_kept = o.variants.get(i).is_some_and(|r| n.variants.contains(r));
            changes.push(Change {
                what: format!("`{path}`: value `{v}` removed"),
                kind: ChangeKind::Removed,
                // oad has a rule for enum values, none for a subtype's tag.
                wire: if n.kind == "enum" {
                    wire(true, "1019 RemovedEnumValue")
                } else {
                    wire_unruled(true)
                },
                rust_breaking: !variant_kept,
            });
        }
    }
    for v in &n.values {
        if !o.values.contains(v) {
            changes.push(Change {
                what: format!("`{path}`: value `{v}` added"),
                kind: ChangeKind::Added,
                wire: if n.kind == "enum" {
                    wire(false, "1020 AddedEnumValue")
                } else {
                    wire_unruled(false)
                },
                // Enums and unions are non-exhaustive.
                rust_breaking: false,
            });
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return writeln!(f, "no API change");
        }
        let breaking = self.changes.iter().filter(|c| c.rust_breaking).count();
        writeln!(
            f,
            "API changes: {} ({breaking} breaking for Rust users)",
            self.changes.len()
        )?;
        for c in &self.changes {
            let rust = if c.rust_breaking {
                "BREAKING"
            } else {
                "compatible"
            };
            let wire = match (c.wire.breaking, c.wire.rule) {
                (true, Some(rule)) => format!("wire: breaking [{rule}]"),
                (false, Some(rule)) => format!("wire: compatible [{rule}]"),
                (true, None) => "wire: breaking".to_string(),
                (false, None) => "wire: compatible".to_string(),
            };
            writeln!(f, "  {rust:<10} {}  ({wire})", c.what)?;
        }
        let bump = match self.bump {
            Bump::None => "none",
            Bump::Minor => "minor (additions only)",
            Bump::Major => "major (breaking)",
        };
        writeln!(f, "semver: {bump}: {} → {}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::super::manifest::{BodyApi, ResponseApi};
    use super::*;

    fn field(wire: &str, ty: &str, required: bool) -> FieldApi {
        FieldApi {
            wire: wire.into(),
            rust: wire.into(),
            ty: ty.into(),
            required,
        }
    }

    fn model(fields: Vec<FieldApi>) -> TypeApi {
        TypeApi {
            name: "Model".into(),
            kind: "struct".into(),
            fields,
            values: Vec::new(),
            variants: Vec::new(),
            of: None,
        }
    }

    fn state(values: &[&str]) -> TypeApi {
        TypeApi {
            name: "State".into(),
            kind: "enum".into(),
            fields: Vec::new(),
            values: values.iter().map(|v| v.to_string()).collect(),
            variants: values.iter().map(|v| v.to_string()).collect(),
            of: None,
        }
    }

    fn op(id: &str, params: Vec<ParamApi>, body: bool) -> OperationApi {
        OperationApi {
            operation_id: id.into(),
            method: if body { "PUT" } else { "GET" }.into(),
            path: format!("/things/{id}"),
            rust: format!("ThingsClient::{}", id.to_lowercase()),
            kind: "plain".into(),
            params,
            body: body.then(|| BodyApi {
                ty: "svc::models::Model".into(),
                required: true,
            }),
            responses: vec![ResponseApi {
                status: 200,
                ty: (!body).then(|| "svc::models::Model".into()),
            }],
        }
    }

    fn query(wire: &str, required: bool) -> ParamApi {
        ParamApi {
            wire: wire.into(),
            location: "query".into(),
            rust: wire.into(),
            ty: "String".into(),
            required,
        }
    }

    fn api(operations: Vec<OperationApi>, types: Vec<TypeApi>) -> ApiManifest {
        ApiManifest {
            format: super::super::manifest::FORMAT,
            crate_name: "svc".into(),
            version: "0.3.1".into(),
            surfaces: vec![SurfaceApi {
                feature: "svc".into(),
                module: "svc".into(),
                client: "SvcClient".into(),
                api_version: Some("1".into()),
                operations,
                types,
            }],
            common_types: Vec::new(),
        }
    }

    fn one(old: &ApiManifest, new: &ApiManifest) -> Change {
        let report = diff(old, new);
        let [change] = report.changes.as_slice() else {
            panic!("one change expected: {report}");
        };
        change.clone()
    }

    #[test]
    fn the_same_api_is_no_change() {
        let a = api(vec![op("Get", vec![], false)], vec![model(vec![])]);
        let report = diff(&a, &a.clone());
        assert_eq!(report.bump, Bump::None);
        assert_eq!(report.to, "0.3.1");
        assert_eq!(report.to_string(), "no API change\n");
    }

    #[test]
    fn an_optional_field_only_received_is_compatible_everywhere() {
        let old = api(vec![op("Get", vec![], false)], vec![model(vec![])]);
        let new = api(
            vec![op("Get", vec![], false)],
            vec![model(vec![field("note", "String", false)])],
        );
        let c = one(&old, &new);
        assert!(!c.rust_breaking && !c.wire.breaking, "{c:?}");
        assert_eq!(c.wire.rule, Some("1041 AddedPropertyInResponse"));
        let report = diff(&old, &new);
        assert_eq!(report.bump, Bump::Minor);
        assert_eq!(report.to, "0.3.2");
    }

    #[test]
    fn a_required_field_in_a_request_breaks_both() {
        let old = api(vec![op("Put", vec![], true)], vec![model(vec![])]);
        let new = api(
            vec![op("Put", vec![], true)],
            vec![model(vec![field("size", "i32", true)])],
        );
        let c = one(&old, &new);
        assert!(c.rust_breaking && c.wire.breaking, "{c:?}");
        assert_eq!(c.wire.rule, Some("1034 AddedRequiredProperty"));
        assert_eq!(diff(&old, &new).to, "0.4.0");
    }

    #[test]
    fn parameters_added_removed_and_made_required() {
        let base = api(vec![op("Get", vec![query("a", false)], false)], vec![]);
        let optional = api(
            vec![op("Get", vec![query("a", false), query("b", false)], false)],
            vec![],
        );
        let c = one(&base, &optional);
        assert_eq!(c.wire.rule, Some("1043 AddingOptionalParameter"));
        assert!(!c.rust_breaking && !c.wire.breaking);
        let required = api(
            vec![op("Get", vec![query("a", false), query("b", true)], false)],
            vec![],
        );
        let c = one(&base, &required);
        assert_eq!(c.wire.rule, Some("1010 AddingRequiredParameter"));
        assert!(c.rust_breaking && c.wire.breaking);
        let stricter = api(vec![op("Get", vec![query("a", true)], false)], vec![]);
        let c = one(&base, &stricter);
        assert_eq!(c.wire.rule, Some("1025 RequiredStatusChange"));
        assert!(c.rust_breaking && c.wire.breaking);
        let removed = api(vec![op("Get", vec![], false)], vec![]);
        assert_eq!(
            one(&base, &removed).wire.rule,
            Some("1046 RemovedOptionalParameter")
        );
    }

    #[test]
    fn operations_removed_added_and_renamed() {
        let old = api(vec![op("Get", vec![], false)], vec![]);
        let none = api(vec![], vec![]);
        let c = one(&old, &none);
        assert_eq!(c.wire.rule, Some("1035 RemovedOperation"));
        assert!(c.rust_breaking);
        let c = one(&none, &old);
        assert_eq!(c.wire.rule, Some("1039 AddedOperation"));
        assert!(!c.rust_breaking && !c.wire.breaking);
        let mut renamed = old.clone();
        renamed.surfaces[0].operations[0].operation_id = "Fetch".into();
        let c = one(&old, &renamed);
        assert_eq!(c.wire.rule, Some("1008 ModifiedOperationId"));
        // The Rust method kept its name.
        assert!(!c.rust_breaking, "{c:?}");
    }

    #[test]
    fn enum_values_added_and_removed() {
        let old = api(vec![], vec![state(&["On", "Off"])]);
        let added = api(vec![], vec![state(&["On", "Off", "Paused"])]);
        let c = one(&old, &added);
        assert_eq!(c.wire.rule, Some("1020 AddedEnumValue"));
        assert!(!c.rust_breaking, "enums are non-exhaustive");
        let removed = api(vec![], vec![state(&["On"])]);
        let c = one(&old, &removed);
        assert_eq!(c.wire.rule, Some("1019 RemovedEnumValue"));
        assert!(c.rust_breaking && c.wire.breaking);
    }

    #[test]
    fn kinds_and_field_types() {
        let old = api(
            vec![op("Get", vec![], false)],
            vec![model(vec![field("n", "i32", false)])],
        );
        let mut lro = old.clone();
        lro.surfaces[0].operations[0].kind = "long-running".into();
        let c = one(&old, &lro);
        assert_eq!(c.wire.rule, Some("1044 XmsLongRunningOperationChanged"));
        assert!(c.rust_breaking);
        let mut paged = old.clone();
        paged.surfaces[0].operations[0].kind = "pageable".into();
        let c = one(&old, &paged);
        assert!(c.rust_breaking && !c.wire.breaking, "{c:?}");
        let retyped = api(
            vec![op("Get", vec![], false)],
            vec![model(vec![field("n", "i64", false)])],
        );
        let c = one(&old, &retyped);
        assert_eq!(c.wire.rule, Some("1023 TypeFormatChanged"));
        assert!(c.rust_breaking && c.wire.breaking);
        let texted = api(
            vec![op("Get", vec![], false)],
            vec![model(vec![field("n", "String", false)])],
        );
        let c = one(&old, &texted);
        assert_eq!(c.wire.rule, Some("1026 TypeChanged"));
        // A string enum made a plain string: the same JSON, another Rust type.
        let mut with_enum = api(
            vec![op("Get", vec![], false)],
            vec![
                model(vec![field("s", "svc::models::State", false)]),
                state(&["On"]),
            ],
        );
        let mut plain = with_enum.clone();
        plain.surfaces[0].types[0].fields[0].ty = "String".into();
        plain.surfaces[0].types.truncate(1);
        with_enum.surfaces[0].types.truncate(2);
        let report = diff(&with_enum, &plain);
        let retyped = report
            .changes
            .iter()
            .find(|c| c.what.contains("type svc::models::State → String"))
            .unwrap_or_else(|| panic!("{report}"));
        assert!(retyped.rust_breaking && !retyped.wire.breaking, "{report}");
    }

    #[test]
    fn an_alias_replaced_by_what_it_names_breaks_nothing() {
        let alias = TypeApi {
            name: "SubnetId".into(),
            kind: "alias".into(),
            fields: Vec::new(),
            values: Vec::new(),
            variants: Vec::new(),
            of: Some("String".into()),
        };
        let old = api(
            vec![],
            vec![
                model(vec![field("s", "svc::models::SubnetId", false)]),
                alias.clone(),
            ],
        );
        let new = api(
            vec![],
            vec![model(vec![field("s", "String", false)]), alias],
        );
        let c = one(&old, &new);
        assert!(!c.rust_breaking && !c.wire.breaking, "{c:?}");
    }

    #[test]
    fn versions_follow_cargo_semver() {
        assert_eq!(next_version("0.1.0", Bump::Major), "0.2.0");
        assert_eq!(next_version("0.1.0", Bump::Minor), "0.1.1");
        assert_eq!(next_version("1.4.2", Bump::Major), "2.0.0");
        assert_eq!(next_version("1.4.2", Bump::Minor), "1.5.0");
        assert_eq!(next_version("garbage", Bump::Minor), "0.0.1");
    }
}
