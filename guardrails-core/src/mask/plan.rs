//! From a decision's intent and a catalogue to masks and masked-column probe findings.

use super::catalogue::Catalogue;
use crate::context::Context;
use crate::decision::{Decision, Mask};
use crate::finding::{Finding, Grade};
use crate::intent::{ColumnUse, OutputColumn, StatementIntent};
use crate::rules::RuleClass;
use crate::verdict::{Severity, Verdict};

/// The rule id of masked-column probes.
pub const PROBE_RULE: &str = "sql.masked-column-probe";

/// Column uses that can reveal a masked value. Equality lookups (`WHERE email = $1`) and join
/// keys are not among them: the caller already knows the value.
const PROBES: &[&str] = &[
    "like",
    "range",
    "derived",
    "group-by",
    "order-by",
    "aggregate",
    "export",
];

/// How deep view definitions are followed.
const MAX_VIEW_DEPTH: usize = 4;

/// Fills `decision.masks` from its intent under `catalogue`, and adds a
/// `sql.masked-column-probe` finding for each use of a masked column that can reveal its
/// values. Under the built-in catalogue probes are informational (allow); under a declared
/// catalogue ([`Catalogue::explicit`]) they are review, judged like a risky rule (review in
/// production, allowed where mistakes are cheap). Exempt actors get their masks recorded with
/// the reason, and no probe findings for those columns.
///
/// ```
/// use guardrails_core::{evaluate, Action, Context, Dialect, Verdict};
/// use guardrails_core::mask::{apply, Catalogue};
/// let mut d = evaluate(&Action::sql(Dialect::Postgres, "SELECT id FROM users ORDER BY ssn LIMIT 10"), &Context::default());
/// assert_eq!(d.verdict, Verdict::Allow);
/// assert!(d.rules().any(|r| r == "sql.masked-column-probe"));
/// let declared = Catalogue::builtin().clone().explicit();
/// apply(&mut d, &declared, &Context::default());
/// assert_eq!(d.verdict, Verdict::Review);
/// ```
pub fn apply(decision: &mut Decision, catalogue: &Catalogue, context: &Context) {
    decision.findings.retain(|f| f.rule != PROBE_RULE);
    let (masks, probes) = plan(&decision.intent.statements, catalogue, context);
    decision.masks = masks;
    let verdict = if catalogue.is_explicit() {
        crate::policy::builtin_verdict(
            RuleClass::Risky,
            Grade::Review,
            context.environment_class(),
            context.actor.kind,
        )
    } else {
        Verdict::Allow
    };
    let severity = if catalogue.is_explicit() {
        Severity::Medium
    } else {
        Severity::Info
    };
    for (statement, span, message) in probes {
        let f = Finding {
            rule: PROBE_RULE.to_owned(),
            verdict,
            severity,
            message,
            statement: Some(statement),
            span: Some(span),
        };
        if !decision.findings.contains(&f) {
            decision.findings.push(f);
        }
    }
    decision
        .findings
        .sort_by_key(|f| std::cmp::Reverse(f.verdict));
    // Probes can only raise the verdict: an approval already applied stays applied.
    let probe_verdict = decision
        .findings
        .iter()
        .filter(|f| f.rule == PROBE_RULE)
        .map(|f| f.verdict)
        .max()
        .unwrap_or(Verdict::Allow);
    decision.verdict = decision.verdict.max(probe_verdict);
}

type Probe = (usize, crate::finding::Span, String);

/// The masks and probes of some statements.
pub(crate) fn plan(
    statements: &[StatementIntent],
    catalogue: &Catalogue,
    context: &Context,
) -> (Vec<Mask>, Vec<Probe>) {
    let mut masks = Vec::new();
    let mut probes = Vec::new();
    for s in statements {
        statement_masks(s, catalogue, context, &mut masks);
        statement_probes(s, catalogue, context, &mut probes);
    }
    (masks, probes)
}

/// Source columns after following views the catalogue describes.
fn resolve(source: &str, catalogue: &Catalogue, depth: usize, out: &mut Vec<String>) {
    if let Some((table, column)) = source.rsplit_once('.') {
        if depth < MAX_VIEW_DEPTH {
            if let Some(srcs) = catalogue.view_sources(table, column) {
                for s in srcs {
                    resolve(&s.to_ascii_lowercase(), catalogue, depth + 1, out);
                }
                return;
            }
        }
    }
    if !out.iter().any(|x| x == source) {
        out.push(source.to_owned());
    }
}

