//! The decision: verdict, findings, intent, masks, digests.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::intent::Intent;
use crate::verdict::Verdict;

/// What the engine decided about an action in a context.
///
/// ```
/// use guardrails_core::{evaluate, Action, Context, Dialect, Verdict};
/// let d = evaluate(&Action::sql(Dialect::Postgres, "DELETE FROM users WHERE 1=1"), &Context::default());
/// assert_eq!(d.verdict, Verdict::Deny);
/// assert!(d.enforced);
/// assert_eq!(d.fingerprint.len(), 64);
/// assert!(d.rules().any(|r| r == "sql.tautological-where"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The strictest verdict of the findings (allow when there are none), after approvals:
    /// a `review` every review finding of which a valid approval lifted is `allow`.
    pub verdict: Verdict,
    /// False in monitor mode: the verdict is reported, not enforced.
    pub enforced: bool,
    /// What was found, strictest first.
    pub findings: Vec<Finding>,
    /// Result columns to mask, and how.
    #[serde(default)]
    pub masks: Vec<Mask>,
    /// What the action does.
    pub intent: Intent,
    /// BLAKE3 digest of the policy that decided.
    pub policy_digest: String,
    /// BLAKE3 digest of the normalised action (secrets replaced; keyed when the policy gives a
    /// key): approvals name it.
    pub fingerprint: String,
    /// The approvals that lifted review findings, and which.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<crate::policy::AppliedApproval>,
}

impl Decision {
    /// The rule ids of the findings, in order.
    pub fn rules(&self) -> impl Iterator<Item = &str> {
        self.findings.iter().map(|f| f.rule.as_str())
    }

    /// Whether the caller may run the action: allowed, or not enforced.
    ///
    /// ```
    /// use guardrails_core::{evaluate, Action, Context, Dialect};
    /// assert!(evaluate(&Action::sql(Dialect::Postgres, "SELECT 1"), &Context::default()).permits());
    /// ```
    pub fn permits(&self) -> bool {
        self.verdict == Verdict::Allow || !self.enforced
    }
}

/// A result column that must be masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mask {
    /// The output column's name.
    pub output: String,
    /// Its 0-based position in the result.
    pub position: usize,
    /// The source column it derives from (`users.email`).
    pub source: String,
    /// The masking strategy (`redact`, `partial`, `hash`, `null`, `format-preserving`, `fixed`).
    pub strategy: String,
    /// The catalogue tag of the source (`pii.email`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Matched by the output column's name rather than its position: the column comes from a
    /// `SELECT *` (or follows one), whose width is known only at run time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_name: bool,
    /// Index of the statement whose result it applies to.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub statement: usize,
    /// Why the actor sees this column unmasked (``role `dpo` ``); maskers leave it alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempt: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
