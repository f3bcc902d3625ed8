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
use crate::action::{Action, Dialect};
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
    ///
    /// Written by hand, byte for byte what `serde_json::to_string(self)` gives (a test
    /// compares them): serde's generic path escapes every byte of every string and goes
    /// through `fmt` for integers, which made it the largest cost of an append.
    pub(crate) fn prefix(&self) -> String {
        let mut out = Vec::with_capacity(LINE_CAPACITY);
        push_head(&mut out, self.seq);
        push_json_str(&mut out, self.prev);
        out.extend_from_slice(b",\"time\":");
        push_json_str(&mut out, self.time);
        out.extend_from_slice(b",\"key_id\":");
        push_json_str(&mut out, self.key_id);
        out.extend_from_slice(b",\"actor\":");
        push_actor(&mut out, self.actor);
        out.extend_from_slice(b",\"context\":");
        let c = self.context;
        push_context(
            &mut out,
            [
                c.origin.as_deref(),
                c.environment.as_deref(),
                c.resource.as_deref(),
            ],
            c.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        out.extend_from_slice(b",\"action\":");
        push_action(&mut out, self.action.action());
        out.extend_from_slice(b",\"decision\":");
        let d = self.decision;
        push_decision(
            &mut out,
            (d.verdict, d.enforced),
            d.rules.iter().map(String::as_str),
            &d.policy_digest,
            Fingerprint::Text(&d.fingerprint),
            d.approvals.iter().map(String::as_str),
        );
        into_string(out)
    }
}

/// Text written by the `push_` functions (UTF-8 by construction: every piece is a `str` or
/// ASCII) as a `String`.
pub(crate) fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// What a line usually needs, so that it is written without growing.
pub(crate) const LINE_CAPACITY: usize = 1024;

/// The line's start up to the value of `prev`: `{"v":1,"seq":N,"prev":` (the format
/// version is [`FORMAT_VERSION`]).
pub(crate) fn push_head(out: &mut Vec<u8>, seq: u64) {
    out.extend_from_slice(b"{\"v\":");
    push_u64(out, u64::from(FORMAT_VERSION));
    out.extend_from_slice(b",\"seq\":");
    push_u64(out, seq);
    out.extend_from_slice(b",\"prev\":");
}

/// Appends `n` in decimal, as serde_json writes integers.
pub(crate) fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            // `n % 10` is below 10: the cast cannot truncate
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    out.extend_from_slice(buf.get(i..).unwrap_or(&[]));
}

/// Appends `s` as a JSON string exactly as serde_json escapes it: strings without a quote,
/// backslash or control character (nearly all) are copied as they are; the others go through
/// serde_json itself.
pub(crate) fn push_json_str(out: &mut Vec<u8>, s: &str) {
    if is_plain(s.as_bytes()) {
        push_quoted(out, s.as_bytes());
    } else {
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// Appends `"s"`, for a text known to need no escape.
pub(crate) fn push_quoted(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s);
    out.push(b'"');
}

pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// The bytes of the word `w` (8 bytes, little-endian) that a JSON string cannot hold as they
/// are: a quote, a backslash or a control character. The lowest flagged byte is exactly the
/// first such byte (a borrow only runs upwards from a flagged byte); later flags may be
/// false, so only `trailing_zeros` of the result is meaningful, and whether it is zero.
#[inline]
pub(crate) fn special_bytes(w: u64) -> u64 {
    // `b ^ 2` is below 0x21 exactly for the control characters and the quote (0x22 → 0x20):
    // a high bit is set in the bytes of `x` below `n` (and possibly in later ones only)
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    below(w ^ (ONES * 0x02), 0x21) | below(w ^ (ONES * u64::from(b'\\')), 1)
}

/// Whether no byte of `bytes` is a quote, backslash or control character: a JSON string
/// holds them as they are. Whole words without a branch each, the last bytes padded.
pub(crate) fn is_plain(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let mut special = 0;
    for chunk in words.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        special |= special_bytes(u64::from_le_bytes(word));
    }
    let mut last = [b'a'; 8];
    for (d, &b) in last.iter_mut().zip(words.remainder()) {
        *d = b;
    }
    special |= special_bytes(u64::from_le_bytes(last));
    special == 0
}

