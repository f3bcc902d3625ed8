//! Policies: the built-in one, and documents that refine it (TOML or JSON, see
//! `docs/policy.md`). A policy turns the analysis of an action into a decision for a context.

pub mod approval;
mod catalogue;
mod compile;
mod custom;
mod document;
mod err;
mod examples;
mod explain;
mod glob;
mod load;
mod matrix;
mod scope;

use std::path::Path;
use std::sync::{Arc, OnceLock};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use approval::{AppliedApproval, ApprovalClaims};
pub use document::{
    ApproverDoc, CatalogueDoc, DefaultDoc, ExampleAction, ExampleDoc, ExemptionDoc, Extends,
    OneOrMany, OverrideDoc, PolicyDocument, RuleDoc, ScopeDoc, SensitiveDoc, ShellMatchDoc,
    SqlMatchDoc, TextMatchDoc, ToolDoc, ToolKindDoc, ToolMatchDoc,
};
pub use err::{Located, PolicyError};
pub use explain::{Step, StepOutcome};
pub use matrix::builtin_verdict;

use crate::action::Action;
use crate::analyze::{analyze_with, Analysis};
use crate::context::Context;
use crate::decision::Decision;
use crate::finding::{Detection, Finding, Grade};
use crate::rules::{self, RuleClass};
use crate::verdict::{Severity, Verdict};

use compile::{is_fail_closed, Compiled};
use custom::Subject;
use err::{Problem, ProblemKind};

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
    mode: Mode,
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

