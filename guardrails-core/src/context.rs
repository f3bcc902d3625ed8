//! Who runs an action, from where, against what.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The circumstances of an action. Every field is optional on the wire: a missing environment
/// means production, a missing actor kind means the strictest kind, `agent`.
///
/// ```
/// use guardrails_core::{ActorKind, Context, Environment};
/// let ctx: Context = serde_json::from_str(r#"{"actor":{"id":"billing-bot"},"environment":"dev"}"#)?;
/// assert_eq!(ctx.actor.kind, ActorKind::Agent);
/// assert_eq!(ctx.environment_class(), Environment::Development);
/// assert_eq!(Context::default().environment_class(), Environment::Production);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// Who is acting.
    #[serde(default)]
    pub actor: Actor,
    /// The integration the action came through (`langchain`, `claude-code`, `ci`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The environment name (`production`, `staging`, `dev`, ...). Missing or unknown names are
    /// treated as production.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The target resource (a database, a cluster, a host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Free-form labels a policy can match on.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Approvals offered for this action. Only approvals a policy can verify lift a review.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<Approval>,
    /// The evaluation time (RFC 3339) approvals' expiry is checked against; the clock when
    /// missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

impl Context {
    /// A context for an actor of the given kind in the named environment.
    ///
    /// ```
    /// use guardrails_core::{ActorKind, Context};
    /// let ctx = Context::new(ActorKind::Human, "staging");
    /// assert_eq!(ctx.environment.as_deref(), Some("staging"));
    /// ```
    pub fn new(kind: ActorKind, environment: impl Into<String>) -> Self {
        Context {
            actor: Actor {
                kind,
                ..Actor::default()
            },
            environment: Some(environment.into()),
            ..Context::default()
        }
    }

    /// The class of the environment this context names.
    ///
    /// ```
    /// use guardrails_core::{Context, Environment};
    /// let ctx = Context { environment: Some("prd".into()), ..Context::default() };
    /// assert_eq!(ctx.environment_class(), Environment::Production);
    /// ```
    pub fn environment_class(&self) -> Environment {
        self.environment
            .as_deref()
            .map(Environment::classify)
            .unwrap_or(Environment::Production)
    }
}

/// The actor of an action.
///
/// ```
/// let actor = guardrails_core::Actor::default();
/// assert_eq!(actor.kind, guardrails_core::ActorKind::Agent);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// A stable identifier (`billing-bot`, `alice@example.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What kind of actor it is. Default `agent`, the strictest.
    #[serde(default)]
    pub kind: ActorKind,
    /// Roles the actor holds (`dba`, `analyst`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

/// Kinds of actor; the built-in verdict matrix depends on it.
///
/// ```
/// assert_eq!(guardrails_core::ActorKind::Ci.as_str(), "ci");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    /// A person at a terminal.
    Human,
    /// An AI agent (default: the strictest).
    #[default]
    Agent,
    /// A CI/CD job.
    Ci,
    /// A service account.
    Service,
}

impl ActorKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Human => "human",
            ActorKind::Agent => "agent",
            ActorKind::Ci => "ci",
            ActorKind::Service => "service",
        }
    }
}

impl std::str::FromStr for ActorKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "human" => Ok(ActorKind::Human),
            "agent" => Ok(ActorKind::Agent),
            "ci" => Ok(ActorKind::Ci),
            "service" => Ok(ActorKind::Service),
            _ => Err(format!(
                "unknown actor kind `{s}`: expected human, agent, ci or service"
            )),
        }
    }
}

/// Environment classes of the built-in verdict matrix.
///
/// ```
/// use guardrails_core::Environment;
/// assert_eq!(Environment::classify("Local"), Environment::Development);
/// assert_eq!(Environment::classify("eu-west-prod"), Environment::Production);
/// assert_eq!(Environment::classify("qa"), Environment::Staging);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Production (also the class of missing and unknown names).
    Production,
    /// Staging, pre-production, QA.
    Staging,
    /// Development and local machines.
    Development,
    /// Test environments.
    Test,
}

impl Environment {
    /// Classifies an environment name. Unknown names are production: fail closed.
    pub fn classify(name: &str) -> Environment {
        let lower = name.trim().to_ascii_lowercase();
        let exact = match lower.as_str() {
            "production" | "prod" | "prd" | "live" => Some(Environment::Production),
            "staging" | "stage" | "stg" | "preprod" | "pre-prod" | "uat" | "qa" => {
                Some(Environment::Staging)
            }
            "development" | "dev" | "local" | "sandbox" => Some(Environment::Development),
            "test" | "testing" => Some(Environment::Test),
            _ => None,
        };
        if let Some(env) = exact {
            return env;
        }
        // Compound names such as `eu-prod` or `dev-alice`: any production part wins.
        let parts: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        let has = |words: &[&str]| parts.iter().any(|p| words.contains(p));
        if has(&["production", "prod", "prd", "live"]) {
            Environment::Production
        } else if has(&["staging", "stage", "stg", "preprod", "uat", "qa"]) {
            Environment::Staging
        } else if has(&["development", "dev", "local", "sandbox"]) {
            Environment::Development
        } else if has(&["test", "testing"]) {
            Environment::Test
        } else {
            Environment::Production
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Staging => "staging",
            Environment::Development => "development",
            Environment::Test => "test",
        }
    }
}

/// An approval offered for an action. It lifts a `review` only when the policy can verify its
/// signature (an approver key named in the policy), it names this action's fingerprint, comes
/// from someone other than the actor and has not expired. A `deny` is never lifted.
///
/// ```
/// let a: guardrails_core::Approval = serde_json::from_str(
///     r#"{"approver":"alice","fingerprint":"ab12","expires_at":"2030-01-01T00:00:00Z","signature":"00"}"#)?;
/// assert_eq!(a.approver, "alice");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Who approved.
    pub approver: String,
    /// The fingerprint of the approved action (from a previous decision).
    pub fingerprint: String,
    /// RFC 3339 expiry time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Hex signature over the approval with the approver's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}
