//! `guardrails check`.

use guardrails_core::{wire, Action, Context, Dialect, Policy, Verdict};

use super::{print, read_input, EXIT_ALLOW, EXIT_DENY, EXIT_REVIEW};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("action").required(true).args(["sql", "shell", "argv", "json_action"])))]
pub(crate) struct Args {
    /// SQL text to check.
    #[arg(long)]
    sql: Option<String>,
    /// SQL dialect: postgres, mysql, sqlite, mssql, snowflake, bigquery, generic.
    #[arg(long, default_value = "generic")]
    dialect: Dialect,
    /// A shell command line to check.
    #[arg(long)]
    shell: Option<String>,
    /// An argv to check (everything after `--argv`).
    #[arg(long, num_args = 1.., allow_hyphen_values = true)]
    argv: Option<Vec<String>>,
    /// A JSON file (or `-`) holding an action, or a request `{"action","context"}`.
    #[arg(long, value_name = "FILE")]
    json_action: Option<String>,
    #[command(flatten)]
    context: super::args::ContextArgs,
    /// Compute the decision but do not enforce it (exit 0).
    #[arg(long)]
    monitor: bool,
    /// A policy document (TOML, or JSON when it ends in `.json`) refining the built-in policy.
    #[arg(long, value_name = "FILE")]
    policy: Option<String>,
    /// Print the decision as JSON.
    #[arg(long)]
    json: bool,
    /// Append an audit record of the decision to this log (synced before the answer).
    #[arg(long, value_name = "FILE")]
    audit: Option<String>,
    /// The audit key file (64 hex digits). Default FILE.key, created (mode 0600) if missing.
    #[arg(long, value_name = "K", requires = "audit")]
    audit_key_file: Option<String>,
}

pub(crate) fn run(a: Args) -> Result<u8, String> {
    let (action, mut context) = if let Some(path) = &a.json_action {
        let text = read_input(path)?;
        match wire::parse_request(&text) {
            Ok(r) => (r.action, r.context),
            Err(request_err) => match wire::parse_action(&text) {
                Ok(action) => (action, Context::default()),
                Err(e) => return Err(format!("`{path}` is neither an action nor a request: {e} (as a request: {request_err})")),
            },
        }
    } else if let Some(sql) = a.sql {
        (Action::sql(a.dialect, sql), Context::default())
    } else if let Some(shell) = a.shell {
        (Action::shell(shell), Context::default())
    } else if let Some(argv) = a.argv {
        (Action::Exec { argv }, Context::default())
    } else {
        return Err("no action given".into());
    };
    a.context.apply(&mut context);
    let mut policy = match &a.policy {
        Some(file) => super::policy::load(file)?,
        None => Policy::builtin(),
    };
    if a.monitor {
        policy = policy.monitor();
    }
    let decision = policy.evaluate(&action, &context);
    if let Some(log) = &a.audit {
        let sink = super::audit::open_sink(
            log,
            a.audit_key_file.as_deref(),
            guardrails_core::audit::Durability::EveryRecord,
        )?;
        super::audit::record(&sink, &action, &context, &decision)?;
    }
    if a.json {
        print(&wire::decision_json(&decision));
    } else {
        print(&crate::render::human(&action, &decision));
    }
    Ok(match (decision.enforced, decision.verdict) {
        (false, _) | (_, Verdict::Allow) => EXIT_ALLOW,
        (true, Verdict::Review) => EXIT_REVIEW,
        (true, Verdict::Deny) => EXIT_DENY,
    })
}