fn builtin_digest_cached() -> &'static str {
    static DIGEST: OnceLock<String> = OnceLock::new();
    DIGEST.get_or_init(builtin_digest)
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
            .get_or_init(|| Policy {
                inner: Arc::new(Compiled::builtin(builtin_digest_cached().to_owned())),
                mode: Mode::Enforce,
            })
            .clone()
    }

    /// Loads a TOML policy document. Errors name the line, the column and the field.
    ///
    /// ```
    /// use guardrails_core::{Action, ActorKind, Context, Dialect, Policy, Verdict};
    /// let p = Policy::from_toml(r#"
    /// version = 1
    /// [[builtin]]
    /// rule = "sql.drop"
    /// verdict = "review"
    /// when = { environment = "staging" }
    /// "#)?;
    /// let drop = Action::sql(Dialect::Postgres, "DROP TABLE t");
    /// assert_eq!(p.evaluate(&drop, &Context::new(ActorKind::Agent, "staging")).verdict, Verdict::Review);
    /// assert_eq!(p.evaluate(&drop, &Context::new(ActorKind::Agent, "production")).verdict, Verdict::Deny);
    /// # Ok::<(), guardrails_core::PolicyError>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        Policy::from_toml_named(text, "policy.toml")
    }

    /// Loads a TOML document, naming it `source` in errors.
    pub fn from_toml_named(text: &str, source: &str) -> Result<Policy, PolicyError> {
        let (doc, located) = load::toml_document(source, text)?;
        Policy::finish(&doc, source, &located)
    }

    /// Loads a JSON policy document (the same schema as TOML).
    ///
    /// ```
    /// let p = guardrails_core::Policy::from_json(r#"{"version":1,"mode":"monitor"}"#)?;
    /// assert_eq!(p.mode(), guardrails_core::Mode::Monitor);
    /// # Ok::<(), guardrails_core::PolicyError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Policy, PolicyError> {
        Policy::from_json_named(text, "policy.json")
    }

    /// Loads a JSON document, naming it `source` in errors.
    pub fn from_json_named(text: &str, source: &str) -> Result<Policy, PolicyError> {
        let (doc, located) = load::json_document(source, text)?;
        Policy::finish(&doc, source, &located)
    }

    /// Loads a document from a file: JSON when the name ends in `.json`, TOML otherwise.
    ///
    /// ```no_run
    /// let p = guardrails_core::Policy::from_path("examples/policies/startup-production-db.toml")?;
    /// # Ok::<(), guardrails_core::PolicyError>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Policy, PolicyError> {
        let path = path.as_ref();
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            err::io_error(
                &source,
                format!("cannot read the policy: {}", e.to_string().to_lowercase()),
            )
        })?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Policy::from_json_named(&text, &source)
        } else {
            Policy::from_toml_named(&text, &source)
        }
    }

    /// Compiles a parsed document (no source text: errors name fields only).
    ///
    /// ```
    /// use guardrails_core::{policy::PolicyDocument, Policy};
    /// let p = Policy::from_document(&PolicyDocument { version: 1, ..PolicyDocument::default() })?;
    /// assert_ne!(p.digest(), Policy::builtin().digest());
    /// # Ok::<(), guardrails_core::PolicyError>(())
    /// ```
    pub fn from_document(doc: &PolicyDocument) -> Result<Policy, PolicyError> {
        let value = serde_json::to_value(doc).unwrap_or_default();
        Policy::finish(doc, "policy", &load::Located::Json { value })
    }

    fn finish(
        doc: &PolicyDocument,
        source: &str,
        located: &load::Located<'_>,
    ) -> Result<Policy, PolicyError> {
        let place = |p: Problem| {
            let owner = load::owner_of(located, &p.path);
            let name = owner.split('`').nth(1).unwrap_or("");
            let p = if p.kind == ProblemKind::Example
                || owner.is_empty()
                || p.path.len() <= 2
                || (!name.is_empty() && p.message.contains(name))
            {
                p
            } else {
                let message = match p.message.split_once(": ") {
                    Some((head, detail)) => format!("{head}{owner}: {detail}"),
                    None => format!("{}{owner}", p.message),
                };
                Problem { message, ..p }
            };
            located.place(source, p)
        };
        let compiled = compile::compile(doc, builtin_digest_cached()).map_err(place)?;
        let policy = Policy {
            mode: compiled.mode,
            inner: Arc::new(compiled),
        };
        examples::run(&policy, doc).map_err(place)?;
        Ok(policy)
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
        Policy {
            inner: Arc::clone(&self.inner),
            mode: Mode::Monitor,
        }
    }

    /// The policy's mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// BLAKE3 digest (hex) of the compiled policy; in every decision.
    pub fn digest(&self) -> &str {
        &self.inner.digest
    }

    /// The document this policy was compiled from; `None` for the built-in policy.
    pub fn document(&self) -> Option<&PolicyDocument> {
        self.inner.document.as_ref()
    }

    /// The sensitive data catalogue of the document, if it has one.
    ///
    /// ```
    /// let p = guardrails_core::Policy::from_toml(r#"
    /// version = 1
    /// [[catalogue.data]]
    /// table = "public.users"
    /// columns = ["email"]
    /// tags = ["pii.email"]
    /// [catalogue.strategies]
    /// "pii.email" = "partial"
    /// "#)?;
    /// let c = p.catalogue().map(|c| c.data.len());
    /// assert_eq!(c, Some(1));
    /// # Ok::<(), guardrails_core::PolicyError>(())
    /// ```
    pub fn catalogue(&self) -> Option<&CatalogueDoc> {
        self.inner.catalogue.as_ref().map(|c| &c.doc)
    }

    /// The catalogue masking uses: the document's (on top of the built-in column names), or the
    /// built-in one.
    ///
    /// ```
    /// let p = guardrails_core::Policy::builtin();
    /// assert!(!p.mask_catalogue().is_explicit());
    /// ```
    pub fn mask_catalogue(&self) -> &crate::mask::Catalogue {
        match &self.inner.catalogue {
            Some(c) => &c.mask,
            None => crate::mask::Catalogue::builtin(),
        }
    }

    /// Analyses an action, mapping tool calls as the document says.
    pub fn analyze(&self, action: &Action) -> Analysis {
        let target = match action {
            Action::Tool { name, .. } => self.inner.tool_target(name),
            _ => None,
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            analyze_with(action, target)
        })) {
            Ok(a) => a,
            Err(_) => internal_failure(action),
        }
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
        let analysis = self.analyze(action);
        self.decide_traced(analysis, Some(action), context, None)
    }

    /// Decides an already analysed action. Rules matching tool arguments see no arguments.
    pub fn decide(&self, analysis: Analysis, context: &Context) -> Decision {
        self.decide_traced(analysis, None, context, None)
    }

    /// Decides an action and says, for every rule and change of the document, whether it
    /// applied and why (for `guardrails policy explain`).
    ///
    /// ```
    /// use guardrails_core::{Action, Context, Dialect, Policy};
    /// let p = Policy::from_toml("version = 1\n[[rules]]\nid = \"no-pg-sleep\"\nverdict = \"deny\"\nsql = { functions = \"pg_sleep\" }\n")?;
    /// let (d, steps) = p.explain(&Action::sql(Dialect::Postgres, "SELECT 1"), &Context::default());
    /// assert!(steps.iter().any(|s| s.rule == "no-pg-sleep" && s.reason.contains("functions") || s.rule == "no-pg-sleep"));
    /// assert!(d.findings.is_empty());
    /// # Ok::<(), guardrails_core::PolicyError>(())
    /// ```
    pub fn explain(&self, action: &Action, context: &Context) -> (Decision, Vec<Step>) {
        let mut steps = Vec::new();
        let analysis = self.analyze(action);
        let d = self.decide_traced(analysis, Some(action), context, Some(&mut steps));
        (d, steps)
    }

    fn decide_traced(
        &self,
        analysis: Analysis,
        action: Option<&Action>,
        ctx: &Context,
        mut trace: Option<&mut Vec<Step>>,
    ) -> Decision {
        let c = &*self.inner;
        // 1. Built-in detections (and catalogue bulk reads), judged with the document's changes.
        let mut detections = analysis.detections;
        if let Some(cat) = &c.catalogue {
            detections.retain(|d| {
                !(d.rule == "sql.sensitive-bulk-read"
                    && d.grade == Grade::Review
                    && d.statement.is_some_and(|i| cat.covers(&analysis.intent, i)))
            });
            for d in cat.detections(&analysis.intent, ctx) {
                if !detections
                    .iter()
                    .any(|x| x.rule == d.rule && x.statement == d.statement)
                {
                    detections.push(d);
                }
            }
        }
        // Judged in order into the detections' own allocation (a `Finding` is the size of a
        // `Detection`), then every finding that repeats an earlier one (same rule, statement,
        // span and message) is dropped: what keeping only the first of each gives.
        let mut findings: Vec<Finding> = detections
            .into_iter()
            .filter_map(|d| self.judge(d, ctx, &mut trace))
            .collect();
        let mut i = 1;
        while let (Some(before), Some(f)) = (findings.get(..i), findings.get(i)) {
            let repeated = before.iter().any(|x| {
                x.rule == f.rule
                    && x.statement == f.statement
                    && x.span == f.span
                    && x.message == f.message
            });
            if repeated {
                findings.remove(i);
            } else {
                i += 1;
            }
        }
        // 2. The document's own rules.
        let subject = Subject {
            intent: &analysis.intent,
            normalized: &analysis.normalized,
            action,
        };
        let mut matched_any = false;
        for r in &c.rules {
            let outcome = r
                .scope
                .check(ctx)
                .and_then(|()| r.check(&subject).map_err(|e| format!("no match: {e}")));
            match outcome {
                Ok(hit) => {
                    matched_any = true;
                    explain::push_with(&mut trace, &r.id, StepOutcome::Matched, || {
                        format!("verdict `{}`", r.verdict)
                    });
                    findings.push(Finding {
                        rule: r.id.clone(),
                        verdict: r.verdict,
                        severity: r.severity,
                        message: r.message.clone(),
                        statement: hit.statement,
                        span: hit.span,
                    });
                }
                Err(why) => explain::push(&mut trace, &r.id, StepOutcome::Skipped, why),
            }
        }
        // 3. The default for actions nothing matched.
        let raised = findings.iter().any(|f| f.verdict > Verdict::Allow);
        if !matched_any && !raised {
            let default = c
                .defaults
                .iter()
                .find(|(s, _)| s.matches(ctx))
                .map_or(c.default, |(_, v)| *v);
            if default > Verdict::Allow {
                explain::push_with(&mut trace, "policy.default", StepOutcome::Matched, || {
                    format!("no rule matched: default `{default}`")
                });
                findings.push(Finding {
                    rule: "policy.default".into(),
                    verdict: default,
                    severity: if default == Verdict::Deny {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                    message: format!(
                        "no rule of the policy allows this action: the default is `{default}`"
                    ),
                    statement: None,
                    span: None,
                });
            }
        }
        findings.sort_by_key(|f| std::cmp::Reverse(f.verdict));
        let mut verdict = findings
            .iter()
            .map(|f| f.verdict)
            .max()
            .unwrap_or(Verdict::Allow);
        let fingerprint = self.fingerprint(&analysis.normalized);
        // 4. Approvals lift a review, never a deny.
        let approvals = if verdict == Verdict::Review {
            self.approve(&findings, &fingerprint, ctx, &mut trace)
        } else {
            Vec::new()
        };
        if !approvals.is_empty() {
            verdict = Verdict::Allow;
        } else if verdict == Verdict::Deny && !ctx.approvals.is_empty() {
            explain::push(
                &mut trace,
                "approvals",
                StepOutcome::Skipped,
                "a `deny` is never lifted by an approval".into(),
            );
        }
        let mut decision = Decision {
            verdict,
            enforced: self.mode == Mode::Enforce,
            findings,
            masks: Vec::new(),
            intent: analysis.intent,
            policy_digest: c.digest.clone(),
            fingerprint,
            approvals,
        };
        // 5. Masks and masked-column probes, from the document's catalogue or the built-in one.
        crate::mask::apply(&mut decision, self.mask_catalogue(), ctx);
        decision
    }

    /// Judges one detection: the built-in matrix, then the first change whose rule and scope
    /// match. `None` when the change disables it (or the document extends nothing).
    fn judge(
        &self,
        d: Detection,
        ctx: &Context,
        trace: &mut Option<&mut Vec<Step>>,
    ) -> Option<Finding> {
        let c = &*self.inner;
        let info = rules::lookup(&d.rule);
        let mut class = info.map_or(RuleClass::Risky, |r| r.class);
        if d.rule == "sql.masked-column-probe" && c.catalogue.is_some() {
            class = RuleClass::Risky;
        }
        let mut severity = info.map_or(Severity::Medium, |r| r.severity(d.grade));
        let mut verdict = builtin_verdict(class, d.grade, ctx.environment_class(), ctx.actor.kind);
        let fail_closed = is_fail_closed(&d.rule);
        if c.extends == Extends::None && !fail_closed {
            explain::push_with(trace, &d.rule, StepOutcome::Skipped, || {
                "the policy extends `none`".into()
            });
            return None;
        }
        for o in c.overrides.iter().filter(|o| o.rule.matches(&d.rule)) {
            let label = format!("builtin[{}]", o.index);
            if fail_closed && !o.rule.is_literal() {
                continue;
            }
            if let Err(why) = o.scope.check(ctx) {
                explain::push(
                    trace,
                    &d.rule,
                    StepOutcome::Skipped,
                    format!("{label} does not apply: {why}"),
                );
                continue;
            }
            if o.disable {
                explain::push(
                    trace,
                    &d.rule,
                    StepOutcome::Disabled,
                    format!("disabled by {label}"),
                );
                return None;
            }
            if let Some(v) = o.verdict {
                if d.grade > Grade::Notice && !(fail_closed && v < verdict) {
                    verdict = v;
                }
            }
            if let Some(s) = o.severity {
                severity = s;
            }
            explain::push(
                trace,
                &d.rule,
                StepOutcome::Changed,
                format!(
                    "{label}: verdict `{verdict}`, severity `{}`",
                    severity.as_str()
                ),
            );
            break;
        }
        explain::push_with(trace, &d.rule, StepOutcome::Matched, || {
            format!("verdict `{verdict}`: {}", d.message)
        });
        Some(Finding {
            verdict,
            rule: d.rule,
            severity,
            message: d.message,
            statement: d.statement,
            span: d.span,
        })
    }

    fn approve(
        &self,
        findings: &[Finding],
        fingerprint: &str,
        ctx: &Context,
        trace: &mut Option<&mut Vec<Step>>,
    ) -> Vec<AppliedApproval> {
        for a in &ctx.approvals {
            match approval::check(a, fingerprint, ctx, &self.inner.approvers) {
                Ok(()) => {
                    let lifted: Vec<String> = findings
                        .iter()
                        .filter(|f| f.verdict == Verdict::Review)
                        .map(|f| f.rule.clone())
                        .collect();
                    explain::push(
                        trace,
                        "approvals",
                        StepOutcome::Matched,
                        format!("`{}` lifted `{}`", a.approver, lifted.join("`, `")),
                    );
                    return vec![AppliedApproval {
                        approver: a.approver.clone(),
                        expires_at: a.expires_at.clone().unwrap_or_default(),
                        lifted,
                    }];
                }
                Err(why) => explain::push(trace, "approvals", StepOutcome::Skipped, why),
            }
        }
        Vec::new()
    }

    /// The fingerprint of a normalised action: keyed BLAKE3 with the document's
    /// `fingerprint_key`, else BLAKE3 in derive-key mode; hex.
    fn fingerprint(&self, normalized: &str) -> String {
        match &self.inner.fingerprint_key {
            Some(k) => lower_hex(blake3::keyed_hash(k, normalized.as_bytes()).as_bytes()),
            None => fingerprint(normalized),
        }
    }
}

