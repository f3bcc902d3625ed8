//! Verdicts and severities.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the engine says about an action. Ordered: `Allow < Review < Deny`, so the strictest
/// verdict of several findings is their maximum.
///
/// Deliberately not `#[non_exhaustive]`: a new verdict must break every `match` that decides
/// whether an action runs.
///
/// ```
/// use guardrails_core::Verdict;
/// assert!(Verdict::Deny > Verdict::Review && Verdict::Review > Verdict::Allow);
/// assert_eq!([Verdict::Review, Verdict::Deny].into_iter().max(), Some(Verdict::Deny));
/// ```
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The action may run.
    #[default]
    Allow,
    /// The action needs a named approval before it runs.
    Review,
    /// The action must not run.
    Deny,
}

impl Verdict {
    /// The lowercase name used on the wire (`allow`, `review`, `deny`).
    ///
    /// ```
    /// assert_eq!(guardrails_core::Verdict::Review.as_str(), "review");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Review => "review",
            Verdict::Deny => "deny",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a finding is, independent of the environment it was found in.
///
/// ```
/// use guardrails_core::Severity;
/// assert!(Severity::Critical > Severity::Info);
/// ```
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// Worth knowing, changes nothing.
    Info,
    /// Minor risk.
    Low,
    /// Risky: a human should look.
    Medium,
    /// Destructive or dangerous.
    High,
    /// Irreversible, or breaks out of the system's boundaries.
    Critical,
}

impl Severity {
    /// The lowercase name used on the wire.
    ///
    /// ```
    /// assert_eq!(guardrails_core::Severity::High.as_str(), "high");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}
