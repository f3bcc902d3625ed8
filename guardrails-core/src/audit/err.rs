//! Errors of the audit trail: a chain that does not verify ([`AuditError`]), a sink that
//! cannot write ([`SinkError`]), and text that is not a key or a checkpoint ([`ParseError`]).

use std::path::{Path, PathBuf};

/// What is wrong with the first bad record of a chain.
///
/// ```
/// use guardrails_core::audit::ErrorKind;
/// assert_eq!(ErrorKind::WrongKey.to_string(), "wrong key");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Its hash does not match its bytes: a field was edited, or the record was forged.
    Modified,
    /// Records are missing before it: its sequence number skips ahead.
    Dropped,
    /// It is out of order: a later record comes before an earlier one.
    Reordered,
    /// It does not belong here: a copy of an earlier record, or a record of another chain.
    Inserted,
    /// The chain ends before the expected head: records were cut from the end.
    Truncated,
    /// It was written with another key (or without one) than the one given.
    WrongKey,
    /// It is not a record: not JSON, missing fields, a line cut short.
    Malformed,
}

impl ErrorKind {
    /// A stable lowercase name (`modified`, `dropped`, `reordered`, `inserted`, `truncated`,
    /// `wrong-key`, `malformed`).
    ///
    /// ```
    /// assert_eq!(guardrails_core::audit::ErrorKind::Dropped.code(), "dropped");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Modified => "modified",
            ErrorKind::Dropped => "dropped",
            ErrorKind::Reordered => "reordered",
            ErrorKind::Inserted => "inserted",
            ErrorKind::Truncated => "truncated",
            ErrorKind::WrongKey => "wrong-key",
            ErrorKind::Malformed => "malformed",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ErrorKind::WrongKey => "wrong key",
            other => other.code(),
        })
    }
}

/// A chain that does not verify: the 0-based index of the first bad record in the stream
/// (counting every record of every file given, in order) and what is wrong with it.
///
/// ```
/// use guardrails_core::audit::{verify, ErrorKind};
/// let err = verify("not a record\n".as_bytes(), None, None).unwrap_err();
/// assert_eq!((err.index(), err.kind()), (0, ErrorKind::Malformed));
/// assert!(err.to_string().starts_with("record 0: malformed: "), "{err}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("record {index}: {kind}: {detail}")]
pub struct AuditError {
    index: u64,
    kind: ErrorKind,
    detail: String,
}

impl AuditError {
    pub(crate) fn new(index: u64, kind: ErrorKind, detail: impl Into<String>) -> Self {
        AuditError {
            index,
            kind,
            detail: detail.into(),
        }
    }

    /// The 0-based index of the first bad record in the stream.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// What is wrong with it.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The explanation, without the index and kind.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

/// A file operation of a sink that failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot {op} `{}`: {source}", path.display())]
pub struct IoFailure {
    op: &'static str,
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

impl IoFailure {
    pub(crate) fn new(op: &'static str, path: &Path, source: std::io::Error) -> Self {
        IoFailure {
            op,
            path: path.to_owned(),
            source,
        }
    }

    /// What was attempted (`open`, `lock`, `write`, `sync`, ...).
    pub fn op(&self) -> &str {
        self.op
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The operating system's error.
    pub fn io(&self) -> &std::io::Error {
        &self.source
    }
}

/// Why a file sink could not open or append.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// A file operation failed.
    #[error(transparent)]
    Io(#[from] IoFailure),
    /// The last record of the file is not a valid record of this chain, so the chain cannot
    /// be resumed; `guardrails audit verify` names what is wrong.
    #[error("`{}`: {error}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with its last record.
        error: AuditError,
    },
}

/// Text that is not an audit key or a checkpoint.
///
/// ```
/// let e = "zz".parse::<guardrails_core::audit::AuditKey>().unwrap_err();
/// assert_eq!(e.to_string(), "an audit key is 64 hex digits (32 bytes), got 2 characters");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub(crate) String);
