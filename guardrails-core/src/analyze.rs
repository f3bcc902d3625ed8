//! Turning an action into intent and detections, independent of any policy.

use crate::action::{Action, Dialect};
use crate::finding::{Detection, Grade};
use crate::intent::{Intent, ToolIntent};

/// The policy-free analysis of an action.
#[derive(Debug, Default)]
pub struct Analysis {
    /// What the action does.
    pub intent: Intent,
    /// What the analysers detected.
    pub detections: Vec<Detection>,
    /// The normalised action text the fingerprint is computed over (secrets replaced).
    pub normalized: String,
}

/// Analyses an action.
///
/// ```
/// use guardrails_core::{analyze, Action, Dialect};
/// let a = analyze(&Action::sql(Dialect::Postgres, "drop   table USERS"));
/// assert_eq!(a.detections[0].rule, "sql.drop");
/// assert_eq!(a.normalized, "sql\u{0}DROP TABLE users");
/// ```
pub fn analyze(action: &Action) -> Analysis {
    analyze_with(action, None)
}

/// Where a policy says a tool's command is, replacing the built-in guesses for that tool.
///
/// ```
/// use guardrails_core::{analyze_with, Action, Dialect, ToolTarget, ToolTargetKind};
/// let target = ToolTarget { kind: ToolTargetKind::Sql, argument: "input.q".into(), dialect: Dialect::Postgres };
/// let a = analyze_with(&Action::tool("db", serde_json::json!({"input": {"q": "DROP TABLE t"}})), Some(&target));
/// assert_eq!(a.detections[0].rule, "sql.drop");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolTarget {
    /// The inner action's kind.
    pub kind: ToolTargetKind,
    /// The argument path (`query`, `input.sql`, `items[0]`).
    pub argument: String,
    /// The dialect of SQL arguments.
    pub dialect: Dialect,
}

/// The inner action kinds of a [`ToolTarget`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolTargetKind {
    /// SQL text.
    Sql,
    /// A shell command line, or a list of them.
    Shell,
    /// An argv.
    Exec,
    /// The tool runs no command: no inner action, no guess from its name.
    None,
}

/// Analyses an action; a tool call is mapped by `tool` when given, else by the built-in
/// guesses (see [`analyze`]).
pub fn analyze_with(action: &Action, tool: Option<&ToolTarget>) -> Analysis {
    match action {
        Action::Sql { dialect, text } => sql(text, *dialect),
        Action::Shell { command, shell } => {
            let s = crate::shell::analyze_command(command, *shell);
            Analysis {
                intent: Intent {
                    commands: s.commands,
                    ..Intent::default()
                },
                detections: s.detections,
                normalized: format!("shell\u{0}{}", s.normalized),
            }
        }
        Action::Exec { argv } => {
            let s = crate::shell::analyze_argv(argv);
            Analysis {
                intent: Intent {
                    commands: s.commands,
                    ..Intent::default()
                },
                detections: s.detections,
                normalized: format!("exec\u{0}{}", s.normalized),
            }
        }
        Action::Tool { name, arguments } => match tool {
            Some(target) => mapped_tool(name, arguments, target),
            None => self::tool(name, arguments),
        },
    }
}

fn sql(text: &str, dialect: Dialect) -> Analysis {
    let s = crate::sql::analyze(text, dialect);
    // The prefix goes in front of the normalised text in place (it usually has the room).
    let mut normalized = s.normalized;
    normalized.insert_str(0, "sql\u{0}");
    Analysis {
        intent: Intent {
            statements: s.statements,
            ..Intent::default()
        },
        detections: s.detections,
        normalized,
    }
}

/// Argument names the built-in tool mapping reads, in order.
pub const SQL_ARGUMENTS: &[&str] = &["query", "sql", "statement"];
/// Argument names read as a shell command line (a string, or a list run one after another).
pub const SHELL_ARGUMENTS: &[&str] = &["command", "cmd", "commands"];
/// Argument names read as an argv.
pub const ARGV_ARGUMENTS: &[&str] = &["argv"];
/// Words in a tool's name that make an unmapped call need review.
pub const DESTRUCTIVE_VERBS: &[&str] = &[
    "delete",
    "drop",
    "destroy",
    "remove",
    "purge",
    "truncate",
    "wipe",
    "erase",
    "kill",
    "terminate",
    "reset",
    "revoke",
    "shutdown",
    "format",
    "rm",
    "uninstall",
    "deprovision",
    "overwrite",
    "nuke",
    "rmdir",
    "unlink",
    "evict",
    "deregister",
    "unregister",
    "disable",
    "clear",
    "flush",
    "transfer",
    "pay",
    "send",
    "publish",
    "deploy",
    "grant",
    "rollback",
    "restore",
    "force",
];

