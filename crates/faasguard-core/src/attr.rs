use serde::{Deserialize, Serialize};

use crate::Location;

/// How a model value came to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Origin {
    /// Written in the source.
    Explicit,
    /// Not written; the provider's default applies (Lambda's 3 s timeout, say).
    Default,
    /// Written, but as an expression faasguard cannot evaluate statically
    /// (`!Ref Param`, `${self:custom.x}`, `var.timeout`). `expr` is the expression as written.
    Unresolved { expr: String },
    /// Not written and no default is known.
    Absent,
}

/// A model value together with its provenance: the value (when known), how it was set, and
/// where. Rules read [`Attr::get`] and report at [`Attr::location`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attr<T> {
    pub value: Option<T>,
    pub origin: Origin,
    pub at: Option<Location>,
}

impl<T> Default for Attr<T> {
    fn default() -> Self {
        Attr::absent()
    }
}

impl<T> Attr<T> {
    pub fn explicit(value: T, at: Location) -> Self {
        Attr {
            value: Some(value),
            origin: Origin::Explicit,
            at: Some(at),
        }
    }

    pub fn default_value(value: T) -> Self {
        Attr {
            value: Some(value),
            origin: Origin::Default,
            at: None,
        }
    }

    pub fn unresolved(expr: impl Into<String>, at: Location) -> Self {
        Attr {
            value: None,
            origin: Origin::Unresolved { expr: expr.into() },
            at: Some(at),
        }
    }

    pub fn absent() -> Self {
        Attr {
            value: None,
            origin: Origin::Absent,
            at: None,
        }
    }

    /// The value when it is known (explicit or defaulted).
    pub fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }

    pub fn is_explicit(&self) -> bool {
        self.origin == Origin::Explicit
    }

    pub fn is_unresolved(&self) -> bool {
        matches!(self.origin, Origin::Unresolved { .. })
    }

    /// Set explicitly or left symbolic: something is written in the source.
    pub fn is_written(&self) -> bool {
        matches!(self.origin, Origin::Explicit | Origin::Unresolved { .. })
    }

    pub fn location(&self) -> Option<&Location> {
        self.at.as_ref()
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attr<U> {
        Attr {
            value: self.value.map(f),
            origin: self.origin,
            at: self.at,
        }
    }
}
