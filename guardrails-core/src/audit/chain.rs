//! The chain: turns decisions into hash-chained records.

use std::time::SystemTime;

use super::err::AuditError;
use super::key::AuditKey;
use super::record::{
    digest, finish_line, AuditRecord, Body, DecisionSummary, Head, RecordContext, FORMAT_VERSION,
    GENESIS,
};
use super::redact::redact_text;
use super::redact::{redact_action, RedactedAction, SqlLiterals};
use super::time::format_rfc3339;
use super::verify::check_line;
use crate::action::Action;
use crate::context::Context;
use crate::decision::Decision;

/// Appends decisions to a hash chain. Each record holds the previous record's hash; with a key
/// the hashes are keyed, so nobody without the key can rewrite the chain.
///
/// ```
/// use std::time::SystemTime;
/// use guardrails_core::audit::{verify, AuditKey, Chain};
/// use guardrails_core::{evaluate, Action, Context, Dialect};
/// let key: AuditKey = "11".repeat(32).parse()?;
/// let mut chain = Chain::new(Some(key.clone()));
/// let mut log = String::new();
/// for sql in ["SELECT 1", "DROP TABLE users"] {
///     let action = Action::sql(Dialect::Postgres, sql);
///     let decision = evaluate(&action, &Context::default());
///     log += &chain.append(&action, &Context::default(), &decision, SystemTime::now()).to_line();
///     log.push('\n');
/// }
/// let verified = verify(log.as_bytes(), Some(&key), chain.head().as_ref())?;
/// assert_eq!(verified.count, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Chain {
    key: Option<AuditKey>,
    key_id: String,
    fingerprint_key: Option<[u8; 32]>,
    next_seq: u64,
    prev: String,
    sql_literals: SqlLiterals,
}

impl Chain {
    /// A new chain, keyed when `key` is given (recommended: an unkeyed chain only detects
    /// accidents, since whoever can edit the log can recompute every hash).
    pub fn new(key: Option<AuditKey>) -> Self {
        let key_id = key.as_ref().map(AuditKey::id).unwrap_or_default();
        let fingerprint_key = key.as_ref().map(|k| {
            blake3::derive_key("access-guardrails 2026 audit fingerprint v1", k.as_bytes())
        });
        Chain {
            key,
            key_id,
            fingerprint_key,
            next_seq: 0,
            prev: GENESIS.to_owned(),
            sql_literals: SqlLiterals::Keep,
        }
    }