fn tool(name: &str, arguments: &serde_json::Value) -> Analysis {
    let mut intent = ToolIntent {
        name: name.to_owned(),
        mapped_to: None,
        argument: None,
    };
    let args = arguments.as_object();
    let find = |keys: &'static [&'static str]| {
        keys.iter()
            .find_map(move |k| args.and_then(|a| a.get(*k)).map(|v| (*k, v)))
    };
    let bad = |arg: &str, expected: &str| {
        Detection::new(
            "tool.bad-arguments",
            Grade::Deny,
            format!("argument `{arg}` of tool `{name}` is not {expected}"),
        )
    };
    if let Some((key, value)) = find(SQL_ARGUMENTS) {
        intent.mapped_to = Some("sql".into());
        intent.argument = Some(key.into());
        let Some(text) = value.as_str() else {
            return with_tool(
                Analysis {
                    detections: vec![bad(key, "a string")],
                    ..Analysis::default()
                },
                intent,
            );
        };
        let dialect = args
            .and_then(|a| a.get("dialect"))
            .and_then(|d| d.as_str())
            .and_then(|d| d.parse().ok())
            .unwrap_or(Dialect::Generic);
        return with_tool(sql(text, dialect), intent);
    }
    if let Some((key, value)) = find(SHELL_ARGUMENTS) {
        intent.mapped_to = Some("shell".into());
        intent.argument = Some(key.into());
        let command = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) if items.iter().all(|i| i.is_string()) => items
                .iter()
                .filter_map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            _ => {
                return with_tool(
                    Analysis {
                        detections: vec![bad(key, "a string or a list of strings")],
                        ..Analysis::default()
                    },
                    intent,
                )
            }
        };
        return with_tool(analyze(&Action::shell(command)), intent);
    }
    if let Some((key, value)) = find(ARGV_ARGUMENTS) {
        intent.mapped_to = Some("exec".into());
        intent.argument = Some(key.into());
        let argv: Option<Vec<String>> = value
            .as_array()
            .and_then(|a| a.iter().map(|i| i.as_str().map(str::to_owned)).collect());
        return match argv {
            Some(argv) => with_tool(analyze(&Action::Exec { argv }), intent),
            None => with_tool(
                Analysis {
                    detections: vec![bad(key, "a list of strings")],
                    ..Analysis::default()
                },
                intent,
            ),
        };
    }
    let mut a = Analysis {
        normalized: format!("tool\u{0}{name}\u{0}{arguments}"),
        ..Analysis::default()
    };
    if let Some(verb) = name_words(name)
        .into_iter()
        .find(|w| DESTRUCTIVE_VERBS.contains(&w.as_str()))
    {
        a.detections.push(Detection::new(
            "tool.destructive-name",
            Grade::Review,
            format!("tool `{name}` has no command argument to analyse and its name says `{verb}`"),
        ));
    }
    with_tool(a, intent)
}

/// Looks an argument up by a path such as `target.cluster` or `items[0]` (a leading
/// `arguments.` is ignored).
pub(crate) fn argument_at<'v>(
    args: &'v serde_json::Value,
    path: &str,
) -> Option<&'v serde_json::Value> {
    let path = path.strip_prefix("arguments.").unwrap_or(path);
    let mut cur = args;
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            cur = cur.get(key)?;
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            cur = cur.get(idx.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(cur)
}

fn mapped_tool(name: &str, arguments: &serde_json::Value, target: &ToolTarget) -> Analysis {
    let kind = match target.kind {
        ToolTargetKind::Sql => "sql",
        ToolTargetKind::Shell => "shell",
        ToolTargetKind::Exec => "exec",
        ToolTargetKind::None => {
            let intent = ToolIntent {
                name: name.to_owned(),
                mapped_to: None,
                argument: None,
            };
            return with_tool(
                Analysis {
                    normalized: format!("tool\u{0}{name}\u{0}{arguments}"),
                    ..Analysis::default()
                },
                intent,
            );
        }
    };
    let arg = target
        .argument
        .strip_prefix("arguments.")
        .unwrap_or(&target.argument);
    let intent = ToolIntent {
        name: name.to_owned(),
        mapped_to: Some(kind.into()),
        argument: Some(arg.to_owned()),
    };
    let bad = |expected: &str| {
        let d = Detection::new(
            "tool.bad-arguments",
            Grade::Deny,
            format!("argument `{arg}` of tool `{name}` is {expected}"),
        );
        with_tool(
            Analysis {
                detections: vec![d],
                normalized: format!("tool\u{0}{name}\u{0}{arguments}"),
                ..Analysis::default()
            },
            intent.clone(),
        )
    };
    let Some(value) = argument_at(arguments, arg) else {
        return bad("missing");
    };
    match target.kind {
        ToolTargetKind::Sql => match value.as_str() {
            Some(text) => with_tool(sql(text, target.dialect), intent),
            None => bad("not a string"),
        },
        ToolTargetKind::Shell => match value {
            serde_json::Value::String(s) => with_tool(analyze(&Action::shell(s.clone())), intent),
            serde_json::Value::Array(items) if items.iter().all(|i| i.is_string()) => {
                let command = items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join("\n");
                with_tool(analyze(&Action::shell(command)), intent)
            }
            _ => bad("not a string or a list of strings"),
        },
        _ => {
            let argv: Option<Vec<String>> = value
                .as_array()
                .and_then(|a| a.iter().map(|i| i.as_str().map(str::to_owned)).collect());
            match argv {
                Some(argv) => with_tool(analyze(&Action::Exec { argv }), intent),
                None => bad("not a list of strings"),
            }
        }
    }
}

fn with_tool(mut a: Analysis, intent: ToolIntent) -> Analysis {
    if a.normalized.is_empty() {
        a.normalized = format!("tool\u{0}{}", intent.name);
    }
    a.intent.tool = Some(intent);
    a
}

/// Splits `deleteUser`, `drop_table`, `rm-rf` into lower-case words.
fn name_words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}
