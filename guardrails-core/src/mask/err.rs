//! Errors of masking: a catalogue that does not validate, an unknown strategy, a bad key.

/// Why a catalogue, a strategy or a key was refused.
///
/// ```
/// use guardrails_core::mask::{MaskError, Strategy};
/// let e = Strategy::parse("scramble").unwrap_err();
/// assert!(matches!(e, MaskError::UnknownStrategy(_)));
/// assert_eq!(e.to_string(), "unknown masking strategy `scramble`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MaskError {
    /// The catalogue does not parse or validate.
    #[error("invalid catalogue: {0}")]
    Catalogue(#[from] CatalogueError),
    /// A strategy name that is not known.
    #[error("unknown masking strategy `{}`", .0.name)]
    UnknownStrategy(UnknownStrategy),
    /// A hash key that is not 64 hexadecimal characters.
    #[error("hash key must be 64 hexadecimal characters, got {}", .0.len)]
    BadKey(BadKey),
}

/// A catalogue field that does not parse or validate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct CatalogueError {
    field: String,
    message: String,
}

impl CatalogueError {
    pub(crate) fn new(field: String, message: String) -> Self {
        let field = if field.is_empty() || field == "." {
            "catalogue".to_owned()
        } else {
            field
        };
        CatalogueError { field, message }
    }

    /// The path of the field (`columns[0].match`).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong with it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// An unknown strategy name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStrategy {
    pub(crate) name: String,
}

impl UnknownStrategy {
    /// The name given.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A malformed hash key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadKey {
    pub(crate) len: usize,
}

impl BadKey {
    /// The length of the key given, in characters.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the key given was empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
