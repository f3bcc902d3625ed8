//! The built-in verdict matrix: a detection's grade and its rule's class, in an environment,
//! for a kind of actor, give a verdict.
//!
//! | environment | actor | breakout deny | destructive deny | review grade |
//! |---|---|---|---|---|
//! | production | agent, ci, service | deny | deny | review |
//! | production | human | deny | review | review |
//! | staging | agent | deny | review | review |
//! | staging | human, ci, service | deny | review | allow |
//! | development, test | agent | deny | review | allow |
//! | development, test | human, ci, service | deny | allow | allow |
//!
//! Notices are always allow. A breakout rule at review grade (unknowable dynamic SQL, a scoped
//! grant) follows the review column.

use crate::context::{ActorKind, Environment};
use crate::finding::Grade;
use crate::rules::RuleClass;
use crate::verdict::Verdict;

/// The built-in verdict for a detection.
///
/// ```
/// use guardrails_core::{builtin_verdict, ActorKind, Environment, Grade, RuleClass, Verdict};
/// assert_eq!(builtin_verdict(RuleClass::Destructive, Grade::Deny, Environment::Production, ActorKind::Human), Verdict::Review);
/// assert_eq!(builtin_verdict(RuleClass::Breakout, Grade::Deny, Environment::Development, ActorKind::Human), Verdict::Deny);
/// ```
pub fn builtin_verdict(
    class: RuleClass,
    grade: Grade,
    env: Environment,
    actor: ActorKind,
) -> Verdict {
    match grade {
        Grade::Notice => Verdict::Allow,
        Grade::Deny if class == RuleClass::Breakout => Verdict::Deny,
        Grade::Deny if class == RuleClass::Notice => Verdict::Allow,
        Grade::Deny => match (env, actor) {
            (Environment::Production, ActorKind::Human) => Verdict::Review,
            (Environment::Production, _) => Verdict::Deny,
            (Environment::Staging, _) => Verdict::Review,
            (Environment::Development | Environment::Test, ActorKind::Agent) => Verdict::Review,
            (Environment::Development | Environment::Test, _) => Verdict::Allow,
        },
        Grade::Review if class == RuleClass::Notice => Verdict::Allow,
        Grade::Review => match (env, actor) {
            (Environment::Production, _) => Verdict::Review,
            (Environment::Staging, ActorKind::Agent) => Verdict::Review,
            _ => Verdict::Allow,
        },
    }
}
