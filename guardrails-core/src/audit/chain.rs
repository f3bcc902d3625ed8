//! The chain: turns decisions into hash-chained records.

use std::time::SystemTime;

use super::err::AuditError;
use super::err::ErrorKind;
use super::key::AuditKey;
use super::record::{
    digest, into_string, push_action, push_actor, push_context, push_decision, push_head,
    push_quoted, push_sql, AuditRecord, DecisionSummary, Fingerprint, Head, RecordContext,
    FORMAT_VERSION, LINE_CAPACITY,
};
use super::redact::{redact_action, redact_cow, redact_text, RedactedAction, SqlLiterals};
use super::time::push_rfc3339;
use super::verify::check_line;
use crate::action::Action;
use crate::context::Context;
use crate::decision::Decision;
use crate::finding::Finding;
use crate::hash::{hash, hex32};

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
    prev: Digits,
    sql_literals: SqlLiterals,
}

/// A hash as its 64 lowercase hex digits, kept as bytes (it is written into lines as they
/// are).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Digits([u8; 64]);

impl Digits {
    fn as_str(&self) -> &str {
        hex_str(&self.0)
    }
}

impl std::fmt::Debug for Digits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
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
            prev: Digits([b'0'; 64]),
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
        // the line's hash was checked: 64 lowercase hex digits
        chain.prev = Digits(record.hash.as_bytes().try_into().map_err(|_| {
            AuditError::new(
                index,
                ErrorKind::Malformed,
                "the record's hash is not 64 hex digits",
            )
        })?);
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
            hash: self.prev.as_str().to_owned(),
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
        let seq = self.next_seq;
        let mut line = Vec::with_capacity(LINE_CAPACITY);
        let written = self.write_line(
            action,
            context,
            decision,
            now,
            Some((&redacted, &record_context)),
            &mut line,
        );
        let line = into_string(line);
        // the chain members as the line has them
        let text = |at: std::ops::Range<usize>| line.get(at).unwrap_or_default().to_owned();
        let record = AuditRecord {
            v: FORMAT_VERSION,
            seq,
            prev: text(written.prev..written.prev + 64),
            time: text(written.time),
            key_id: self.key_id.clone(),
            actor: context.actor.clone(),
            context: record_context,
            action: redacted,
            decision: DecisionSummary {
                verdict: decision.verdict,
                enforced: decision.enforced,
                rules: UniqueRules::new(&decision.findings)
                    .map(str::to_owned)
                    .collect(),
                policy_digest: decision.policy_digest.clone(),
                fingerprint: hex_str(&written.fingerprint).to_owned(),
                approvals: decision
                    .approvals
                    .iter()
                    .map(|a| a.approver.clone())
                    .collect(),
            },
            hash: text(line.len().saturating_sub(66)..line.len().saturating_sub(2)),
        };
        (record, line)
    }

    /// Records a decision as its line: appends the line's bytes (UTF-8, without newline) to
    /// `out` and returns the record's sequence number. The same bytes as
    /// [`append_line`](Self::append_line)'s line, without building the [`AuditRecord`] (no
    /// copies of the actor, context or decision): for writers that only need the line, at
    /// high rates. [`head`](Self::head) then gives the chain head.
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use guardrails_core::audit::{verify, AuditKey, Chain};
    /// use guardrails_core::{evaluate, Action, Context, Dialect};
    /// let key: AuditKey = "33".repeat(32).parse()?;
    /// let mut chain = Chain::new(Some(key.clone()));
    /// let mut log = Vec::new();
    /// for sql in ["SELECT 1", "DROP TABLE users"] {
    ///     let action = Action::sql(Dialect::Postgres, sql);
    ///     let decision = evaluate(&action, &Context::default());
    ///     chain.append_to(&action, &Context::default(), &decision, SystemTime::now(), &mut log);
    ///     log.push(b'\n');
    /// }
    /// assert_eq!(verify(log.as_slice(), Some(&key), chain.head().as_ref())?.count, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn append_to(
        &mut self,
        action: &Action,
        context: &Context,
        decision: &Decision,
        now: SystemTime,
        out: &mut Vec<u8>,
    ) -> u64 {
        let seq = self.next_seq;
        self.write_line(action, context, decision, now, None, out);
        seq
    }

    /// Writes the next record's line to `out` and advances the chain. `owned`: the redacted
    /// action and context when the caller made them (for its record); without them the texts
    /// are redacted here, borrowed when redaction cannot change them.
    fn write_line(
        &mut self,
        action: &Action,
        context: &Context,
        decision: &Decision,
        now: SystemTime,
        owned: Option<(&RedactedAction, &RecordContext)>,
        out: &mut Vec<u8>,
    ) -> Written {
        let start = out.len();
        out.reserve(LINE_CAPACITY);
        push_head(out, self.next_seq);
        // the chain's hashes and key id are hex digits: no escapes
        let prev = out.len() + 1;
        push_quoted(out, &self.prev.0);
        out.extend_from_slice(b",\"time\":\"");
        let time_start = out.len();
        push_rfc3339(out, now);
        let time = time_start..out.len();
        out.extend_from_slice(b"\",\"key_id\":");
        push_quoted(out, self.key_id.as_bytes());
        out.extend_from_slice(b",\"actor\":");
        push_actor(out, &context.actor);
        out.extend_from_slice(b",\"context\":");
        match owned {
            Some((_, c)) => push_context(
                out,
                [
                    c.origin.as_deref(),
                    c.environment.as_deref(),
                    c.resource.as_deref(),
                ],
                c.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            ),
            None => push_context(
                out,
                [
                    context.origin.as_deref().map(redact_cow),
                    context.environment.as_deref().map(redact_cow),
                    context.resource.as_deref().map(redact_cow),
                ],
                context
                    .labels
                    .iter()
                    .map(|(k, v)| (k.as_str(), redact_cow(v))),
            ),
        }
        // the redacted action is built only when it is needed: it differs from the action's
        // texts in more than redacted strings, or the unkeyed fingerprint hashes its JSON
        let plain_sql = matches!(
            (action, self.sql_literals, &self.fingerprint_key),
            (Action::Sql { .. }, SqlLiterals::Keep, Some(_))
        );
        let computed = match owned {
            None if !plain_sql => Some(self.sql_literals.apply(redact_action(action))),
            _ => None,
        };
        let redacted = owned.map(|(r, _)| r).or(computed.as_ref());
        out.extend_from_slice(b",\"action\":");
        match (redacted, action) {
            (Some(r), _) => push_action(out, r.action()),
            (None, Action::Sql { dialect, text }) => push_sql(out, *dialect, &redact_cow(text)),
            (None, other) => {
                push_action(out, self.sql_literals.apply(redact_action(other)).action())
            }
        }
        let fingerprint = match (&self.fingerprint_key, redacted) {
            (Some(k), _) => hex32(hash(Some(k), decision.fingerprint.as_bytes()).as_bytes()),
            (None, Some(r)) => unkeyed_fingerprint(r),
            (None, None) => unkeyed_fingerprint(&self.sql_literals.apply(redact_action(action))),
        };
        out.extend_from_slice(b",\"decision\":");
        push_decision(
            out,
            (decision.verdict, decision.enforced),
            UniqueRules::new(&decision.findings),
            &decision.policy_digest,
            Fingerprint::Digits(&fingerprint),
            decision.approvals.iter().map(|a| a.approver.as_str()),
        );
        let prefix = out.get(start..).unwrap_or_default();
        let hash = hex32(digest(self.key.as_ref(), prefix).as_bytes());
        out.extend_from_slice(b",\"hash\":\"");
        out.extend_from_slice(&hash);
        out.extend_from_slice(b"\"}");
        self.prev = Digits(hash);
        self.next_seq = self.next_seq.saturating_add(1);
        Written {
            prev,
            time,
            fingerprint,
        }
    }
}

