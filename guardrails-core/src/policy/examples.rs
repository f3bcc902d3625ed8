//! Examples inside rules (`match`, `not_match`), run when the document loads.

use crate::action::{Action, Dialect};
use crate::context::Context;

use super::custom::Subject;
use super::document::{ExampleDoc, PolicyDocument};
use super::err::{Problem, ProblemKind, Seg};
use super::Policy;

fn at(section: &str, i: usize, list: &str, j: usize) -> Vec<Seg> {
    vec![
        Seg::Key(section.into()),
        Seg::Index(i),
        Seg::Key(list.into()),
        Seg::Index(j),
    ]
}

fn shown(e: &ExampleDoc) -> String {
    let text = match e {
        ExampleDoc::Text(t) => t.clone(),
        ExampleDoc::Action(a) => a
            .sql
            .clone()
            .or_else(|| a.shell.clone())
            .or_else(|| a.argv.as_ref().map(|v| v.join(" ")))
            .or_else(|| a.tool.clone())
            .unwrap_or_default(),
    };
    let mut short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short.replace('`', "'")
}

/// The action and optional context of an example. `kind` says how a string is read.
fn action_of<'e>(
    e: &'e ExampleDoc,
    kind: Option<&str>,
    dialect: Dialect,
) -> Result<(Action, Option<&'e Context>), String> {
    match e {
        ExampleDoc::Text(t) => match kind {
            Some("sql") => Ok((Action::sql(dialect, t.clone()), None)),
            Some("shell") => Ok((Action::shell(t.clone()), None)),
            _ => Err("a text example needs a `sql` or `shell` matcher to be read: give a table with `sql`, `shell`, `argv` or `tool`".into()),
        },
        ExampleDoc::Action(a) => {
            let given = [a.sql.is_some(), a.shell.is_some(), a.argv.is_some(), a.tool.is_some()].iter().filter(|x| **x).count();
            if given != 1 {
                return Err("an example table names exactly one of `sql`, `shell`, `argv` or `tool`".into());
            }
            if a.arguments.is_some() && a.tool.is_none() {
                return Err("`arguments` belong to a `tool` example".into());
            }
            let action = if let Some(s) = &a.sql {
                Action::sql(a.dialect.unwrap_or(dialect), s.clone())
            } else if let Some(s) = &a.shell {
                Action::shell(s.clone())
            } else if let Some(v) = &a.argv {
                Action::Exec { argv: v.clone() }
            } else {
                Action::tool(a.tool.clone().unwrap_or_default(), a.arguments.clone().unwrap_or(serde_json::Value::Object(serde_json::Map::new())))
            };
            Ok((action, a.context.as_ref()))
        }
    }
}

/// Runs every example of the document against the compiled policy.
pub(crate) fn run(policy: &Policy, doc: &PolicyDocument) -> Result<(), Problem> {
    let c = &*policy.inner;
    for (i, (rdoc, rule)) in doc.rules.iter().zip(&c.rules).enumerate() {
        let dialect = rdoc
            .sql
            .as_ref()
            .and_then(|s| s.dialect)
            .unwrap_or_default();
        for (list, examples, expect) in [
            ("match", &rdoc.matches, true),
            ("not_match", &rdoc.not_match, false),
        ] {
            for (j, e) in examples.iter().enumerate() {
                let path = at("rules", i, list, j);
                let (action, ctx) = action_of(e, rule.example_kind(), dialect).map_err(|m| {
                    Problem::new(
                        ProblemKind::Example,
                        path.clone(),
                        format!("example {} of rule `{}`: {m}", j + 1, rule.id),
                    )
                })?;
                let analysis = policy.analyze(&action);
                let subject = Subject {
                    intent: &analysis.intent,
                    normalized: &analysis.normalized,
                    action: Some(&action),
                };
                let result = match ctx {
                    Some(ctx) => rule.scope.check(ctx).and_then(|()| rule.check(&subject)),
                    None => rule.check(&subject),
                };
                match (expect, result) {
                    (true, Err(why)) => {
                        return Err(Problem::new(
                            ProblemKind::Example,
                            path,
                            format!(
                                "rule `{}` does not match its example `{}`: {why}",
                                rule.id,
                                shown(e)
                            ),
                        ))
                    }
                    (false, Ok(_)) => {
                        return Err(Problem::new(
                            ProblemKind::Example,
                            path,
                            format!(
                                "rule `{}` matches `{}`, listed in `not_match`",
                                rule.id,
                                shown(e)
                            ),
                        ))
                    }
                    _ => {}
                }
            }
        }
    }
    for (i, (odoc, ov)) in doc.builtin.iter().zip(&c.overrides).enumerate() {
        let kind = if odoc.rule.starts_with("sql.") {
            Some("sql")
        } else if odoc.rule.starts_with("shell.") {
            Some("shell")
        } else {
            None
        };
        for (list, examples, expect) in [
            ("match", &odoc.matches, true),
            ("not_match", &odoc.not_match, false),
        ] {
            for (j, e) in examples.iter().enumerate() {
                let path = at("builtin", i, list, j);
                let (action, ctx) = action_of(e, kind, Dialect::Generic).map_err(|m| {
                    Problem::new(
                        ProblemKind::Example,
                        path.clone(),
                        format!("example {} of the change to `{}`: {m}", j + 1, odoc.rule),
                    )
                })?;
                let analysis = policy.analyze(&action);
                let in_scope = ctx.is_none_or(|ctx| ov.scope.matches(ctx));
                let fires =
                    in_scope && analysis.detections.iter().any(|d| ov.rule.matches(&d.rule));
                if fires != expect {
                    let found: Vec<&str> = analysis
                        .detections
                        .iter()
                        .map(|d| d.rule.as_str())
                        .collect();
                    let what = if expect {
                        "does not fire on"
                    } else {
                        "fires on"
                    };
                    let mut p = Problem::new(
                        ProblemKind::Example,
                        path,
                        format!("`{}` {what} its example `{}`", odoc.rule, shown(e)),
                    );
                    if expect {
                        p = p.with_help(if found.is_empty() {
                            "the example has no finding".to_owned()
                        } else {
                            format!("the example's findings: `{}`", found.join("`, `"))
                        });
                    }
                    return Err(p);
                }
            }
        }
    }
    Ok(())
}