/// The length of the longest start of `bytes` without a quote, backslash or control
/// character (the bytes a JSON string can hold as they are), 8 bytes at a time.
#[cfg(test)]
pub(crate) fn plain_len(bytes: &[u8]) -> usize {
    let mut done = 0;
    while let Some(word) = bytes.get(done..).and_then(<[u8]>::first_chunk::<8>) {
        let special = special_bytes(u64::from_le_bytes(*word));
        if special != 0 {
            // the byte index of the lowest flag: below 8, the cast cannot truncate
            return done + (special.trailing_zeros() / 8) as usize;
        }
        done += 8;
    }
    done + bytes
        .get(done..)
        .unwrap_or(&[])
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .unwrap_or(bytes.len() - done)
}

/// Whether `bytes` are 64 lowercase hex digits, 8 at a time.
pub(crate) fn is_hex64(bytes: &[u8]) -> bool {
    // the bytes of `w` (all below 0x80) in `lo..hi` get their high bit set, without carries
    // (a byte from 0x80 fails on its own, whatever its carry does to the next)
    let within = |w: u64, lo: u64, hi: u64| {
        w.wrapping_add(ONES * (0x80 - lo)) & !w.wrapping_add(ONES * (0x80 - hi)) & HIGH
    };
    let Some(words) = bytes.first_chunk::<64>().filter(|_| bytes.len() == 64) else {
        return false;
    };
    let mut ok = HIGH;
    for chunk in words.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let hex = within(w, 0x30, 0x3a) | within(w, 0x61, 0x67);
        ok &= hex & !(w & HIGH);
    }
    ok == HIGH
}

fn push_str_array<'s>(out: &mut Vec<u8>, items: impl IntoIterator<Item = &'s str>) {
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_json_str(out, item);
    }
    out.push(b']');
}

pub(crate) fn push_actor(out: &mut Vec<u8>, actor: &Actor) {
    out.push(b'{');
    if let Some(id) = &actor.id {
        out.extend_from_slice(b"\"id\":");
        push_json_str(out, id);
        out.push(b',');
    }
    out.extend_from_slice(b"\"kind\":\"");
    out.extend_from_slice(actor.kind.as_str().as_bytes());
    out.push(b'"');
    if !actor.roles.is_empty() {
        out.extend_from_slice(b",\"roles\":");
        push_str_array(out, actor.roles.iter().map(String::as_str));
    }
    out.push(b'}');
}

/// The record context: `origin`, `environment` and `resource` (each when present), then the
/// labels (when there are any), in the order given (a `BTreeMap`'s).
pub(crate) fn push_context<'l, V: AsRef<str>>(
    out: &mut Vec<u8>,
    fields: [Option<V>; 3],
    labels: impl Iterator<Item = (&'l str, V)>,
) {
    out.push(b'{');
    let mut first = true;
    let mut member = |out: &mut Vec<u8>, name: &[u8]| {
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(name);
    };
    for (name, value) in [&b"\"origin\":"[..], b"\"environment\":", b"\"resource\":"]
        .into_iter()
        .zip(fields)
    {
        if let Some(v) = value {
            member(out, name);
            push_json_str(out, v.as_ref());
        }
    }
    let mut labels = labels.peekable();
    if labels.peek().is_some() {
        member(out, b"\"labels\":");
        out.push(b'{');
        for (i, (k, v)) in labels.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json_str(out, k);
            out.push(b':');
            push_json_str(out, v.as_ref());
        }
        out.push(b'}');
    }
    out.push(b'}');
}

/// A SQL action, as [`push_action`] writes it.
pub(crate) fn push_sql(out: &mut Vec<u8>, dialect: Dialect, text: &str) {
    out.extend_from_slice(b"{\"kind\":\"sql\",\"dialect\":\"");
    out.extend_from_slice(dialect.as_str().as_bytes());
    out.extend_from_slice(b"\",\"text\":");
    push_json_str(out, text);
    out.push(b'}');
}

