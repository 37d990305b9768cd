//! One flat view of an `openapiv3::Schema`, whichever way the crate chose to
//! represent it (`Type::String(..)`, `AnySchema`, `AllOf`…), so the type
//! builder asks one set of questions.

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaData, SchemaKind, Type};
use serde_json::Value;

/// A schema or a reference to one, borrowed from the document.
#[derive(Debug, Clone, Copy)]
pub enum SchemaRef<'a> {
    Ref(&'a str),
    Inline(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SchemaRef<'a> {
    fn from(r: &'a ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SchemaRef<'a> {
    fn from(r: &'a ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

/// The limits a schema states, for documentation.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub pattern: Option<String>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
}

pub struct View<'a> {
    pub data: &'a SchemaData,
    pub typ: Option<&'a str>,
    pub format: Option<String>,
    pub enum_values: Vec<Value>,
    pub properties: Option<&'a IndexMap<String, ReferenceOr<Box<Schema>>>>,
    pub required: &'a [String],
    pub additional: Option<&'a AdditionalProperties>,
    pub items: Option<SchemaRef<'a>>,
    pub all_of: &'a [ReferenceOr<Schema>],
    /// `oneOf`/`anyOf`/`not`: no Rust shape is derived from them.
    pub has_alternatives: bool,
    pub limits: Limits,
}

const NO_REQUIRED: &[String] = &[];
const NO_PARTS: &[ReferenceOr<Schema>] = &[];

fn format_of<T: std::fmt::Debug>(
    f: &openapiv3::VariantOrUnknownOrEmpty<T>,
    name: impl Fn(&T) -> &'static str,
) -> Option<String> {
    match f {
        openapiv3::VariantOrUnknownOrEmpty::Item(v) => Some(name(v).to_string()),
        openapiv3::VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        openapiv3::VariantOrUnknownOrEmpty::Empty => None,
    }
}

impl<'a> View<'a> {
    pub fn of(schema: &'a Schema) -> Self {
        let mut v = View {
            data: &schema.schema_data,
            typ: None,
            format: None,
            enum_values: Vec::new(),
            properties: None,
            required: NO_REQUIRED,
            additional: None,
            items: None,
            all_of: NO_PARTS,
            has_alternatives: false,
            limits: Limits::default(),
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                v.typ = Some("string");
                v.format = format_of(&s.format, |f| match f {
                    openapiv3::StringFormat::Date => "date",
                    openapiv3::StringFormat::DateTime => "date-time",
                    openapiv3::StringFormat::Password => "password",
                    openapiv3::StringFormat::Byte => "byte",
                    openapiv3::StringFormat::Binary => "binary",
                });
                v.enum_values = s
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|s| Value::String(s.clone()))
                    .collect();
                v.limits.min_length = s.min_length;
                v.limits.max_length = s.max_length;
                v.limits.pattern = s.pattern.clone();
            }
            SchemaKind::Type(Type::Number(n)) => {
                v.typ = Some("number");
                v.format = format_of(&n.format, |f| match f {
                    openapiv3::NumberFormat::Float => "float",
                    openapiv3::NumberFormat::Double => "double",
                });
                v.enum_values = n
                    .enumeration
                    .iter()
                    .flatten()
                    .filter_map(|f| serde_json::Number::from_f64(*f))
                    .map(Value::Number)
                    .collect();
                v.limits.minimum = n.minimum;
                v.limits.maximum = n.maximum;
            }
            SchemaKind::Type(Type::Integer(i)) => {
                v.typ = Some("integer");
                v.format = format_of(&i.format, |f| match f {
                    openapiv3::IntegerFormat::Int32 => "int32",
                    openapiv3::IntegerFormat::Int64 => "int64",
                });
                v.enum_values = i
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|n| Value::from(*n))
                    .collect();
                v.limits.minimum = i.minimum.map(|n| n as f64);
                v.limits.maximum = i.maximum.map(|n| n as f64);
            }
            SchemaKind::Type(Type::Boolean(b)) => {
                v.typ = Some("boolean");
                v.enum_values = b
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|b| Value::Bool(*b))
                    .collect();
            }
            SchemaKind::Type(Type::Object(o)) => {
                v.typ = Some("object");
                v.properties = Some(&o.properties);
                v.required = &o.required;
                v.additional = o.additional_properties.as_ref();
            }
            SchemaKind::Type(Type::Array(a)) => {
                v.typ = Some("array");
                v.items = a.items.as_ref().map(SchemaRef::from);
                v.limits.min_items = a.min_items;
                v.limits.max_items = a.max_items;
            }
            SchemaKind::AllOf { all_of } => v.all_of = all_of,
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::Not { .. } => {
                v.has_alternatives = true;
            }
            SchemaKind::Any(a) => {
                v.typ = a.typ.as_deref();
                v.format = a.format.clone();
                v.enum_values = a.enumeration.clone();
                v.properties = (!a.properties.is_empty()).then_some(&a.properties);
                v.required = &a.required;
                v.additional = a.additional_properties.as_ref();
                v.items = a.items.as_ref().map(SchemaRef::from);
                v.all_of = &a.all_of;
                v.has_alternatives =
                    !a.one_of.is_empty() || !a.any_of.is_empty() || a.not.is_some();
                v.limits = Limits {
                    min_length: a.min_length,
                    max_length: a.max_length,
                    pattern: a.pattern.clone(),
                    minimum: a.minimum,
                    maximum: a.maximum,
                    min_items: a.min_items,
                    max_items: a.max_items,
                };
            }
        }
        v
    }

    pub fn extension(&self, name: &str) -> Option<&'a Value> {
        self.data.extensions.get(name)
    }

    pub fn is_secret(&self) -> bool {
        self.extension("x-ms-secret").and_then(Value::as_bool) == Some(true)
            || self.format.as_deref() == Some("password")
    }

    /// The `x-ms-enum` name, if any.
    pub fn enum_name(&self) -> Option<&'a str> {
        self.extension("x-ms-enum")?.get("name")?.as_str()
    }

    /// Per-value descriptions from `x-ms-enum.values`.
    pub fn enum_value_doc(&self, value: &str) -> Option<String> {
        let values = self.extension("x-ms-enum")?.get("values")?.as_array()?;
        values
            .iter()
            .find(|v| v.get("value").and_then(Value::as_str) == Some(value))
            .and_then(|v| v.get("description"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    pub fn is_object_like(&self) -> bool {
        self.typ == Some("object") || self.properties.is_some() || !self.all_of.is_empty()
    }

    /// Documentation: description (or title), then the limits it states.
    pub fn doc(&self) -> Option<String> {
        let mut doc = self
            .data
            .description
            .clone()
            .or_else(|| self.data.title.clone())
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty());
        let l = &self.limits;
        let mut limits = Vec::new();
        match (l.min_length, l.max_length) {
            (Some(min), Some(max)) => limits.push(format!("{min} to {max} characters")),
            (None, Some(max)) => limits.push(format!("at most {max} characters")),
            (Some(min), None) => limits.push(format!("at least {min} characters")),
            (None, None) => {}
        }
        if let Some(p) = &l.pattern {
            limits.push(format!("pattern `{p}`"));
        }
        if let Some(min) = l.minimum {
            limits.push(format!("minimum {min}"));
        }
        if let Some(max) = l.maximum {
            limits.push(format!("maximum {max}"));
        }
        if let Some(min) = l.min_items {
            limits.push(format!("at least {min} items"));
        }
        if let Some(max) = l.max_items {
            limits.push(format!("at most {max} items"));
        }
        if !limits.is_empty() {
            let line = format!("Limits: {}.", limits.join("; "));
            doc = Some(match doc {
                Some(d) => format!("{d}\n\n{line}"),
                None => line,
            });
        }
        doc
    }
}