fn internal_failure(action: &Action) -> Analysis {
    let rule = match action {
        Action::Sql { .. } => "sql.unparseable",
        Action::Shell { .. } | Action::Exec { .. } => "shell.unparseable",
        Action::Tool { .. } => "tool.bad-arguments",
    };
    Analysis {
        detections: vec![Detection::new(
            rule,
            Grade::Deny,
            "the analysis failed internally: fail closed",
        )],
        normalized: format!("{action:?}"),
        ..Analysis::default()
    }
}

/// The fingerprint of a normalised action: BLAKE3 in derive-key mode, hex.
pub(crate) fn fingerprint(normalized: &str) -> String {
    lower_hex(crate::hash::derive_key(&FINGERPRINT_CONTEXT, normalized.as_bytes()).as_bytes())
}

/// The derive-key context of unkeyed fingerprints, with its context key worked out (a test
/// checks it): deriving it is one more compression per decision.
const FINGERPRINT_CONTEXT: crate::hash::DeriveContext = crate::hash::DeriveContext {
    text: "access-guardrails 2026 action fingerprint v1",
    key: [
        0x9064_8C36,
        0x6FD1_9957,
        0xC392_1DD2,
        0xD77E_70BC,
        0x97CD_E8CC,
        0xF745_FFA5,
        0xEA78_7969,
        0xD21A_A8BA,
    ],
};

