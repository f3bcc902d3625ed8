//! Flags shared by the commands that decide one action (`check`, `policy explain`).

use guardrails_core::{ActorKind, Context};

/// The context of the action, from flags. Each flag overrides the context it is applied to.
#[derive(Debug, clap::Args)]
pub(crate) struct ContextArgs {
    /// Environment name (production, staging, dev, test, ...). Default production.
    #[arg(long = "env")]
    environment: Option<String>,
    /// Actor kind: human, agent, ci, service. Default agent.
    #[arg(long)]
    actor_kind: Option<ActorKind>,
    /// Actor id.
    #[arg(long)]
    actor: Option<String>,
    /// Actor roles (repeatable).
    #[arg(long = "role")]
    roles: Vec<String>,
    /// Origin of the action (langchain, claude-code, ...).
    #[arg(long)]
    origin: Option<String>,
    /// Target resource.
    #[arg(long)]
    resource: Option<String>,
}

impl ContextArgs {
    /// Applies the flags that were given to `context`.
    pub(crate) fn apply(self, context: &mut Context) {
        if self.environment.is_some() {
            context.environment = self.environment;
        }
        if let Some(kind) = self.actor_kind {
            context.actor.kind = kind;
        }
        if self.actor.is_some() {
            context.actor.id = self.actor;
        }
        if !self.roles.is_empty() {
            context.actor.roles = self.roles;
        }
        if self.origin.is_some() {
            context.origin = self.origin;
        }
        if self.resource.is_some() {
            context.resource = self.resource;
        }
    }
}
