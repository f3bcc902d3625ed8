#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]

pub mod action;
mod analyze;
pub mod audit;
pub mod context;
pub mod decision;
pub mod finding;
mod hash;
pub mod intent;
pub mod mask;
pub mod policy;
pub mod redact;
pub mod rules;
pub mod shell;
pub(crate) mod sql;
#[cfg(test)]
mod testrng;
pub mod text;
pub mod verdict;
pub mod wire;

pub use action::{Action, Dialect, ShellKind};
pub use analyze::{analyze, analyze_with, Analysis, ToolTarget, ToolTargetKind};
pub use context::{Actor, ActorKind, Approval, Context, Environment};
pub use decision::{Decision, Mask};
pub use finding::{Detection, Finding, Grade, Span};
pub use intent::{
    Access, ColumnUse, Filter, Intent, ObjectRef, Operation, OutputColumn, StatementIntent,
    ToolIntent,
};
pub use policy::{builtin_verdict, Mode, Policy, PolicyError};
pub use rules::RuleClass;
pub use verdict::{Severity, Verdict};

/// Decides an action with the built-in policy. Never panics, never fails open.
///
/// ```
/// use guardrails_core::{evaluate, Action, Context, Dialect, Verdict};
/// let d = evaluate(&Action::sql(Dialect::Postgres, "DELETE FROM users"), &Context::default());
/// assert_eq!(d.verdict, Verdict::Deny);
/// ```
pub fn evaluate(action: &Action, context: &Context) -> Decision {
    Policy::builtin().evaluate(action, context)
}

/// Hooks for the fuzz targets: not part of the API, may change at any time.
#[doc(hidden)]
pub mod fuzzing {
    use crate::Dialect;

    /// Runs the fast SQL lexer and sqlparser's tokenizer on `text` in every dialect: the number
    /// of dialects where the fast lexer took the text, or the first disagreement.
    ///
    /// ```
    /// assert_eq!(guardrails_core::fuzzing::fastlex_agrees("SELECT 1"), Ok(7));
    /// assert_eq!(guardrails_core::fuzzing::fastlex_agrees("SELECT 1 -- note"), Ok(0));
    /// ```
    pub fn fastlex_agrees(text: &str) -> Result<usize, String> {
        let mut taken = 0;
        for dialect in Dialect::ALL {
            taken += usize::from(crate::sql::fastlex_agrees(text, dialect)?);
        }
        Ok(taken)
    }

    /// Runs the fast SQL parser and sqlparser on every statement of `text` in every dialect:
    /// the number of statements the fast parser took, or the first tree that differs.
    ///
    /// ```
    /// assert_eq!(guardrails_core::fuzzing::fastparse_agrees("DELETE FROM t WHERE a = 1"), Ok(7));
    /// assert_eq!(guardrails_core::fuzzing::fastparse_agrees("DELETE FROM t USING u"), Ok(0));
    /// ```
    pub fn fastparse_agrees(text: &str) -> Result<usize, String> {
        let mut taken = 0;
        for dialect in Dialect::ALL {
            taken += crate::sql::fastparse_agrees(text, dialect)?;
        }
        Ok(taken)
    }
}

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn policy_and_decision_are_send_sync() {
        assert_send_sync::<crate::Policy>();
        assert_send_sync::<crate::Decision>();
    }
}