/// Secrets before card data before the rest: the strictest tag names the mask.
fn rank(tag: &str) -> u8 {
    if tag.starts_with("secret") {
        0
    } else if tag.starts_with("pci") {
        1
    } else {
        2
    }
}

/// The strictest tagged source among `sources`.
fn tagged<'c>(sources: &[String], catalogue: &'c Catalogue) -> Option<(String, &'c str)> {
    if !catalogue.has_views() {
        // No view to follow: every source stands for itself (duplicates do not change the
        // first strictest one). Rank them in place and copy only the winner.
        return sources
            .iter()
            .filter_map(|s| catalogue.tag_of(s).map(|t| (s, t)))
            .min_by_key(|(_, t)| rank(t))
            .map(|(s, t)| (s.clone(), t));
    }
    let mut all = Vec::new();
    for s in sources {
        resolve(s, catalogue, 0, &mut all);
    }
    all.iter()
        .filter_map(|s| catalogue.tag_of(s).map(|t| (s.clone(), t)))
        .min_by_key(|(_, t)| rank(t))
}

fn statement_masks(
    s: &StatementIntent,
    catalogue: &Catalogue,
    context: &Context,
    out: &mut Vec<Mask>,
) {
    let mut after_wildcard = false;
    for o in &s.outputs {
        if o.wildcard {
            after_wildcard = true;
            wildcard_masks(s.index, o, catalogue, context, out);
            continue;
        }
        let Some((source, tag)) = tagged(&o.sources, catalogue) else {
            continue;
        };
        out.push(Mask {
            output: o.name.clone(),
            position: o.position,
            source,
            strategy: catalogue.strategy_for(tag).name().to_owned(),
            tag: Some(tag.to_owned()),
            by_name: after_wildcard,
            statement: s.index,
            exempt: catalogue.exemption(context, tag),
        });
    }
}

/// `SELECT *` of a table: the columns the catalogue names for it (or the columns of a view it
/// describes), matched by name.
fn wildcard_masks(
    index: usize,
    o: &OutputColumn,
    catalogue: &Catalogue,
    context: &Context,
    out: &mut Vec<Mask>,
) {
    for table in &o.sources {
        let mut cols: Vec<(String, String, String)> = Vec::new();
        if let Some(view) = catalogue.view(table) {
            for (col, srcs) in &view.columns {
                if let Some((source, tag)) = tagged(srcs, catalogue) {
                    cols.push((col.to_ascii_lowercase(), source, tag.to_owned()));
                }
            }
        } else {
            for (col, tag) in catalogue.named_columns(table) {
                cols.push((col.clone(), format!("{table}.{col}"), tag));
            }
        }
        for (col, source, tag) in cols {
            if out
                .iter()
                .any(|m| m.statement == index && m.by_name && m.output == col)
            {
                continue;
            }
            out.push(Mask {
                output: col,
                position: o.position,
                source,
                strategy: catalogue.strategy_for(&tag).name().to_owned(),
                exempt: catalogue.exemption(context, &tag),
                tag: Some(tag),
                by_name: true,
                statement: index,
            });
        }
    }
}

fn statement_probes(
    s: &StatementIntent,
    catalogue: &Catalogue,
    context: &Context,
    out: &mut Vec<Probe>,
) {
    for u in &s.column_uses {
        if !PROBES.contains(&u.usage.as_str()) {
            continue;
        }
        let Some((source, tag)) = tagged(std::slice::from_ref(&u.column), catalogue) else {
            continue;
        };
        if catalogue.exemption(context, tag).is_some() {
            continue;
        }
        let message = format!(
            "{} the masked column `{source}` can reveal its values",
            phrase(u)
        );
        let probe = (s.index, u.span.unwrap_or(s.span), message);
        if !out.contains(&probe) {
            out.push(probe);
        }
    }
    for n in &s.nested {
        statement_probes(n, catalogue, context, out);
    }
}

fn phrase(u: &ColumnUse) -> &'static str {
    match u.usage.as_str() {
        "like" => "a pattern match on",
        "range" => "a range comparison on",
        "derived" => "a comparison of part of",
        "group-by" => "`GROUP BY` on",
        "order-by" => "`ORDER BY` on",
        "aggregate" => "an aggregate over",
        "export" => "copying out",
        _ => "a use of",
    }
}