/// Lower-case hex of a digest as a `String` (every decision carries one: `to_hex` and a copy
/// cost three times as much).
fn lower_hex(bytes: &[u8; 32]) -> String {
    String::from_utf8(crate::hash::hex32(bytes).to_vec()).unwrap_or_default()
}

/// The JSON Schema of policy documents, as published in `policy.schema.json`.
///
/// ```
/// let s = guardrails_core::policy::schema_json();
/// assert!(s.contains("\"version\""));
/// ```
pub fn schema_json() -> String {
    let mut schema = schemars::schema_for!(PolicyDocument).to_value();
    strip_doc_examples(&mut schema);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// Descriptions come from doc comments: keep their prose, drop their code examples.
fn strip_doc_examples(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                match child {
                    serde_json::Value::String(s) if k == "description" => {
                        if let Some(i) = s.find("```") {
                            *s = s.get(..i).unwrap_or("").trim_end().to_owned();
                        }
                    }
                    _ => strip_doc_examples(child),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_doc_examples),
        _ => {}
    }
}

#[cfg(test)]
mod hex_tests {
    #[test]
    fn fingerprint_context_key_is_derived_from_its_text() {
        let derived = crate::hash::DeriveContext::new(super::FINGERPRINT_CONTEXT.text);
        assert_eq!(derived.map(|d| d.key), Some(super::FINGERPRINT_CONTEXT.key));
        let mut h = blake3::Hasher::new_derive_key(super::FINGERPRINT_CONTEXT.text);
        h.update(b"sql\0drop table t");
        assert_eq!(
            super::fingerprint("sql\0drop table t"),
            h.finalize().to_hex().as_str()
        );
    }

    #[test]
    fn lower_hex_is_blakes_own_hex() {
        for input in ["", "sql\0drop table t", "x"] {
            let h = blake3::hash(input.as_bytes());
            assert_eq!(super::lower_hex(h.as_bytes()), h.to_hex().as_str());
        }
    }
}
