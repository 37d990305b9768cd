//! Normalization rules: the decisions about the legacy variants, kept as
//! data beside each spec (`specs/<surface>/normalize.yaml`), each with the
//! reason it exists. A rule that matches nothing is an error, so the rules
//! cannot silently rot when a spec changes.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Location};

/// The name of the rules file beside an entry document.
pub const RULES_FILE: &str = "normalize.yaml";

/// The rules of one surface.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurfaceRules {
    /// Shown in messages: where these rules were read from.
    #[serde(skip)]
    pub file: String,
    #[serde(default)]
    pub surface: SurfaceSettings,
    /// Where operations act within, outermost first.
    #[serde(default)]
    pub scopes: Vec<ScopeRule>,
    /// operationId → canonical group and method.
    #[serde(default)]
    pub operations: BTreeMap<String, OperationRule>,
    /// Parameters renamed to a canonical Rust name, wherever they occur.
    #[serde(default)]
    pub parameters: Vec<ParameterRule>,
    /// Schemas generated once, as a common type shared by surfaces.
    #[serde(default)]
    pub shared_types: Vec<SharedTypeRule>,
    /// Extra spellings of a field accepted when decoding.
    #[serde(default)]
    pub field_aliases: Vec<FieldAliasRule>,
    /// Enum values folded into another value.
    #[serde(default)]
    pub enum_values: Vec<EnumValueRule>,
    /// Further discriminator values a subtype is known by.
    #[serde(default)]
    pub discriminator_values: Vec<DiscriminatorRule>,
    /// Fields whose declared type is wrong.
    #[serde(default)]
    pub field_types: Vec<FieldTypeRule>,
    /// Long-running operations whose polling the spec cannot say.
    #[serde(default)]
    pub long_running: BTreeMap<String, LongRunningRule>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurfaceSettings {
    /// The Rust client type (`HostingAccountClient`).
    pub client: Option<String>,
    /// The `api-version` value sent by default, when the spec's own
    /// `info.version` is not it.
    pub api_version: Option<String>,
    /// The OAuth scope tokens are requested for.
    pub auth_scope: Option<String>,
    /// Whether this surface's first scope takes part in the unified facade
    /// (the data planes).
    #[serde(default)]
    pub facade: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeRule {
    /// The scoped client's Rust type (`HostingAccountScope`).
    pub name: String,
    /// The constructor method on the surface client (`hosting_account`).
    pub method: String,
    pub doc: String,
    /// canonical Rust name → the path-template names it fills.
    pub params: Vec<ScopeParamRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeParamRule {
    pub name: String,
    pub wire: Vec<String>,
    pub doc: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationRule {
    pub group: String,
    pub name: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterRule {
    pub wire: String,
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedTypeRule {
    /// The schema in this surface's spec.
    pub schema: String,
    /// The common type it becomes (in the crate's `models` module).
    pub common: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldAliasRule {
    pub schema: String,
    pub field: String,
    pub aliases: Vec<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValueRule {
    /// The enum's name (`x-ms-enum` name, or the schema name).
    pub enum_name: String,
    /// The value as the spec writes it.
    pub value: String,
    /// The value it is folded into: written as that, and this spelling is
    /// also accepted when decoding.
    pub canonical: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldTypeRule {
    pub schema: String,
    pub field: String,
    /// `any` (any JSON value) or `string`.
    #[serde(rename = "type")]
    pub ty: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscriminatorRule {
    /// The subtype schema.
    pub schema: String,
    /// Tag values accepted for it besides its `x-ms-discriminator-value`.
    pub aliases: Vec<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongRunningRule {
    /// `operation-id`: poll `operations/{id}` with the id from `header`;
    /// `header`: poll the URL in `header`.
    pub handle: String,
    pub header: String,
    /// The status schema polled.
    pub status: String,
    /// The schema fetched from the status's `resourceLocation` when done.
    pub result: Option<String>,
    pub reason: String,
}

/// Reads the rules file beside an entry document, if there is one.
pub fn read(spec_dir: &Path, shown_dir: &str) -> Result<Option<SurfaceRules>, Diagnostic> {
    let path = spec_dir.join(RULES_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let shown = if shown_dir.is_empty() {
        RULES_FILE.to_string()
    } else {
        format!("{shown_dir}/{RULES_FILE}")
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Diagnostic::new(Location::new(&shown, ""), format!("cannot read rules: {e}"))
    })?;
    let deserializer = serde_norway::Deserializer::from_str(&text);
    let mut rules: SurfaceRules = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let pointer = crate::load::serde_path_pointer(e.path());
        Diagnostic::new(
            Location::new(&shown, pointer),
            format!("invalid normalization rules: {}", e.inner()),
        )
    })?;
    rules.file = shown;
    Ok(Some(rules))
}

impl SurfaceRules {
    /// Rules that contradict each other: the same key decided twice,
    /// differently. Each error points at the later rule.
    pub fn conflicts(&self) -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        let mut report = |pointer: String, message: String| {
            errors.push(Diagnostic::new(
                Location::new(self.file.clone(), pointer),
                message,
            ));
        };
        for (i, r) in self.shared_types.iter().enumerate() {
            if let Some(j) = self.shared_types[..i]
                .iter()
                .position(|p| p.schema == r.schema && p.common != r.common)
            {
                report(
                    format!("/shared_types/{i}"),
                    format!(
                        "conflicting rules: schema `{}` is shared as `{}` here and as `{}` at /shared_types/{j}",
                        r.schema, r.common, self.shared_types[j].common
                    ),
                );
            }
        }
        for (i, r) in self.enum_values.iter().enumerate() {
            let earlier = self.enum_values[..i].iter().position(|p| {
                p.enum_name == r.enum_name && p.value == r.value && p.canonical != r.canonical
            });
            if let Some(j) = earlier {
                report(
                    format!("/enum_values/{i}"),
                    format!(
                        "conflicting rules: `{}` of `{}` folds into `{}` here and into `{}` at /enum_values/{j}",
                        r.value, r.enum_name, r.canonical, self.enum_values[j].canonical
                    ),
                );
            }
        }
        for (i, r) in self.parameters.iter().enumerate() {
            if let Some(j) = self.parameters[..i]
                .iter()
                .position(|p| p.wire == r.wire && p.name != r.name)
            {
                report(
                    format!("/parameters/{i}"),
                    format!(
                        "conflicting rules: parameter `{}` is renamed `{}` here and `{}` at /parameters/{j}",
                        r.wire, r.name, self.parameters[j].name
                    ),
                );
            }
        }
        // Names taken as written, not through `naming`: they must already
        // be usable in the generated code.
        let mut names: Vec<(String, &str, bool)> = Vec::new();
        if let Some(client) = &self.surface.client {
            names.push(("/surface/client".into(), client, true));
        }
        for (i, s) in self.scopes.iter().enumerate() {
            names.push((format!("/scopes/{i}/name"), &s.name, true));
            names.push((format!("/scopes/{i}/method"), &s.method, false));
            for (k, p) in s.params.iter().enumerate() {
                names.push((format!("/scopes/{i}/params/{k}/name"), &p.name, false));
            }
        }
        for (i, r) in self.shared_types.iter().enumerate() {
            names.push((format!("/shared_types/{i}/common"), &r.common, true));
        }
        for (pointer, name, is_type) in names {
            let problem = if is_type {
                crate::naming::unusable_type_name(name)
            } else {
                crate::naming::unusable_value_name(name)
            };
            if let Some(problem) = problem {
                report(pointer, format!("{problem}; choose another name"));
            }
        }
        for (i, s) in self.scopes.iter().enumerate() {
            if let Some(j) = self.scopes[..i]
                .iter()
                .position(|p| p.name == s.name || p.method == s.method)
            {
                report(
                    format!("/scopes/{i}"),
                    format!(
                        "conflicting rules: scope `{}` reuses the name or method of /scopes/{j}",
                        s.name
                    ),
                );
            }
        }
        errors
    }
}
