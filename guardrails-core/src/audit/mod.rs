//! The audit trail: every decision as a record in a BLAKE3 hash chain (keyed when a key is
//! given), a crash-safe JSONL file sink, streaming verification that names the first bad
//! record, and OCSF export.
//!
//! ```
//! use std::time::SystemTime;
//! use guardrails_core::audit::{verify, AuditKey, Chain, ErrorKind};
//! use guardrails_core::{evaluate, Action, Context, Dialect};
//! let key: AuditKey = "42".repeat(32).parse()?;
//! let mut chain = Chain::new(Some(key.clone()));
//! let action = Action::sql(Dialect::Postgres, "ALTER USER app PASSWORD 'hunter2'");
//! let decision = evaluate(&action, &Context::default());
//! let line = chain.append(&action, &Context::default(), &decision, SystemTime::now()).to_line() + "\n";
//! assert!(!line.contains("hunter2"));
//! assert_eq!(verify(line.as_bytes(), Some(&key), None)?.count, 1);
//! let edited = line.replace("ALTER USER app", "ALTER USER bob");
//! assert_eq!(verify(edited.as_bytes(), Some(&key), None).unwrap_err().kind(), ErrorKind::Modified);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The record format, the hash and the OCSF mapping are specified in `docs/audit-format.md`.

mod chain;
mod err;
mod key;
mod ocsf;
mod record;
mod redact;
mod sink;
mod tail;
#[cfg(test)]
mod testgen;
pub(crate) mod time;
mod verify;

pub use chain::Chain;
pub use err::{AuditError, ErrorKind, IoFailure, ParseError, SinkError};
pub use key::{AuditKey, KeyFileError};
pub use ocsf::{to_ocsf, OCSF_VERSION};
pub use record::{AuditRecord, DecisionSummary, Head, RecordContext, FORMAT_VERSION, GENESIS};
pub use redact::{redact_action, RedactedAction, SqlLiterals};
pub use sink::{Appended, Durability, FileSink, Repair, SinkOptions};
pub use tail::segments;
pub use time::{format_rfc3339, parse_rfc3339};
pub use verify::{verify, Verified, Verifier};

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn handles_are_send_and_sync() {
        assert_send_sync::<super::FileSink>();
        assert_send_sync::<super::Chain>();
        assert_send_sync::<super::AuditError>();
        assert_send_sync::<super::SinkError>();
    }
}
