//! The trace of a decision: which rules and changes applied, and why the others did not.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One step of [`Policy::explain`](super::Policy::explain).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A rule id, `policy.default` or `approvals`.
    pub rule: String,
    /// What happened.
    pub outcome: StepOutcome,
    /// Why, in words.
    pub reason: String,
}

/// What happened to a rule in a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum StepOutcome {
    /// It matched and produced a finding (or an approval applied).
    Matched,
    /// It did not apply, for the reason given.
    Skipped,
    /// A change of the document set its verdict or severity.
    Changed,
    /// A change of the document disabled it.
    Disabled,
}

impl StepOutcome {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            StepOutcome::Matched => "matched",
            StepOutcome::Skipped => "skipped",
            StepOutcome::Changed => "changed",
            StepOutcome::Disabled => "disabled",
        }
    }
}

/// [`push`] with a reason built only when a trace is being recorded: the untraced path
/// (every plain `evaluate`) then formats nothing.
pub(crate) fn push_with(
    trace: &mut Option<&mut Vec<Step>>,
    rule: &str,
    outcome: StepOutcome,
    reason: impl FnOnce() -> String,
) {
    if let Some(t) = trace.as_deref_mut() {
        t.push(Step {
            rule: rule.to_owned(),
            outcome,
            reason: reason(),
        });
    }
}

pub(crate) fn push(
    trace: &mut Option<&mut Vec<Step>>,
    rule: &str,
    outcome: StepOutcome,
    reason: String,
) {
    if let Some(t) = trace.as_deref_mut() {
        t.push(Step {
            rule: rule.to_owned(),
            outcome,
            reason,
        });
    }
}
