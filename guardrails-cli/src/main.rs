//! The `guardrails` command.

mod cmd;
mod render;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Access Guardrails: check SQL, shell commands, argv and tool calls before they run.
#[derive(Debug, Parser)]
#[command(name = "guardrails", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decide one action. Exit codes: 0 allow (or monitor mode), 3 review, 4 deny, 2 usage, 1 error.
    Check(cmd::check::Args),
    /// Decide JSONL requests `{"id","action","context"}` from a file or stdin; one output line each.
    Batch(cmd::batch::Args),
    /// List the rule catalogue.
    Rules(cmd::rules::RulesArgs),
    /// Explain a rule: what it catches, why, examples.
    Explain(cmd::rules::ExplainArgs),
    /// Policy documents: check, explain, schema, approve.
    Policy(cmd::policy::Args),
    /// Mask sensitive values (e-mails, cards, tokens, ...) in text, JSON lines or CSV, streaming.
    Mask(cmd::mask::Args),
    /// Audit logs: verify a chain, export its head (checkpoint), export as OCSF.
    Audit(cmd::audit::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(a) => cmd::check::run(a),
        Command::Batch(a) => cmd::batch::run(a),
        Command::Rules(a) => cmd::rules::rules(a),
        Command::Explain(a) => cmd::rules::explain(a),
        Command::Policy(a) => cmd::policy::run(a),
        Command::Mask(a) => cmd::mask::run(a),
        Command::Audit(a) => cmd::audit::run(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            cmd::eprint(&format!("error: {e}"));
            ExitCode::from(1)
        }
    }
}