/// What [`Chain::write_line`] tells its caller about the line it wrote.
struct Written {
    /// Where `prev`'s digits start in the output.
    prev: usize,
    /// Where the time is in the output.
    time: std::ops::Range<usize>,
    /// The stored fingerprint.
    fingerprint: [u8; 64],
}

/// The fingerprint an unkeyed chain stores: a hash of the redacted action's JSON, so that it
/// never undoes redaction.
fn unkeyed_fingerprint(redacted: &RedactedAction) -> [u8; 64] {
    let mut h = blake3::Hasher::new_derive_key("access-guardrails 2026 audit fingerprint v1");
    h.update(
        serde_json::to_string(redacted)
            .unwrap_or_default()
            .as_bytes(),
    );
    hex32(h.finalize().as_bytes())
}

/// Hex digits as text (they are ASCII).
fn hex_str(hex: &[u8; 64]) -> &str {
    std::str::from_utf8(hex).unwrap_or_default()
}

/// The rule ids of findings, each once, in the order of their first finding; without
/// allocating for the usual few findings.
struct UniqueRules<'a> {
    findings: &'a [Finding],
    next: usize,
    seen: Vec<&'a str>,
}

impl<'a> UniqueRules<'a> {
    /// Up to this many findings, a rule is looked for among the earlier findings; beyond, in
    /// a list of the rules seen.
    const SCAN: usize = 16;

