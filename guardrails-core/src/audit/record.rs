//! The audit record, its line encoding and its hash.
//!
//! A record is one JSON line whose last member is `"hash"`. The hash covers the exact bytes
//! of the line before `,"hash":"`, so a verifier never re-serialises JSON (see
//! `docs/audit-format.md`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::err::{ErrorKind, ParseError};
use super::key::AuditKey;
use super::redact::RedactedAction;
use crate::context::Actor;
use crate::verdict::Verdict;

/// The format version written in every record (`"v"`).
pub const FORMAT_VERSION: u32 = 1;

/// The `prev` of the first record of a chain: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Length of the line's suffix `,"hash":"<64 hex>"}`.
pub(crate) const SUFFIX_LEN: usize = 75;

/// One entry of the audit log: who ran what, in which context, what was decided, chained to
/// the previous entry by its hash.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use guardrails_core::{audit::Chain, evaluate, Action, Context, Dialect};
/// let action = Action::sql(Dialect::Postgres, "DROP TABLE users");
/// let decision = evaluate(&action, &Context::default());
/// let record = Chain::new(None).append(&action, &Context::default(), &decision, UNIX_EPOCH + Duration::from_secs(1));
/// assert_eq!((record.seq, record.time.as_str()), (0, "1970-01-01T00:00:01.000000Z"));
/// assert!(record.to_line().ends_with(&format!(",\"hash\":\"{}\"}}", record.hash)));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// Format version, [`FORMAT_VERSION`].
    pub v: u32,
    /// Position in the chain, from 0, without gaps.
    pub seq: u64,
    /// The previous record's hash ([`GENESIS`] for the first).
    pub prev: String,
    /// When the decision was made, RFC 3339 UTC, as the caller's clock said.
    pub time: String,
    /// The id of the key the chain is keyed with ([`AuditKey::id`]), empty when unkeyed.
    pub key_id: String,
    /// Who acted.
    pub actor: Actor,
    /// Where, against what (redacted).
    pub context: RecordContext,
    /// What was to run, redacted.
    pub action: RedactedAction,
    /// What was decided.
    pub decision: DecisionSummary,
    /// BLAKE3 (keyed when [`key_id`](Self::key_id) is set) of the line's bytes before `,"hash":"`.
    pub hash: String,
}

/// The context of a record, without the approvals (the decision summary lists those used),
/// every text redacted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordContext {
    /// The integration the action came through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The environment name as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The target resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Labels, values redacted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// What was decided, in short.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionSummary {
    /// The verdict.
    pub verdict: Verdict,
    /// False in monitor mode.
    pub enforced: bool,
    /// The rule ids of the findings, strictest first, each once.
    pub rules: Vec<String>,
    /// The digest of the policy that decided.
    pub policy_digest: String,
    /// The action's fingerprint as stored: keyed with the audit key when the chain is keyed,
    /// else a hash of the redacted action, so that it never undoes redaction.
    pub fingerprint: String,
    /// The approvers whose approvals lifted a review of this action.
    pub approvals: Vec<String>,
}

/// The same fields as [`AuditRecord`] without `hash`, borrowed: what gets serialised and hashed.
#[derive(Serialize)]
pub(crate) struct Body<'a> {
    pub v: u32,
    pub seq: u64,
    pub prev: &'a str,
    pub time: &'a str,
    pub key_id: &'a str,
    pub actor: &'a Actor,
    pub context: &'a RecordContext,
    pub action: &'a RedactedAction,
    pub decision: &'a DecisionSummary,
}

impl<'a> Body<'a> {
    /// Serialises the body and returns the line's prefix: the JSON object without its `}`.
    pub(crate) fn prefix(&self) -> String {
        let mut text = serde_json::to_string(self).unwrap_or_default();
        text.pop();
        text
    }
}

/// The hash of a line prefix.
pub(crate) fn digest(key: Option<&AuditKey>, prefix: &[u8]) -> blake3::Hash {
    match key {
        Some(k) => blake3::keyed_hash(k.as_bytes(), prefix),
        None => blake3::hash(prefix),
    }
}

/// Completes a line from its prefix and hash (no trailing newline).
pub(crate) fn finish_line(mut prefix: String, hash: &str) -> String {
    prefix.reserve(SUFFIX_LEN);
    prefix.push_str(",\"hash\":\"");
    prefix.push_str(hash);
    prefix.push_str("\"}");
    prefix
}

impl AuditRecord {
    pub(crate) fn body(&self) -> Body<'_> {
        Body {
            v: self.v,
            seq: self.seq,
            prev: &self.prev,
            time: &self.time,
            key_id: &self.key_id,
            actor: &self.actor,
            context: &self.context,
            action: &self.action,
            decision: &self.decision,
        }
    }

    /// The record as one JSONL line (without the newline), as a sink writes it.
    pub fn to_line(&self) -> String {
        finish_line(self.body().prefix(), &self.hash)
    }

    /// The chain head this record makes.
    pub fn head(&self) -> Head {
        Head {
            seq: self.seq,
            hash: self.hash.clone(),
        }
    }
}

/// Splits a line into the hashed prefix and the stored hash, or says why it is not a record line.
pub(crate) fn split_line(line: &str) -> Result<(&str, &str), (ErrorKind, String)> {
    let cut = line
        .len()
        .checked_sub(SUFFIX_LEN)
        .filter(|&c| line.is_char_boundary(c));
    let (prefix, suffix) = match cut {
        Some(c) => line.split_at(c),
        None => {
            return Err((
                ErrorKind::Malformed,
                "not a record line: too short, or cut short".into(),
            ))
        }
    };
    let hash = suffix
        .strip_prefix(",\"hash\":\"")
        .and_then(|s| s.strip_suffix("\"}"));
    match hash {
        Some(h) if h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) => {
            Ok((prefix, h))
        }
        _ => Err((
            ErrorKind::Malformed,
            "not a record line: it does not end with `\"hash\":\"<64 hex digits>\"}`".into(),
        )),
    }
}

/// A chain head, the checkpoint that makes truncation detectable: the last record's sequence
/// number and hash. Text form `SEQ:HASH`, as `guardrails audit head` prints it.
///
/// ```
/// use guardrails_core::audit::Head;
/// let h: Head = format!("41:{}", "ab".repeat(32)).parse()?;
/// assert_eq!(h.seq, 41);
/// assert_eq!(h.to_string(), format!("41:{}", "ab".repeat(32)));
/// # Ok::<(), guardrails_core::audit::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Head {
    /// Sequence number of the last record.
    pub seq: u64,
    /// Its hash, 64 lowercase hex digits.
    pub hash: String,
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl std::str::FromStr for Head {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = || {
            ParseError(format!(
                "a chain head is `SEQ:HASH` (as `guardrails audit head` prints it), got `{s}`"
            ))
        };
        let (seq, hash) = s.split_once(':').ok_or_else(bad)?;
        let seq = seq.parse().map_err(|_| bad())?;
        let hash = hash.to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(Head { seq, hash })
    }
}
