//! Findings: what the analysis detected, and what the policy made of it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::verdict::{Severity, Verdict};

/// How serious a detection is in the reference column of the built-in matrix (an agent in
/// production). The policy turns a grade into a verdict for the actual context.
///
/// ```
/// use guardrails_core::Grade;
/// assert!(Grade::Deny > Grade::Review);
/// ```
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    /// Worth recording, never blocks.
    Notice,
    /// Needs a human's approval.
    Review,
    /// Must not run.
    Deny,
}

/// A byte range `[start, end)` in the original text of the action.
pub type Span = (usize, usize);

/// What an analyser found, before any policy: a rule id, a grade, a message and where.
///
/// ```
/// use guardrails_core::{Detection, Grade};
/// let d = Detection::new("sql.drop", Grade::Deny, "`DROP TABLE` destroys `users`").at(0, Some((0, 16)));
/// assert_eq!(d.statement, Some(0));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Detection {
    /// The rule id from the catalogue.
    pub rule: String,
    /// Its grade.
    pub grade: Grade,
    /// A lowercase human message; user input in backticks.
    pub message: String,
    /// The statement (SQL) or command (shell) index, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<usize>,
    /// Byte span in the original text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

impl Detection {
    /// A detection without a location.
    pub fn new(rule: impl Into<String>, grade: Grade, message: impl Into<String>) -> Self {
        Detection {
            rule: rule.into(),
            grade,
            message: message.into(),
            statement: None,
            span: None,
        }
    }

    /// Sets the statement index and span.
    #[must_use]
    pub fn at(mut self, statement: usize, span: Option<Span>) -> Self {
        self.statement = Some(statement);
        self.span = span;
        self
    }
}

/// A detection judged by a policy: it carries the verdict this context gets for it.
///
/// ```
/// use guardrails_core::{evaluate, Action, Context, Dialect, Verdict};
/// let d = evaluate(&Action::sql(Dialect::Postgres, "DELETE FROM users"), &Context::default());
/// let f = &d.findings[0];
/// assert_eq!((f.rule.as_str(), f.verdict), ("sql.delete-without-where", Verdict::Deny));
/// assert_eq!(f.span, Some((0, 17)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// The rule id (`sql.drop`, `shell.recursive-delete`, or a policy's own rule).
    pub rule: String,
    /// The verdict this finding asks for in this context.
    pub verdict: Verdict,
    /// How bad it is, independent of context.
    pub severity: Severity,
    /// What was found and where, in words.
    pub message: String,
    /// Index of the statement or command it was found in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<usize>,
    /// Byte range `[start, end)` in the original text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}