    fn new(findings: &'a [Finding]) -> Self {
        UniqueRules {
            findings,
            next: 0,
            seen: Vec::new(),
        }
    }
}

impl<'a> Iterator for UniqueRules<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        while let Some(f) = self.findings.get(self.next) {
            let earlier = self.findings.get(..self.next).unwrap_or(&[]);
            self.next += 1;
            let rule = f.rule.as_str();
            if self.findings.len() <= Self::SCAN {
                if earlier.iter().any(|e| e.rule == rule) {
                    continue;
                }
            } else {
                if self.seen.contains(&rule) {
                    continue;
                }
                self.seen.push(rule);
            }
            return Some(rule);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::testgen::Rng;
    use crate::audit::{verify, AuditKey};

    /// `append_to` writes `append_line`'s bytes, which are the record's `to_line` (the
    /// encoder serde_json is checked against), for inputs of every shape, keyed or not, with
    /// literals kept or replaced; the logs verify.
    #[test]
    fn append_to_writes_append_lines_bytes() {
        let mut rng = Rng::new(7);
        let mut checked = 0;
        for (keyed, literals) in [
            (true, SqlLiterals::Keep),
            (false, SqlLiterals::Keep),
            (true, SqlLiterals::Placeholder),
            (false, SqlLiterals::Placeholder),
        ] {
            let key = keyed.then(|| AuditKey::from_bytes([9; 32]));
            let mut by_record = Chain::new(key.clone()).with_sql_literals(literals);
            let mut by_line = Chain::new(key.clone()).with_sql_literals(literals);
            let mut log = Vec::new();
            // the log up to the first time of year 10000 or later: such a time is written but
            // the reader does not take it (not RFC 3339)
            let mut verifiable = None;
            let mut out = Vec::new();
            for _ in 0..400 {
                let action = rng.action();
                let context = rng.context();
                let decision = rng.decision(&action, &context);
                let now = rng.time();
                let (record, line) = by_record.append_line(&action, &context, &decision, now);
                out.clear();
                let seq = by_line.append_to(&action, &context, &decision, now, &mut out);
                assert_eq!(std::str::from_utf8(&out).unwrap(), line);
                assert_eq!(record.to_line(), line);
                assert_eq!((seq, by_line.head()), (record.seq, Some(record.head())));
                if record.time.len() != 27 && verifiable.is_none() {
                    verifiable = Some((log.len(), record.seq));
                }
                log.extend_from_slice(&out);
                log.push(b'\n');
                checked += 1;
            }
            let (len, count) = verifiable.unwrap_or((log.len(), 400));
            let verified = verify(&log[..len], key.as_ref(), None).unwrap();
            assert_eq!(verified.count, count);
        }
        assert_eq!(checked, 1600);
    }

    #[test]
    fn unique_rules_keep_the_first_of_each_in_order() {
        let finding = |rule: &str| Finding {
            rule: rule.to_owned(),
            verdict: crate::Verdict::Deny,
            severity: crate::Severity::High,
            message: String::new(),
            statement: None,
            span: None,
        };
        for n in [0, 1, 5, 16, 17, 40] {
            let findings: Vec<Finding> = (0..n)
                .map(|i| finding(&format!("r{}", i * 7 % 5)))
                .collect();
            let mut want: Vec<&str> = Vec::new();
            for f in &findings {
                if !want.contains(&f.rule.as_str()) {
                    want.push(&f.rule);
                }
            }
            assert_eq!(UniqueRules::new(&findings).collect::<Vec<_>>(), want);
        }
    }
}
