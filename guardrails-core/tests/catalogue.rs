//! Every example in the rule catalogue behaves as the catalogue says, and every message the
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail the test by panicking"
)]
//! engine produces for them follows the message rules.

use guardrails_core::{evaluate, rules, Action, Context, Decision, ShellKind};

fn action_of(surface: &str, input: &str) -> Action {
    if let Some(dialect) = surface.strip_prefix("sql:") {
        return Action::sql(dialect.parse().unwrap(), input);
    }
    match surface {
        "shell" => Action::shell(input),
        "shell:powershell" => Action::Shell {
            command: input.into(),
            shell: ShellKind::Powershell,
        },
        "exec" => Action::exec(input.split_whitespace()),
        "tool" => {
            let v: serde_json::Value = serde_json::from_str(input).unwrap();
            Action::tool(v["name"].as_str().unwrap(), v["arguments"].clone())
        }
        other => panic!("unknown surface `{other}`"),
    }
}

/// Messages: lowercase start (or a backtick), no final period, one line, no Rust type names.
pub fn check_message(m: &str) -> Result<(), String> {
    let first = m.chars().next().ok_or("empty message")?;
    if first.is_uppercase() {
        return Err(format!("starts uppercase: {m}"));
    }
    if m.ends_with('.') {
        return Err(format!("ends with a period: {m}"));
    }
    if m.contains('\n') {
        return Err(format!("spans lines: {m}"));
    }
    for rust in [
        "Some(",
        "None",
        "Err(",
        "Ok(",
        "Expr::",
        "Statement::",
        "Token::",
        "Vec<",
        "String",
        "&str",
        "unwrap",
    ] {
        if m.contains(rust) {
            return Err(format!("names a Rust type `{rust}`: {m}"));
        }
    }
    Ok(())
}

fn messages_ok(d: &Decision) -> Vec<String> {
    d.findings
        .iter()
        .filter_map(|f| check_message(&f.message).err())
        .collect()
}

#[test]
fn every_catalogue_example_holds() {
    let mut count = 0;
    let mut failures = Vec::new();
    for rule in rules::catalogue() {
        assert!(
            !rule.summary.is_empty() && !rule.rationale.is_empty(),
            "{} lacks docs",
            rule.id
        );
        assert!(
            rule.id.contains('.') && rule.id == rule.id.to_ascii_lowercase(),
            "bad id {}",
            rule.id
        );
        for ex in rule.examples {
            count += 1;
            let d = evaluate(&action_of(ex.surface, ex.input), &Context::default());
            let fired = d.rules().any(|r| r == rule.id);
            if d.verdict != ex.verdict || fired != ex.fires {
                failures.push(format!(
                    "{} [{}] `{}`: got {} with [{}], expected {} ({})",
                    rule.id,
                    ex.surface,
                    ex.input,
                    d.verdict,
                    d.rules().collect::<Vec<_>>().join(", "),
                    ex.verdict,
                    if ex.fires { "fires" } else { "does not fire" }
                ));
            }
            failures.extend(messages_ok(&d));
        }
    }
    println!("{count} catalogue examples checked");
    assert!(count > 30, "too few examples: {count}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rule_ids_are_unique() {
    let mut ids: Vec<&str> = rules::catalogue().map(|r| r.id).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate rule ids");
}

#[test]
fn every_emitted_rule_is_in_the_catalogue() {
    let inputs = [
        (
            "sql:postgres",
            "DROP TABLE a; TRUNCATE b; DELETE FROM c; UPDATE d SET x = 1",
        ),
        ("sql:mysql", "SELECT 1 /*!50000 ; DROP TABLE users */"),
        (
            "sql:postgres",
            "SELECT * FROM users; GRANT ALL ON t TO u; COPY t TO '/x'",
        ),
        ("sql:postgres", "SELEC 1"),
        (
            "sql:postgres",
            "VACUUM FULL t; ALTER TABLE t DROP COLUMN c; ALTER TABLE t ADD c int",
        ),
    ];
    for (surface, input) in inputs {
        let d = evaluate(&action_of(surface, input), &Context::default());
        for r in d.rules() {
            assert!(
                rules::lookup(r).is_some(),
                "`{r}` emitted for `{input}` is not in the catalogue"
            );
        }
        assert!(messages_ok(&d).is_empty(), "{:?}", messages_ok(&d));
    }
}