/// The action in its JSON contract's shape; tool calls (arbitrary JSON arguments) go through
/// serde_json.
pub(crate) fn push_action(out: &mut Vec<u8>, action: &Action) {
    match action {
        Action::Sql { dialect, text } => push_sql(out, *dialect, text),
        Action::Shell { command, shell } => {
            out.extend_from_slice(b"{\"kind\":\"shell\",\"command\":");
            push_json_str(out, command);
            out.extend_from_slice(b",\"shell\":\"");
            out.extend_from_slice(shell.as_str().as_bytes());
            out.extend_from_slice(b"\"}");
        }
        Action::Exec { argv } => {
            out.extend_from_slice(b"{\"kind\":\"exec\",\"argv\":");
            push_str_array(out, argv.iter().map(String::as_str));
            out.push(b'}');
        }
        other => {
            let _ = serde_json::to_writer(&mut *out, other);
        }
    }
}

/// A fingerprint to write: a record's text, or hex digits just computed (no escapes).
pub(crate) enum Fingerprint<'a> {
    Text(&'a str),
    Digits(&'a [u8; 64]),
}

/// The decision summary's members in their order.
pub(crate) fn push_decision<'r>(
    out: &mut Vec<u8>,
    (verdict, enforced): (Verdict, bool),
    rules: impl IntoIterator<Item = &'r str>,
    policy_digest: &str,
    fingerprint: Fingerprint<'_>,
    approvals: impl IntoIterator<Item = &'r str>,
) {
    out.extend_from_slice(b"{\"verdict\":\"");
    out.extend_from_slice(verdict.as_str().as_bytes());
    out.extend_from_slice(if enforced {
        b"\",\"enforced\":true,\"rules\":"
    } else {
        &b"\",\"enforced\":false,\"rules\":"[..]
    });
    push_str_array(out, rules);
    out.extend_from_slice(b",\"policy_digest\":");
    push_json_str(out, policy_digest);
    out.extend_from_slice(b",\"fingerprint\":");
    match fingerprint {
        Fingerprint::Text(f) => push_json_str(out, f),
        Fingerprint::Digits(f) => push_quoted(out, f),
    }
    out.extend_from_slice(b",\"approvals\":");
    push_str_array(out, approvals);
    out.push(b'}');
}

