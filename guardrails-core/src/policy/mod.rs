//! Policies: the built-in one, and (later) documents that refine it. A policy turns the
//! analysis of an action into a decision for a context.

mod matrix;

use std::sync::{Arc, OnceLock};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use matrix::builtin_verdict;

use crate::action::Action;
use crate::analyze::{analyze, Analysis};
use crate::context::Context;
use crate::decision::Decision;
use crate::finding::{Detection, Finding};
use crate::rules::{self, RuleClass};
use crate::verdict::Verdict;

/// Whether decisions are enforced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Decisions are enforced (`enforced: true`).
    #[default]
    Enforce,
    /// Decisions are computed the same way but marked `enforced: false`.
    Monitor,
}

/// A compiled policy: immutable, `Send + Sync`, cheap to clone (it is an `Arc` inside).
///
/// ```
/// use guardrails_core::{Action, Context, Dialect, Policy, Verdict};
/// let policy = Policy::builtin();
/// let d = policy.evaluate(&Action::sql(Dialect::Postgres, "SELECT 'drop table'"), &Context::default());
/// assert_eq!(d.verdict, Verdict::Allow);
/// ```
#[derive(Clone, Debug)]
pub struct Policy {
    inner: Arc<Compiled>,
}

#[derive(Debug)]
struct Compiled {
    mode: Mode,
    digest: String,
}

fn builtin_digest() -> String {
    let mut h = blake3::Hasher::new_derive_key("access-guardrails 2026 policy digest v1");
    h.update(b"builtin\0");
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    for r in rules::catalogue() {
        h.update(b"\0");
        h.update(r.id.as_bytes());
        h.update(format!("{:?}", r.class).as_bytes());
    }
    h.finalize().to_hex().to_string()
}

impl Policy {
    /// The built-in policy: protects production out of the box (see the verdict matrix in the
    /// README and [`builtin_verdict`]).
    ///
    /// ```
    /// let p = guardrails_core::Policy::builtin();
    /// assert_eq!(p.digest().len(), 64);
    /// ```
    pub fn builtin() -> Policy {
        static BUILTIN: OnceLock<Policy> = OnceLock::new();
        BUILTIN
            .get_or_init(|| Policy { inner: Arc::new(Compiled { mode: Mode::Enforce, digest: builtin_digest() }) })
            .clone()
    }

    /// This policy in monitor mode: same decisions, `enforced: false`.
    ///
    /// ```
    /// use guardrails_core::{Action, Context, Dialect, Policy, Verdict};
    /// let d = Policy::builtin().monitor().evaluate(&Action::sql(Dialect::Postgres, "DROP TABLE t"), &Context::default());
    /// assert_eq!((d.verdict, d.enforced), (Verdict::Deny, false));
    /// ```
    #[must_use]
    pub fn monitor(&self) -> Policy {
        Policy { inner: Arc::new(Compiled { mode: Mode::Monitor, digest: self.inner.digest.clone() }) }
    }

    /// The policy's mode.
    pub fn mode(&self) -> Mode {
        self.inner.mode
    }

    /// BLAKE3 digest (hex) of the compiled policy; in every decision.
    pub fn digest(&self) -> &str {
        &self.inner.digest
    }

    /// Decides an action in a context. Never panics, never fails: anything that cannot be
    /// understood is a finding with a fail-closed verdict.
    ///
    /// ```
    /// use guardrails_core::{Action, ActorKind, Context, Dialect, Policy, Verdict};
    /// let drop = Action::sql(Dialect::Postgres, "DROP TABLE users");
    /// let p = Policy::builtin();
    /// assert_eq!(p.evaluate(&drop, &Context::new(ActorKind::Agent, "production")).verdict, Verdict::Deny);
    /// assert_eq!(p.evaluate(&drop, &Context::new(ActorKind::Human, "production")).verdict, Verdict::Review);
    /// assert_eq!(p.evaluate(&drop, &Context::new(ActorKind::Human, "dev")).verdict, Verdict::Allow);
    /// ```
    pub fn evaluate(&self, action: &Action, context: &Context) -> Decision {
        let analysis = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyze(action))) {
            Ok(a) => a,
            Err(_) => internal_failure(action),
        };
        self.decide(analysis, context)
    }

    /// Decides an already analysed action.
    pub fn decide(&self, analysis: Analysis, context: &Context) -> Decision {
        let env = context.environment_class();
        let actor = context.actor.kind;
        let mut findings: Vec<Finding> = Vec::with_capacity(analysis.detections.len());
        for d in analysis.detections {
            let f = judge(d, env, actor);
            if !findings.iter().any(|x| x.rule == f.rule && x.statement == f.statement && x.span == f.span && x.message == f.message) {
                findings.push(f);
            }
        }
        findings.sort_by(|a, b| b.verdict.cmp(&a.verdict));
        let verdict = findings.iter().map(|f| f.verdict).max().unwrap_or(Verdict::Allow);
        let mut decision = Decision {
            verdict,
            enforced: self.inner.mode == Mode::Enforce,
            findings,
            masks: Vec::new(),
            intent: analysis.intent,
            policy_digest: self.inner.digest.clone(),
            fingerprint: fingerprint(&analysis.normalized),
        };
        // Masks and masked-column probes (issue 6); a policy's own catalogue replaces the built-in one.
        crate::mask::apply(&mut decision, crate::mask::Catalogue::builtin(), context);
        decision
    }
}

fn judge(d: Detection, env: crate::context::Environment, actor: crate::context::ActorKind) -> Finding {
    let info = rules::lookup(&d.rule);
    let class = info.map_or(RuleClass::Risky, |r| r.class);
    let severity = info.map_or(crate::verdict::Severity::Medium, |r| r.severity(d.grade));
    Finding {
        verdict: builtin_verdict(class, d.grade, env, actor),
        rule: d.rule,
        severity,
        message: d.message,
        statement: d.statement,
        span: d.span,
    }
}

fn internal_failure(action: &Action) -> Analysis {
    let rule = match action {
        Action::Sql { .. } => "sql.unparseable",
        Action::Shell { .. } | Action::Exec { .. } => "shell.unparseable",
        Action::Tool { .. } => "tool.bad-arguments",
    };
    Analysis {
        detections: vec![Detection::new(rule, crate::finding::Grade::Deny, "the analysis failed internally: fail closed")],
        normalized: format!("{action:?}"),
        ..Analysis::default()
    }
}

/// The fingerprint of a normalised action: BLAKE3 in derive-key mode, hex.
pub(crate) fn fingerprint(normalized: &str) -> String {
    let mut h = blake3::Hasher::new_derive_key("access-guardrails 2026 action fingerprint v1");
    h.update(normalized.as_bytes());
    h.finalize().to_hex().to_string()
}
