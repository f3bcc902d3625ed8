//! `guardrails rules` and `guardrails explain`.

use guardrails_core::rules::{catalogue, lookup};

use super::print;

/// Arguments of `rules`.
#[derive(Debug, clap::Args)]
pub(crate) struct RulesArgs {
    /// Print as JSON lines.
    #[arg(long)]
    json: bool,
}

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// A rule id, e.g. `sql.delete-without-where`.
    rule: String,
}

pub(crate) fn rules(a: RulesArgs) -> Result<u8, String> {
    for r in catalogue() {
        if a.json {
            print(
                &serde_json::json!({"id": r.id, "class": r.class, "summary": r.summary})
                    .to_string(),
            );
        } else {
            print(&format!(
                "{:<32} {:<12} {}",
                r.id,
                format!("{:?}", r.class).to_lowercase(),
                r.summary
            ));
        }
    }
    Ok(0)
}

pub(crate) fn explain(a: ExplainArgs) -> Result<u8, String> {
    let Some(r) = lookup(&a.rule) else {
        let hint = closest(&a.rule)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        return Err(format!(
            "unknown rule `{}`{hint}; `guardrails rules` lists them",
            a.rule
        ));
    };
    print(&format!(
        "{}  ({})\n\n{}\n\nwhy: {}\n",
        r.id,
        format!("{:?}", r.class).to_lowercase(),
        r.summary,
        r.rationale
    ));
    if !r.examples.is_empty() {
        print("examples (an agent in production, built-in policy):");
        for e in r.examples {
            print(&format!(
                "  {:<6} [{}] {}",
                e.verdict.as_str(),
                e.surface,
                e.input
            ));
        }
    }
    Ok(0)
}

fn closest(id: &str) -> Option<&'static str> {
    catalogue()
        .map(|r| (r.id, distance(id, r.id)))
        .filter(|(_, d)| *d <= 4)
        .min_by_key(|(_, d)| *d)
        .map(|(i, _)| i)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}
