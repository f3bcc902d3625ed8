//! Inputs of every shape for the differential tests of the audit's fast paths: a seeded
//! generator of texts (quotes, escapes, control characters, non-ASCII, secrets, URLs, token
//! runs), actions of every kind, contexts and decisions, and the byte edits that damage lines.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::policy::AppliedApproval;
use crate::{Action, Actor, ActorKind, Context, Decision, Dialect, Finding, ShellKind};
use crate::{Severity, Verdict};

pub(crate) use crate::testrng::Rng;

/// Pieces texts are made of: each reaches a different branch of the encoder, the redaction
/// or the scanner.
const PIECES: &[&str] = &[
    "a",
    "SELECT",
    " ",
    "0",
    "'",
    "\"",
    "\\",
    "\n",
    "\t",
    "\u{1}",
    "\u{1f}",
    "\u{7f}",
    "é",
    "🦀",
    "://",
    ":",
    "::",
    "/",
    "-",
    "_",
    "=",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_",
    "abcdefghijklmnop",
    "password",
    "token='x'",
    "--password",
    "secret=",
    "postgres://u:pw@h/db",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\\u0041",
    "\\n",
    "</script>",
];

impl Rng {
    /// A text of up to `pieces` pieces; plain words most of the time.
    pub(crate) fn text(&mut self, pieces: usize) -> String {
        let mut s = String::new();
        for _ in 0..self.below(pieces + 1) {
            if self.chance(50) {
                let w: &&str = self.pick(&["x", "orders", "id", "42", " ", "prod", "billing-bot"]);
                s.push_str(w);
            } else {
                let p: &&str = self.pick(PIECES);
                s.push_str(p);
            }
        }
        s
    }

    fn maybe_text(&mut self, pieces: usize) -> Option<String> {
        self.chance(60).then(|| self.text(pieces))
    }

    /// An action of any kind.
    pub(crate) fn action(&mut self) -> Action {
        match self.below(10) {
            0..=4 => Action::Sql {
                dialect: *self.pick(&Dialect::ALL),
                text: self.text(12),
            },
            5 | 6 => Action::Shell {
                command: self.text(10),
                shell: *self.pick(&[
                    ShellKind::Bash,
                    ShellKind::Sh,
                    ShellKind::Zsh,
                    ShellKind::Powershell,
                    ShellKind::Cmd,
                ]),
            },
            7 | 8 => Action::Exec {
                argv: (0..self.below(5)).map(|_| self.text(3)).collect(),
            },
            _ => Action::Tool {
                name: self.text(2),
                arguments: self.json(0),
            },
        }
    }

    fn json(&mut self, depth: usize) -> serde_json::Value {
        use serde_json::Value;
        match self.below(if depth > 3 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(self.chance(50)),
            2 => Value::from(self.next() as i64 >> self.below(64)),
            3 => Value::from((self.next() % 100_000) as f64 / 7.0),
            4 => Value::String(self.text(4)),
            5 => Value::Array((0..self.below(4)).map(|_| self.json(depth + 1)).collect()),
            _ => Value::Object(
                (0..self.below(4))
                    .map(|_| {
                        let k = if self.chance(30) {
                            "password".to_owned()
                        } else {
                            self.text(2)
                        };
                        (k, self.json(depth + 1))
                    })
                    .collect(),
            ),
        }
    }

    /// A context with any of its members.
    pub(crate) fn context(&mut self) -> Context {
        Context {
            actor: Actor {
                id: self.maybe_text(3),
                kind: *self.pick(&[
                    ActorKind::Human,
                    ActorKind::Agent,
                    ActorKind::Ci,
                    ActorKind::Service,
                ]),
                roles: (0..self.below(3)).map(|_| self.text(2)).collect(),
            },
            origin: self.maybe_text(3),
            environment: self.maybe_text(3),
            resource: self.maybe_text(3),
            labels: (0..self.below(3))
                .map(|_| (self.text(2), self.text(4)))
                .collect(),
            ..Context::default()
        }
    }

    /// The engine's decision, then edited: duplicate and many findings, approvals, odd
    /// digests and fingerprints.
    pub(crate) fn decision(&mut self, action: &Action, context: &Context) -> Decision {
        let mut d = crate::evaluate(action, context);
        if self.chance(30) {
            let n = if self.chance(30) { 40 } else { 5 };
            for i in 0..n {
                d.findings.push(Finding {
                    rule: format!("r{}{}", i % 7, if self.chance(10) { "\"" } else { "" }),
                    verdict: Verdict::Review,
                    severity: Severity::Low,
                    message: String::new(),
                    statement: None,
                    span: None,
                });
            }
        }
        if self.chance(20) {
            d.approvals = (0..self.below(3))
                .map(|_| AppliedApproval {
                    approver: self.text(2),
                    expires_at: String::new(),
                    lifted: Vec::new(),
                })
                .collect();
        }
        if self.chance(15) {
            d.policy_digest = self.text(3);
        }
        if self.chance(15) {
            d.fingerprint = self.text(3);
        }
        if self.chance(20) {
            d.enforced = !d.enforced;
        }
        d
    }

    /// A time: mostly now-ish, sometimes before 1970 or after 9999.
    pub(crate) fn time(&mut self) -> SystemTime {
        let micros = Duration::from_micros(self.next() % 1_000_000);
        match self.below(10) {
            0 => UNIX_EPOCH - Duration::from_secs(self.next() % 62_000_000_000) - micros,
            1 => UNIX_EPOCH + Duration::from_secs(253_402_300_790 + self.next() % 20) + micros,
            2 => UNIX_EPOCH + Duration::from_secs(self.next() % 253_402_300_800) + micros,
            _ => {
                UNIX_EPOCH + Duration::from_secs(1_767_225_600 + self.next() % 100_000_000) + micros
            }
        }
    }
}

/// Bytes an edit puts into a line: JSON structure, escapes, digits, hex, a newline, invalid
/// UTF-8.
pub(crate) const EDIT_BYTES: &[u8] = b"0189af-+.eE\"\\/ubnt,:{}[]x \t\n\x01\x7f\x80\xff";

/// Every edit of `line` at byte `i`: each of [`EDIT_BYTES`] put in place of the byte or
/// before it, and the byte removed.
pub(crate) fn edits(line: &[u8], i: usize) -> Vec<Vec<u8>> {
    edits_with(line, i, EDIT_BYTES)
}

/// [`edits`] with the bytes given.
pub(crate) fn edits_with(line: &[u8], i: usize, bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for &b in bytes {
        let mut v = line.to_vec();
        v[i] = b;
        out.push(v);
        let mut v = line.to_vec();
        v.insert(i, b);
        out.push(v);
    }
    let mut v = line.to_vec();
    v.remove(i);
    out.push(v);
    out
}