    /// Continues a chain after its last record, after checking that the record's hash is
    /// right under `key` (so a chain is never continued with another key, or from an edited
    /// record).
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use guardrails_core::audit::{AuditKey, Chain, ErrorKind};
    /// use guardrails_core::{evaluate, Action, Context};
    /// let key: AuditKey = "22".repeat(32).parse()?;
    /// let a = Action::shell("ls");
    /// let d = evaluate(&a, &Context::default());
    /// let last = Chain::new(Some(key.clone())).append(&a, &Context::default(), &d, SystemTime::now());
    /// let next = Chain::resume(Some(key), &last)?.append(&a, &Context::default(), &d, SystemTime::now());
    /// assert_eq!((next.seq, &next.prev), (1, &last.hash));
    /// assert_eq!(Chain::resume(None, &last).unwrap_err().kind(), ErrorKind::WrongKey);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resume(key: Option<AuditKey>, last: &AuditRecord) -> Result<Self, AuditError> {
        let line = last.to_line();
        Self::resume_line(key, &line, last.seq)
    }

    /// Continues after a record given as its line (exact bytes, as read from a log).
    pub(crate) fn resume_line(
        key: Option<AuditKey>,
        line: &str,
        index: u64,
    ) -> Result<Self, AuditError> {
        let mut chain = Chain::new(key);
        let record = check_line(line, chain.key.as_ref(), &chain.key_id, true)
            .map_err(|(kind, detail)| AuditError::new(index, kind, detail))?;
        chain.next_seq = record.seq.saturating_add(1);
        chain.prev = record.hash;
        Ok(chain)
    }

    /// Sets whether SQL literals are kept (default) or replaced by `?` in the records.
    #[must_use]
    pub fn with_sql_literals(mut self, setting: SqlLiterals) -> Self {
        self.sql_literals = setting;
        self
    }

    /// The head after the last appended record, `None` before the first.
    pub fn head(&self) -> Option<Head> {
        self.next_seq.checked_sub(1).map(|seq| Head {
            seq,
            hash: self.prev.clone(),
        })
    }

    /// The sequence number the next record gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Whether the chain is keyed.
    pub fn is_keyed(&self) -> bool {
        self.key.is_some()
    }

    /// Records a decision: redacts the action and context, summarises the decision, chains
    /// and hashes the record. `now` is the caller's clock.
    pub fn append(
        &mut self,
        action: &Action,
        context: &Context,
        decision: &Decision,
        now: SystemTime,
    ) -> AuditRecord {
        self.append_line(action, context, decision, now).0
    }

    /// [`append`](Self::append), also returning the record's line (without newline).
    pub fn append_line(
        &mut self,
        action: &Action,
        context: &Context,
        decision: &Decision,
        now: SystemTime,
    ) -> (AuditRecord, String) {
        let redacted = self.sql_literals.apply(redact_action(action));
        let mut rules: Vec<String> = Vec::with_capacity(decision.findings.len());
        for r in decision.rules() {
            if !rules.iter().any(|x| x == r) {
                rules.push(r.to_owned());
            }
        }
        let summary = DecisionSummary {
            verdict: decision.verdict,
            enforced: decision.enforced,
            rules,
            policy_digest: decision.policy_digest.clone(),
            fingerprint: self.fingerprint(decision, &redacted),
            approvals: decision
                .approvals
                .iter()
                .map(|a| a.approver.clone())
                .collect(),
        };
        let record_context = RecordContext {
            origin: context.origin.as_deref().map(redact_text),
            environment: context.environment.as_deref().map(redact_text),
            resource: context.resource.as_deref().map(redact_text),
            labels: context
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), redact_text(v)))
                .collect(),
        };
        let time = format_rfc3339(now);
        let body = Body {
            v: FORMAT_VERSION,
            seq: self.next_seq,
            prev: &self.prev,
            time: &time,
            key_id: &self.key_id,
            actor: &context.actor,
            context: &record_context,
            action: &redacted,
            decision: &summary,
        };
        let prefix = body.prefix();
        let hash = digest(self.key.as_ref(), prefix.as_bytes())
            .to_hex()
            .to_string();
        let record = AuditRecord {
            v: FORMAT_VERSION,
            seq: self.next_seq,
            prev: std::mem::replace(&mut self.prev, hash.clone()),
            time,
            key_id: self.key_id.clone(),
            actor: context.actor.clone(),
            context: record_context,
            action: redacted,
            decision: summary,
            hash,
        };
        self.next_seq = self.next_seq.saturating_add(1);
        let line = finish_line(prefix, &record.hash);
        (record, line)
    }

    /// The stored fingerprint: the decision's fingerprint keyed with a key derived from the
    /// audit key, or (unkeyed) a hash of the redacted action, so that a log reader cannot test
    /// guesses of a redacted secret against it.
    fn fingerprint(&self, decision: &Decision, redacted: &RedactedAction) -> String {
        match &self.fingerprint_key {
            Some(k) => blake3::keyed_hash(k, decision.fingerprint.as_bytes())
                .to_hex()
                .to_string(),
            None => {
                let mut h =
                    blake3::Hasher::new_derive_key("access-guardrails 2026 audit fingerprint v1");
                h.update(
                    serde_json::to_string(redacted)
                        .unwrap_or_default()
                        .as_bytes(),
                );
                h.finalize().to_hex().to_string()
            }
        }
    }
}
