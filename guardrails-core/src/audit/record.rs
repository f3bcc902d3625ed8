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
use crate::action::Action;
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
        let mut out = String::with_capacity(768);
        out.push_str("{\"v\":");
        push_u64(&mut out, u64::from(self.v));
        out.push_str(",\"seq\":");
        push_u64(&mut out, self.seq);
        out.push_str(",\"prev\":");
        push_json_str(&mut out, self.prev);
        out.push_str(",\"time\":");
        push_json_str(&mut out, self.time);
        out.push_str(",\"key_id\":");
        push_json_str(&mut out, self.key_id);
        out.push_str(",\"actor\":");
        push_actor(&mut out, self.actor);
        out.push_str(",\"context\":");
        push_context(&mut out, self.context);
        out.push_str(",\"action\":");
        push_action(&mut out, self.action.action());
        out.push_str(",\"decision\":");
        push_decision(&mut out, self.decision);
        out
    }
}

/// Appends `n` in decimal, as serde_json writes integers.
fn push_u64(out: &mut String, mut n: u64) {
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
    for &b in buf.get(i..).unwrap_or(&[]) {
        out.push(char::from(b));
    }
}

/// Appends `s` as a JSON string exactly as serde_json escapes it: strings without a quote,
/// backslash or control character (nearly all) are copied as they are; the others go through
/// serde_json itself.
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    if plain_len(s.as_bytes()) == s.len() {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    }
}

/// The length of the longest start of `bytes` without a quote, backslash or control
/// character (the bytes a JSON string can hold as they are), 8 bytes at a time.
pub(crate) fn plain_len(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // a high bit is set in the byte of `x` that is zero (and possibly in later ones only)
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    let mut done = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let special = (w.wrapping_sub(ONES * 0x20) & !w & HIGH)
            | zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')));
        if special != 0 {
            break;
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

fn push_str_array(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(out, item);
    }
    out.push(']');
}

fn push_actor(out: &mut String, actor: &Actor) {
    out.push('{');
    if let Some(id) = &actor.id {
        out.push_str("\"id\":");
        push_json_str(out, id);
        out.push(',');
    }
    out.push_str("\"kind\":\"");
    out.push_str(actor.kind.as_str());
    out.push('"');
    if !actor.roles.is_empty() {
        out.push_str(",\"roles\":");
        push_str_array(out, &actor.roles);
    }
    out.push('}');
}

fn push_context(out: &mut String, context: &RecordContext) {
    out.push('{');
    let mut first = true;
    let mut member = |out: &mut String, name: &str| {
        if !first {
            out.push(',');
        }
        first = false;
        out.push('"');
        out.push_str(name);
        out.push_str("\":");
    };
    for (name, value) in [
        ("origin", &context.origin),
        ("environment", &context.environment),
        ("resource", &context.resource),
    ] {
        if let Some(v) = value {
            member(out, name);
            push_json_str(out, v);
        }
    }
    if !context.labels.is_empty() {
        member(out, "labels");
        out.push('{');
        for (i, (k, v)) in context.labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_str(out, k);
            out.push(':');
            push_json_str(out, v);
        }
        out.push('}');
    }
    out.push('}');
}

/// The action in its JSON contract's shape; tool calls (arbitrary JSON arguments) go through
/// serde_json.
pub(crate) fn push_action(out: &mut String, action: &Action) {
    match action {
        Action::Sql { dialect, text } => {
            out.push_str("{\"kind\":\"sql\",\"dialect\":\"");
            out.push_str(dialect.as_str());
            out.push_str("\",\"text\":");
            push_json_str(out, text);
            out.push('}');
        }
        Action::Shell { command, shell } => {
            out.push_str("{\"kind\":\"shell\",\"command\":");
            push_json_str(out, command);
            out.push_str(",\"shell\":\"");
            out.push_str(shell.as_str());
            out.push_str("\"}");
        }
        Action::Exec { argv } => {
            out.push_str("{\"kind\":\"exec\",\"argv\":");
            push_str_array(out, argv);
            out.push('}');
        }
        other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
    }
}

fn push_decision(out: &mut String, d: &DecisionSummary) {
    out.push_str("{\"verdict\":\"");
    out.push_str(d.verdict.as_str());
    out.push_str(if d.enforced {
        "\",\"enforced\":true,\"rules\":"
    } else {
        "\",\"enforced\":false,\"rules\":"
    });
    push_str_array(out, &d.rules);
    out.push_str(",\"policy_digest\":");
    push_json_str(out, &d.policy_digest);
    out.push_str(",\"fingerprint\":");
    push_json_str(out, &d.fingerprint);
    out.push_str(",\"approvals\":");
    push_str_array(out, &d.approvals);
    out.push('}');
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::{Dialect, ShellKind};
    use crate::context::ActorKind;

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
        let mut n = String::new();
        for v in [0u64, 1, 9, 10, 99, 100, 4_294_967_295, u64::MAX] {
            n.clear();
            push_u64(&mut n, v);
            assert_eq!(n, v.to_string());
        }
    }
}
