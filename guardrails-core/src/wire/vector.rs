//! Golden test vectors shared by every language: `vectors/**/*.json`, each file one case or an
//! array of cases.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::context::Context;
use crate::decision::Decision;
use crate::verdict::Verdict;

/// One golden case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestVector {
    /// What the case checks.
    pub description: String,
    /// A policy document (TOML text, or a JSON object) the case runs under; built-in if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<serde_json::Value>,
    /// The action.
    pub action: Action,
    /// The context.
    #[serde(default)]
    pub context: Context,
    /// What the decision must be.
    pub expect: Expectation,
}

/// What a vector expects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The verdict.
    pub verdict: Verdict,
    /// Rule ids that must all be among the findings (an empty list: no finding at all may
    /// ask for more than allow).
    #[serde(default)]
    pub rules: Vec<String>,
    /// Whether the decision is enforced (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforced: Option<bool>,
    /// Source columns (`table.column`) that must be masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masks: Option<Vec<String>>,
}

/// Parses a vector file: one case or an array of cases.
///
/// ```
/// let cases = guardrails_core::wire::parse_vectors(r#"{"description":"d","action":{"kind":"sql","text":"SELECT 1"},"expect":{"verdict":"allow"}}"#)?;
/// assert_eq!(cases.len(), 1);
/// # Ok::<(), guardrails_core::wire::WireError>(())
/// ```
pub fn parse_vectors(text: &str) -> Result<Vec<TestVector>, super::WireError> {
    if text.trim_start().starts_with('[') {
        super::from_json(text)
    } else {
        super::from_json::<TestVector>(text).map(|v| vec![v])
    }
}

impl TestVector {
    /// Checks a decision against the expectation; `Err` says what differs.
    ///
    /// ```
    /// use guardrails_core::{evaluate, wire::parse_vectors};
    /// let v = &parse_vectors(r#"{"description":"d","action":{"kind":"sql","dialect":"postgres","text":"DROP TABLE t"},"expect":{"verdict":"deny","rules":["sql.drop"]}}"#)?[0];
    /// assert_eq!(v.check(&evaluate(&v.action, &v.context)), Ok(()));
    /// # Ok::<(), guardrails_core::wire::WireError>(())
    /// ```
    pub fn check(&self, d: &Decision) -> Result<(), String> {
        let mut problems = Vec::new();
        if d.verdict != self.expect.verdict {
            problems.push(format!(
                "verdict `{}`, expected `{}`",
                d.verdict, self.expect.verdict
            ));
        }
        for r in &self.expect.rules {
            if !d.rules().any(|x| x == r) {
                problems.push(format!(
                    "rule `{r}` missing (found: {})",
                    d.rules().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        if let Some(e) = self.expect.enforced {
            if d.enforced != e {
                problems.push(format!("enforced `{}`, expected `{e}`", d.enforced));
            }
        }
        if let Some(masks) = &self.expect.masks {
            let got: Vec<&str> = d.masks.iter().map(|m| m.source.as_str()).collect();
            for m in masks {
                if !got.contains(&m.as_str()) {
                    problems.push(format!("mask of `{m}` missing (found: {})", got.join(", ")));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("{}: {}", self.description, problems.join("; ")))
        }
    }
}
