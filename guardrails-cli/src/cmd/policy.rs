//! `guardrails policy`: check a document, explain a decision, print the schema, mint approvals.

use guardrails_core::policy::{approval, schema_json, ApprovalClaims, StepOutcome};
use guardrails_core::{Action, Context, Dialect, Policy, PolicyError};

use super::{print, read_input};

/// Arguments of `policy`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Load a document, run the examples of its rules, print a summary.
    Check {
        /// The policy file (TOML, or JSON when it ends in `.json`).
        file: String,
    },
    /// Decide an action under a document and say which rules matched or were skipped, and why.
    Explain(ExplainArgs),
    /// Print the JSON Schema of policy documents.
    Schema,
    /// Mint a signed approval for an action's fingerprint (prints the approval as JSON).
    Approve(ApproveArgs),
}

/// Arguments of `policy explain`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("action").required(true).args(["sql", "shell", "argv"])))]
pub(crate) struct ExplainArgs {
    /// The policy file.
    file: String,
    /// SQL text.
    #[arg(long)]
    sql: Option<String>,
    /// SQL dialect.
    #[arg(long, default_value = "generic")]
    dialect: Dialect,
    /// A shell command line.
    #[arg(long)]
    shell: Option<String>,
    /// An argv (everything after `--argv`).
    #[arg(long, num_args = 1.., allow_hyphen_values = true)]
    argv: Option<Vec<String>>,
    #[command(flatten)]
    context: super::args::ContextArgs,
    /// Print the decision and the steps as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `policy approve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ApproveArgs {
    /// The approver's id, as listed in the policy's `[[approvers]]`.
    #[arg(long)]
    approver: String,
    /// A file holding the approver's key (64 hex digits). Default: `$GUARDRAILS_APPROVER_KEY`.
    #[arg(long, value_name = "FILE")]
    key_file: Option<String>,
    /// The fingerprint of the action (from `guardrails check --json`).
    #[arg(long)]
    fingerprint: String,
    /// The environment of the context. Default production.
    #[arg(long = "env")]
    environment: Option<String>,
    /// The resource of the context.
    #[arg(long)]
    resource: Option<String>,
    /// The actor id of the context.
    #[arg(long)]
    actor: Option<String>,
    /// RFC 3339 expiry, e.g. `2030-01-01T00:00:00Z`.
    #[arg(long, conflicts_with = "ttl")]
    expires_at: Option<String>,
    /// Lifetime in minutes from now (default 15).
    #[arg(long)]
    ttl: Option<u32>,
}

pub(crate) fn load(file: &str) -> Result<Policy, String> {
    Policy::from_path(file).map_err(|e| render_error(&e))
}

/// A load error with its help line.
pub(crate) fn render_error(e: &PolicyError) -> String {
    match e.help() {
        Some(h) => format!("{e}\n  help: {h}"),
        None => e.to_string(),
    }
}

pub(crate) fn run(a: Args) -> Result<u8, String> {
    match a.command {
        Command::Check { file } => check(&file),
        Command::Explain(e) => explain(e),
        Command::Schema => {
            print(schema_json().trim_end());
            Ok(0)
        }
        Command::Approve(a) => approve(a),
    }
}

fn check(file: &str) -> Result<u8, String> {
    let policy = load(file)?;
    let Some(doc) = policy.document() else {
        return Err("not a policy document".into());
    };
    let examples: usize = doc
        .rules
        .iter()
        .map(|r| r.matches.len() + r.not_match.len())
        .sum::<usize>()
        + doc
            .builtin
            .iter()
            .map(|o| o.matches.len() + o.not_match.len())
            .sum::<usize>();
    print(&format!("{file}: ok"));
    print(&format!(
        "  mode {}, extends {}",
        if policy.mode() == guardrails_core::Mode::Monitor {
            "monitor"
        } else {
            "enforce"
        },
        match doc.extends {
            guardrails_core::policy::Extends::Builtin => "builtin",
            guardrails_core::policy::Extends::None => "none",
        }
    ));
    print(&format!(
        "  {} rules, {} changes to built-in rules, {} tool mappings, {} approvers, {} catalogue entries",
        doc.rules.len(),
        doc.builtin.len(),
        doc.tools.len(),
        doc.approvers.len(),
        doc.catalogue.as_ref().map_or(0, |c| c.data.len())
    ));
    print(&format!("  {examples} examples passed"));
    print(&format!("  digest {}", policy.digest()));
    Ok(0)
}

fn explain(a: ExplainArgs) -> Result<u8, String> {
    let policy = load(&a.file)?;
    let action = if let Some(sql) = a.sql {
        Action::sql(a.dialect, sql)
    } else if let Some(shell) = a.shell {
        Action::shell(shell)
    } else if let Some(argv) = a.argv {
        Action::Exec { argv }
    } else {
        return Err("no action given".into());
    };
    let mut ctx = Context::default();
    a.context.apply(&mut ctx);
    let (decision, steps) = policy.explain(&action, &ctx);
    if a.json {
        print(&serde_json::json!({"decision": decision, "steps": steps}).to_string());
        return Ok(0);
    }
    for s in &steps {
        let mark = match s.outcome {
            StepOutcome::Matched => "matched ",
            StepOutcome::Changed => "changed ",
            StepOutcome::Disabled => "disabled",
            _ => "skipped ",
        };
        print(&format!("{mark} {:<32} {}", s.rule, s.reason));
    }
    if steps.is_empty() {
        print("no rule of the policy or the built-in catalogue applied");
    }
    print(&format!(
        "verdict: {}{}",
        decision.verdict,
        if decision.enforced {
            ""
        } else {
            " (monitor: not enforced)"
        }
    ));
    print(&format!("fingerprint: {}", decision.fingerprint));
    Ok(0)
}

fn approve(a: ApproveArgs) -> Result<u8, String> {
    let key_text = match &a.key_file {
        Some(f) => read_input(f)?,
        None => std::env::var("GUARDRAILS_APPROVER_KEY")
            .map_err(|_| "no key: pass `--key-file` or set `GUARDRAILS_APPROVER_KEY`".to_owned())?,
    };
    let key = approval::decode_hex32(&key_text)
        .ok_or("the approver key is not 64 hex digits (32 bytes)")?;
    let expires_at = match a.expires_at {
        Some(e) => {
            approval::parse_rfc3339(&e).ok_or_else(|| format!("`{e}` is not an RFC 3339 time"))?;
            e
        }
        None => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| e.to_string())?
                .as_secs();
            let now = i64::try_from(now).map_err(|e| e.to_string())?;
            approval::format_rfc3339(now + i64::from(a.ttl.unwrap_or(15)) * 60)
        }
    };
    let claims = ApprovalClaims {
        approver: a.approver,
        fingerprint: a.fingerprint,
        environment: a.environment,
        resource: a.resource,
        actor: a.actor,
        expires_at,
    };
    let signed = approval::sign(&key, &claims);
    print(&serde_json::to_string(&signed).map_err(|e| e.to_string())?);
    Ok(0)
}
