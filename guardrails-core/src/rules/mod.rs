//! The rule catalogue: every rule id the engine can report, with one doc line, the class that
//! places it in the built-in verdict matrix, and examples that `guardrails explain` prints and
//! the tests run.

mod engine;
mod shell;
mod sql;

use schemars::JsonSchema;
use serde::Serialize;

use crate::verdict::Severity;

/// How a rule's findings are treated by the built-in verdict matrix.
///
/// ```
/// use guardrails_core::rules::{lookup, RuleClass};
/// assert_eq!(lookup("sql.file-access").map(|r| r.class), Some(RuleClass::Breakout));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RuleClass {
    /// Leaves the system's boundaries or cannot be understood (files, programs, privilege
    /// escalation, exfiltration, hidden code, unparseable input): the same verdict everywhere.
    Breakout,
    /// Destroys data, schema, history or infrastructure: strict in production, relaxed in
    /// development.
    Destructive,
    /// Legitimate but risky: review in production, allowed where mistakes are cheap.
    Risky,
    /// Informational: never changes the verdict by itself.
    Notice,
}

/// One entry of the catalogue.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct RuleInfo {
    /// The stable rule id, `<family>.<what>`.
    pub id: &'static str,
    /// Its class in the built-in verdict matrix.
    pub class: RuleClass,
    /// One line: what it catches.
    pub summary: &'static str,
    /// Why it matters, for `guardrails explain`.
    pub rationale: &'static str,
    /// Example inputs and the verdict an agent in production gets for them.
    pub examples: &'static [Example],
}

/// An example of a rule, run by the tests.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Example {
    /// `sql:<dialect>`, `shell` or `exec`.
    pub surface: &'static str,
    /// The input text (argv joined by spaces for `exec`).
    pub input: &'static str,
    /// The verdict for an agent in production under the built-in policy.
    pub verdict: crate::Verdict,
    /// Whether this rule must be among the findings (false for allow-side examples).
    pub fires: bool,
}

impl RuleInfo {
    /// The rule's family, the part of the id before the dot.
    ///
    /// ```
    /// assert_eq!(guardrails_core::rules::lookup("sql.drop").map(|r| r.family()), Some("sql"));
    /// ```
    pub fn family(&self) -> &'static str {
        self.id.split('.').next().unwrap_or(self.id)
    }

    /// The severity of a finding of this rule at the given grade.
    pub fn severity(&self, grade: crate::finding::Grade) -> Severity {
        use crate::finding::Grade;
        match (grade, self.class) {
            (Grade::Notice, _) => Severity::Info,
            (Grade::Deny, RuleClass::Breakout) => Severity::Critical,
            (Grade::Deny, _) => Severity::High,
            (Grade::Review, _) => Severity::Medium,
        }
    }
}

/// Every rule, SQL first, then shell, then the engine's own.
///
/// ```
/// let all = guardrails_core::rules::catalogue();
/// assert!(all.into_iter().any(|r| r.id == "sql.delete-without-where"));
/// ```
pub fn catalogue() -> impl Iterator<Item = &'static RuleInfo> {
    sql::RULES
        .iter()
        .chain(shell::RULES.iter())
        .chain(engine::RULES.iter())
}

/// Looks a rule up by id.
///
/// ```
/// assert!(guardrails_core::rules::lookup("sql.truncate").is_some());
/// assert!(guardrails_core::rules::lookup("sql.nope").is_none());
/// ```
pub fn lookup(id: &str) -> Option<&'static RuleInfo> {
    catalogue().find(|r| r.id == id)
}

/// Shorthand used by the catalogue files.
pub(crate) const fn ex(
    surface: &'static str,
    input: &'static str,
    verdict: crate::Verdict,
    fires: bool,
) -> Example {
    Example {
        surface,
        input,
        verdict,
        fires,
    }
}
