//! The shapes every generated enum and union share, written once. The
//! generator emits one macro call per type instead of pages of impls,
//! which keeps the crate small and quick to build.

/// A string enum that keeps values it does not know in a fallback variant,
/// so a new server value never breaks decoding. Aliases are other
/// spellings accepted when decoding (`Canceled` for `Cancelled`).
#[doc(hidden)]
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $fallback:ident,
        [$( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),* $(,)?]
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of the crate does not know, as sent.
            $fallback(::std::string::String),
        }

        impl $name {
            /// The value as it goes on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::$fallback(other) => other,
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire $(| $alias)* => Self::$variant, )*
                    other => Self::$fallback(other.to_string()),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::runtime::QueryValue for $name {
            fn to_query(&self) -> ::std::string::String {
                self.as_str().to_string()
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    };
}

/// A polymorphic type chosen by a discriminator property. Unknown tags
/// decode to `Unknown` with the JSON kept, so new kinds never break decoding.
/// Variants are boxed: the subtypes differ widely in size.
#[doc(hidden)]
#[macro_export]
macro_rules! tagged_union {
    (
        $(#[$meta:meta])*
        $name:ident, tag = $tag:literal,
        [$( $(#[$vmeta:meta])* $variant:ident($ty:ty) = $wire:literal $(| $alias:literal)* ),* $(,)?]
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant(::std::boxed::Box<$ty>), )*
            /// A kind this version of the crate does not know, as sent.
            Unknown(::serde_json::Value),
        }

        impl $name {
            /// The discriminator's value.
            pub fn tag(&self) -> ::std::option::Option<&str> {
                match self {
                    $( Self::$variant(_) => Some($wire), )*
                    Self::Unknown(value) => value.get($tag).and_then(::serde_json::Value::as_str),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(inner) => $crate::runtime::serialize_tagged(serializer, $tag, $wire, &**inner), )*
                    Self::Unknown(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get($tag).and_then(::serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    $( Some($wire $(| $alias)*) => $crate::runtime::decode_variant(&value, $wire)
                        .map(|v| Self::$variant(::std::boxed::Box::new(v)))
                        .map_err(<D::Error as ::serde::de::Error>::custom), )*
                    _ => Ok(Self::Unknown(value)),
                }
            }
        }

        $(
            impl ::std::convert::From<$ty> for $name {
                fn from(value: $ty) -> Self {
                    Self::$variant(::std::boxed::Box::new(value))
                }
            }
        )*
    };
}

/// How every error of [`decode_variant`] begins (`json_path` looks for it).
pub(crate) const VARIANT_ERROR: &str = "variant `";

/// Decodes a union's variant (`wire`, its discriminator value) from the
/// JSON already read. Going through bytes rather than
/// `serde_json::from_value` costs a copy at run time but reuses each
/// model's one compiled decoder (the one responses use) instead of
/// compiling a second one against `serde_json::Value`.
///
/// The error names the path inside the variant; the position serde_json
/// reports would point into the copy, so it is left out.
pub fn decode_variant<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    wire: &str,
) -> Result<T, String> {
    let bytes = serde_json::to_vec(value).map_err(|e| format!("{VARIANT_ERROR}{wire}`: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let message = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = message.strip_suffix(&suffix).unwrap_or(&message);
        match super::json_path::path_of(&bytes, &e).as_str() {
            "." => format!("{VARIANT_ERROR}{wire}`: {message}"),
            path => format!("{VARIANT_ERROR}{wire}` at `{path}`: {message}"),
        }
    })
}

/// Serializes `inner` (a struct) with the discriminator added. `inner` goes
/// to bytes first, as request bodies do, so the model's serializer is the
/// one already compiled for them rather than a second one for `Value`.
pub fn serialize_tagged<S, T>(
    serializer: S,
    tag: &str,
    wire: &str,
    inner: &T,
) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    T: serde::Serialize,
{
    let bytes = serde_json::to_vec(inner).map_err(serde::ser::Error::custom)?;
    let mut value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(serde::ser::Error::custom)?;
    if let serde_json::Value::Object(map) = &mut value {
        map.insert(tag.to_string(), serde_json::Value::String(wire.to_string()));
    }
    serde::Serialize::serialize(&value, serializer)
}

/// Builder-style setters for the optional fields of a generated struct
/// (structs are `#[non_exhaustive]`, so this or assignment is how a user
/// sets one): `with_<field>(value)` stores `Some(value.into())`, boxed for
/// the fields after `boxed`. One line per field in the generated source,
/// where the methods written out took six.
#[doc(hidden)]
#[macro_export]
macro_rules! setters {
    (
        $name:ident $(<$lt:lifetime>)?,
        [$( $(#[$m:meta])* $setter:ident => $field:ident: $ty:ty ),* $(,)?]
        $(, boxed [$( $(#[$bm:meta])* $bsetter:ident => $bfield:ident: $bty:ty ),* $(,)?])?
    ) => {
        impl $(<$lt>)? $name $(<$lt>)? {
            $(
                $(#[$m])*
                pub fn $setter(mut self, value: impl ::std::convert::Into<$ty>) -> Self {
                    self.$field = ::std::option::Option::Some(value.into());
                    self
                }
            )*
            $($(
                $(#[$bm])*
                pub fn $bsetter(mut self, value: impl ::std::convert::Into<$bty>) -> Self {
                    self.$bfield = ::std::option::Option::Some(::std::boxed::Box::new(value.into()));
                    self
                }
            )*)?
        }
    };
}
