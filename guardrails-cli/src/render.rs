//! Human-readable rendering of a decision: the verdict, then each finding with the offending
//! span underlined in the input.

use guardrails_core::{Action, Context, Decision};

/// The text a finding's span points into.
fn source(action: &Action) -> Option<String> {
    match action {
        Action::Sql { text, .. } => Some(text.clone()),
        Action::Shell { command, .. } => Some(command.clone()),
        Action::Exec { argv } => Some(argv.join(" ")),
        Action::Tool { arguments, .. } => {
            let args = arguments.as_object()?;
            ["query", "sql", "statement", "command", "cmd"]
                .iter()
                .find_map(|k| args.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
        }
        _ => None,
    }
}

/// Renders a decision for a terminal.
pub(crate) fn human(action: &Action, d: &Decision) -> String {
    let mut out = String::new();
    let mode = if d.enforced {
        ""
    } else {
        " (monitor mode: not enforced)"
    };
    out.push_str(&format!("{}{mode}\n", d.verdict.as_str().to_uppercase()));
    let text = source(action).unwrap_or_default();
    for f in &d.findings {
        out.push_str(&format!(
            "  {:<6} {} [{}]\n",
            f.verdict.as_str(),
            f.rule,
            f.severity.as_str()
        ));
        let at = f
            .statement
            .map(|s| format!("statement {}: ", s + 1))
            .unwrap_or_default();
        out.push_str(&format!("         {at}{}\n", f.message));
        if let Some((start, end)) = f.span {
            out.push_str(&underline(&text, start, end));
        }
    }
    if d.findings.is_empty() {
        out.push_str("  no findings\n");
    }
    out.push_str(&format!("  fingerprint {}", d.fingerprint));
    out
}

/// The lines of `text` that `[start, end)` covers (at most 3), each followed by carets.
fn underline(text: &str, start: usize, end: usize) -> String {
    let mut out = String::new();
    let mut line_start = 0usize;
    let mut shown = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        if line_end > start && line_start < end.max(start + 1) && shown < 3 {
            let body = line.trim_end_matches(['\n', '\r']);
            let from = start.saturating_sub(line_start).min(body.len());
            let to = end.saturating_sub(line_start).min(body.len()).max(from + 1);
            let pad: String = body
                .get(..from)
                .unwrap_or("")
                .chars()
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let width = body
                .get(from..to.min(body.len()))
                .map_or(1, |s| s.chars().count().max(1));
            out.push_str(&format!(
                "         | {body}\n         | {pad}{}\n",
                "^".repeat(width)
            ));
            shown += 1;
        }
        line_start = line_end;
    }
    out
}

/// The header of `batch --table`.
pub(crate) const TABLE_HEADER: &str =
    "ID     ACTOR     ENV          VERDICT  RULE                          INPUT";

/// One row of `batch --table`: id, actor kind, environment, verdict, the deciding rule, input.
pub(crate) fn table_row(
    id: &serde_json::Value,
    action: &Action,
    context: &Context,
    d: &Decision,
) -> String {
    let id = match id {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "-".into(),
        other => other.to_string(),
    };
    let input = match action {
        Action::Tool { name, .. } => format!("{name}({})", source(action).unwrap_or_default()),
        _ => source(action).unwrap_or_default(),
    };
    let input: String = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let input = if input.chars().count() > 60 {
        format!("{}...", input.chars().take(57).collect::<String>())
    } else {
        input
    };
    let rule = d
        .findings
        .first()
        .filter(|f| f.verdict == d.verdict)
        .map_or("-", |f| f.rule.as_str());
    let env = context
        .environment
        .clone()
        .unwrap_or_else(|| "production".into());
    let mode = if d.enforced { "" } else { "*" };
    format!(
        "{id:<6} {:<9} {env:<12} {:<8} {rule:<29} {input}",
        context.actor.kind.as_str(),
        format!("{}{mode}", d.verdict.as_str())
    )
}