/// The hash of a line prefix.
pub(crate) fn digest(key: Option<&AuditKey>, prefix: &[u8]) -> blake3::Hash {
    crate::hash::hash(key.map(AuditKey::as_bytes), prefix)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::{Dialect, ShellKind};
    use crate::context::ActorKind;
    use crate::hash::hex32;

    /// The hand-written encoder must give serde_json's bytes for every shape of record.
    #[test]
    fn prefix_is_what_serde_json_writes() {
        let odd = [
            "",
            "plain",
            "quote \" and \\ backslash",
            "ctrl \u{1}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1f} \u{7f}",
            "ünïcødé ✓ 🦀",
            "</script>",
        ];
        let mut actions = vec![
            Action::Exec { argv: vec![] },
            Action::tool(
                "t",
                serde_json::json!({"a": [1, 2.5, null, true], "b": "x\"y"}),
            ),
            Action::tool("t", serde_json::Value::Null),
        ];
        for (i, s) in odd.iter().enumerate() {
            let dialect = Dialect::ALL
                .get(i % Dialect::ALL.len())
                .copied()
                .unwrap_or_default();
            actions.push(Action::Sql {
                dialect,
                text: (*s).to_owned(),
            });
            for shell in [
                ShellKind::Bash,
                ShellKind::Sh,
                ShellKind::Zsh,
                ShellKind::Powershell,
                ShellKind::Cmd,
            ] {
                actions.push(Action::Shell {
                    command: (*s).to_owned(),
                    shell,
                });
            }
            actions.push(Action::Exec {
                argv: odd.iter().map(|x| (*x).to_owned()).collect(),
            });
        }
        let actors = [
            Actor::default(),
            Actor {
                id: Some("a\"b".into()),
                kind: ActorKind::Human,
                roles: vec!["r1".into(), "r\n2".into()],
            },
            Actor {
                id: None,
                kind: ActorKind::Ci,
                roles: vec!["x".into()],
            },
            Actor {
                id: Some(String::new()),
                kind: ActorKind::Service,
                roles: vec![],
            },
        ];
        let contexts = [
            RecordContext::default(),
            RecordContext {
                origin: Some("o\"".into()),
                environment: None,
                resource: Some("r".into()),
                labels: [
                    ("k\t".to_owned(), "v".to_owned()),
                    ("a".to_owned(), "🦀".to_owned()),
                ]
                .into_iter()
                .collect(),
            },
            RecordContext {
                origin: None,
                environment: Some("production".into()),
                resource: None,
                labels: BTreeMap::new(),
            },
            RecordContext {
                labels: [("only".to_owned(), String::new())].into_iter().collect(),
                ..RecordContext::default()
            },
        ];
        let decisions = [
            DecisionSummary {
                verdict: Verdict::Allow,
                enforced: true,
                rules: vec![],
                policy_digest: GENESIS.into(),
                fingerprint: "f".into(),
                approvals: vec![],
            },
            DecisionSummary {
                verdict: Verdict::Deny,
                enforced: false,
                rules: vec!["sql.a".into(), "b\\c".into()],
                policy_digest: String::new(),
                fingerprint: "x\u{0}".into(),
                approvals: vec!["alice".into(), "b\"ob".into()],
            },
            DecisionSummary {
                verdict: Verdict::Review,
                enforced: true,
                rules: vec!["r".into()],
                policy_digest: "p".into(),
                fingerprint: "f".into(),
                approvals: vec!["a".into()],
            },
        ];
        let mut checked = 0;
        for (i, action) in actions.iter().enumerate() {
            let action: RedactedAction =
                serde_json::from_value(serde_json::to_value(action).unwrap()).unwrap();
            let actor = actors.get(i % actors.len()).cloned().unwrap_or_default();
            let context = contexts
                .get(i % contexts.len())
                .cloned()
                .unwrap_or_default();
            let decision = decisions.get(i % decisions.len()).cloned();
            let Some(decision) = decision else { continue };
            for (seq, time, key_id) in [
                (0, "2026-01-01T00:00:00.250000Z", ""),
                (
                    u64::MAX,
                    odd.get(i % odd.len()).copied().unwrap_or(""),
                    "5dad0ba853d5f644",
                ),
                (1_234_567_890, "t", "k\""),
            ] {
                let body = Body {
                    v: FORMAT_VERSION,
                    seq,
                    prev: GENESIS,
                    time,
                    key_id,
                    actor: &actor,
                    context: &context,
                    action: &action,
                    decision: &decision,
                };
                let mut want = serde_json::to_string(&body).unwrap();
                want.pop();
                assert_eq!(body.prefix(), want);
                checked += 1;
            }
        }
        assert!(checked > 50);
        for s in odd {
            for i in 0..=s.len() {
                let b = &s.as_bytes()[i..];
                let want = b
                    .iter()
                    .position(|&c| c < 0x20 || c == b'"' || c == b'\\')
                    .unwrap_or(b.len());
                assert_eq!(plain_len(b), want);
            }
        }
        let long: Vec<u8> = (0u8..=255).cycle().take(600).collect();
        for i in 0..long.len() {
            for j in i..long.len().min(i + 40) {
                let b = &long[i..j];
                let want = b
                    .iter()
                    .position(|&c| c < 0x20 || c == b'"' || c == b'\\')
                    .unwrap_or(b.len());
                assert_eq!(plain_len(b), want);
            }
        }
        for i in 0..long.len() {
            for j in i..long.len().min(i + 40) {
                let b = &long[i..j];
                let want = !b.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\');
                assert_eq!(is_plain(b), want);
            }
        }
        let mut n = Vec::new();
        for v in [0u64, 1, 9, 10, 99, 100, 4_294_967_295, u64::MAX] {
            n.clear();
            push_u64(&mut n, v);
            assert_eq!(n, v.to_string().as_bytes());
        }
    }

    /// The word-at-a-time hex encoder and checker against plain ones.
    #[test]
    fn hex_digits() {
        let mut rng = crate::audit::testgen::Rng::new(5);
        for _ in 0..2000 {
            let bytes: [u8; 32] = std::array::from_fn(|_| rng.next() as u8);
            let hex = hex32(&bytes);
            assert_eq!(
                &hex[..],
                blake3::Hash::from_bytes(bytes).to_hex().as_bytes()
            );
            assert!(is_hex64(&hex));
            let i = rng.below(64);
            for b in 0..=255u8 {
                let mut edited = hex;
                edited[i] = b;
                let want = matches!(b, b'0'..=b'9' | b'a'..=b'f');
                assert_eq!(is_hex64(&edited), want, "{b}");
            }
            assert!(!is_hex64(&hex[..63]));
            assert!(!is_hex64(&[&hex[..], b"0"].concat()));
        }
    }
}
