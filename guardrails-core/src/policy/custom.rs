//! The document's own rules: matchers over intent (SQL statements, shell commands, tool calls)
//! and, as a last resort, a regular expression over the normalised text.

use std::borrow::Cow;

use regex::Regex;

use crate::action::Action;
use crate::intent::{Access, Filter, Intent, Operation, StatementIntent};
use crate::shell::CommandIntent;
use crate::verdict::{Severity, Verdict};

use super::document::{OneOrMany, RuleDoc, ShellMatchDoc, SqlMatchDoc, ToolMatchDoc};
use super::err::{Problem, Seg};
use super::glob::Glob;
use super::scope::Scope;

/// What a rule is matched against.
#[derive(Debug)]
pub(crate) struct Subject<'a> {
    pub(crate) intent: &'a Intent,
    pub(crate) normalized: &'a str,
    pub(crate) action: Option<&'a Action>,
}

impl Subject<'_> {
    /// The commands: from the shell analysis, or for an argv the shell analyser did not
    /// describe, the argv itself.
    fn commands(&self) -> Cow<'_, [CommandIntent]> {
        if !self.intent.commands.is_empty() {
            return Cow::Borrowed(&self.intent.commands);
        }
        match self.action {
            Some(Action::Exec { argv }) => match argv.split_first() {
                Some((program, args)) => Cow::Owned(vec![CommandIntent {
                    program: base_name(program).to_owned(),
                    args: args.to_vec(),
                    ..CommandIntent::default()
                }]),
                None => Cow::Borrowed(&[]),
            },
            _ => Cow::Borrowed(&[]),
        }
    }

    /// The normalised text without the action-kind prefix.
    fn text(&self) -> String {
        let rest = self
            .normalized
            .split_once('\0')
            .map_or(self.normalized, |(_, r)| r);
        rest.replace('\0', " ")
    }
}

fn base_name(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

/// Where a rule matched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) statement: Option<usize>,
    pub(crate) span: Option<(usize, usize)>,
}

/// A compiled rule of the document.
#[derive(Debug)]
pub(crate) struct CustomRule {
    pub(crate) id: String,
    pub(crate) verdict: Verdict,
    pub(crate) severity: Severity,
    pub(crate) message: String,
    pub(crate) scope: Scope,
    sql: Option<SqlMatcher>,
    shell: Option<ShellMatcher>,
    tool: Option<ToolMatcher>,
    text: Option<Regex>,
}

fn push(path: &[Seg], k: &str) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(Seg::Key(k.to_owned()));
    p
}

fn list<'a, T>(
    path: &[Seg],
    field: &str,
    v: &'a Option<OneOrMany<T>>,
) -> Result<Option<&'a [T]>, Problem> {
    match v {
        Some(l) if l.0.is_empty() => Err(Problem::invalid(
            push(path, field),
            format!("`{field}` is an empty list: the rule could never match"),
        )
        .with_help(format!("remove `{field}` to match any value"))),
        Some(l) => Ok(Some(&l.0)),
        None => Ok(None),
    }
}

fn globs(
    path: &[Seg],
    field: &str,
    v: &Option<OneOrMany<String>>,
    path_glob: bool,
) -> Result<Option<Vec<Glob>>, Problem> {
    let Some(items) = list(path, field, v)? else {
        return Ok(None);
    };
    let many = items.len() > 1;
    items
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let g = if path_glob {
                Glob::path(p)
            } else {
                Glob::name(p)
            };
            g.map_err(|e| {
                let mut at = push(path, field);
                if many {
                    at.push(Seg::Index(i));
                }
                Problem::invalid(at, format!("bad pattern `{p}` in `{field}`: {e}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

impl CustomRule {
    pub(crate) fn compile(doc: &RuleDoc, path: &[Seg]) -> Result<CustomRule, Problem> {
        if doc.sql.is_none() && doc.shell.is_none() && doc.tool.is_none() && doc.text.is_none() {
            return Err(Problem::invalid(
                path.to_vec(),
                format!("rule `{}` has no matcher", doc.id),
            )
            .with_help("add a `sql`, `shell`, `tool` or `text` table"));
        }
        let text = match &doc.text {
            None => None,
            Some(t) => Some(Regex::new(&t.regex).map_err(|e| {
                let first = e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
                    .trim_start_matches("error: ")
                    .to_owned();
                Problem::invalid(
                    push(&push(path, "text"), "regex"),
                    format!("bad regex `{}` in rule `{}`: {first}", t.regex, doc.id),
                )
            })?),
        };
        let severity = doc.severity.unwrap_or(match doc.verdict {
            Verdict::Deny => Severity::High,
            Verdict::Review => Severity::Medium,
            Verdict::Allow => Severity::Info,
        });
        let message = doc
            .message
            .clone()
            .or_else(|| doc.description.clone())
            .unwrap_or_else(|| format!("matches policy rule `{}`", doc.id));
        Ok(CustomRule {
            id: doc.id.clone(),
            verdict: doc.verdict,
            severity,
            message,
            scope: Scope::compile(doc.when.as_ref(), &push(path, "when"))?,
            sql: doc
                .sql
                .as_ref()
                .map(|s| SqlMatcher::compile(s, &push(path, "sql")))
                .transpose()?,
            shell: doc
                .shell
                .as_ref()
                .map(|s| ShellMatcher::compile(s, &push(path, "shell")))
                .transpose()?,
            tool: doc
                .tool
                .as_ref()
                .map(|s| ToolMatcher::compile(s, &push(path, "tool")))
                .transpose()?,
            text,
        })
    }

    /// Whether the rule's matchers match the subject (the scope is checked apart). `Err` says
    /// which matcher did not.
    pub(crate) fn check(&self, s: &Subject<'_>) -> Result<Hit, String> {
        let mut hit = Hit::default();
        if let Some(m) = &self.sql {
            hit = m
                .find(&s.intent.statements)
                .ok_or("no statement matches `sql`")?;
        }
        if let Some(m) = &self.shell {
            if !s.commands().iter().any(|c| m.matches(c)) {
                return Err("no command matches `shell`".into());
            }
        }
        if let Some(m) = &self.tool {
            m.check(s)?;
        }
        if let Some(r) = &self.text {
            if !r.is_match(&s.text()) {
                return Err("the text does not match `text.regex`".into());
            }
        }
        Ok(hit)
    }

    /// The kind of action string examples of this rule are read as.
    pub(crate) fn example_kind(&self) -> Option<&'static str> {
        if self.sql.is_some() {
            Some("sql")
        } else if self.shell.is_some() {
            Some("shell")
        } else {
            None
        }
    }
}

#[derive(Debug)]
struct SqlMatcher {
    operations: Option<Vec<Operation>>,
    kinds: Option<Vec<Glob>>,
    objects: Option<Vec<Glob>>,
    access: Option<Vec<Access>>,
    columns: Option<Vec<Glob>>,
    functions: Option<Vec<Glob>>,
    filters: Option<Vec<Filter>>,
}

impl SqlMatcher {
    fn compile(d: &SqlMatchDoc, path: &[Seg]) -> Result<SqlMatcher, Problem> {
        Ok(SqlMatcher {
            operations: list(path, "operation", &d.operation)?.map(<[Operation]>::to_vec),
            kinds: globs(path, "kind", &d.kind, false)?,
            objects: globs(path, "objects", &d.objects, false)?,
            access: list(path, "access", &d.access)?.map(<[Access]>::to_vec),
            columns: globs(path, "columns", &d.columns, false)?,
            functions: globs(path, "functions", &d.functions, false)?,
            filters: list(path, "filter", &d.filter)?.map(<[Filter]>::to_vec),
        })
    }

    fn find(&self, statements: &[StatementIntent]) -> Option<Hit> {
        for st in statements {
            if self.matches(st) {
                return Some(Hit {
                    statement: Some(st.index),
                    span: Some(st.span),
                });
            }
            if let Some(mut h) = self.find(&st.nested) {
                h.statement = Some(st.index);
                return Some(h);
            }
        }
        None
    }

    fn matches(&self, st: &StatementIntent) -> bool {
        if self
            .operations
            .as_ref()
            .is_some_and(|ops| !ops.contains(&st.operation))
        {
            return false;
        }
        if self
            .kinds
            .as_ref()
            .is_some_and(|k| !k.iter().any(|g| g.matches(&st.kind)))
        {
            return false;
        }
        if self.objects.is_some() || self.access.is_some() {
            let hit = st.objects.iter().any(|o| {
                self.access.as_ref().is_none_or(|a| a.contains(&o.access))
                    && self
                        .objects
                        .as_ref()
                        .is_none_or(|gs| gs.iter().any(|g| object_matches(g, &o.name)))
            });
            if !hit {
                return false;
            }
        }
        if let Some(cols) = &self.columns {
            let mut used = st
                .outputs
                .iter()
                .flat_map(|o| o.sources.iter())
                .chain(st.column_uses.iter().map(|u| &u.column));
            if !used.any(|c| cols.iter().any(|g| object_matches(g, c))) {
                return false;
            }
        }
        if self
            .functions
            .as_ref()
            .is_some_and(|fs| !st.functions.iter().any(|f| fs.iter().any(|g| g.matches(f))))
        {
            return false;
        }
        if let Some(filters) = &self.filters {
            if !st.filter.is_some_and(|f| filters.contains(&f)) {
                return false;
            }
        }
        true
    }
}

/// An object name matches a glob as written, or, when the name is less qualified than the
/// pattern, by its last parts (`users` matches `public.users`).
pub(crate) fn object_matches(g: &Glob, name: &str) -> bool {
    if g.matches(name) {
        return true;
    }
    let pattern_parts = g.as_str().split('.').count();
    let name_parts = name.split('.').count();
    if name_parts >= pattern_parts {
        return false;
    }
    let tail: Vec<&str> = g
        .as_str()
        .split('.')
        .skip(pattern_parts - name_parts)
        .collect();
    Glob::name(&tail.join(".")).is_ok_and(|t| t.matches(name))
}

#[derive(Debug)]
struct ShellMatcher {
    programs: Option<Vec<Glob>>,
    subcommands: Option<Vec<Vec<Glob>>>,
    flags: Option<Vec<String>>,
    paths: Option<Vec<Glob>>,
    hosts: Option<Vec<Glob>>,
}

impl ShellMatcher {
    fn compile(d: &ShellMatchDoc, path: &[Seg]) -> Result<ShellMatcher, Problem> {
        let subcommands = match list(path, "subcommand", &d.subcommand)? {
            None => None,
            Some(items) => Some(
                items
                    .iter()
                    .map(|s| {
                        s.split_whitespace()
                            .map(|w| {
                                Glob::name(w).map_err(|e| {
                                    Problem::invalid(
                                        push(path, "subcommand"),
                                        format!("bad pattern `{s}` in `subcommand`: {e}"),
                                    )
                                })
                            })
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        if let Some(empty) = subcommands
            .as_ref()
            .and_then(|s| s.iter().position(Vec::is_empty))
        {
            return Err(Problem::invalid(
                push(path, "subcommand"),
                format!("subcommand {} is blank", empty + 1),
            ));
        }
        let flags = list(path, "flags", &d.flags)?.map(<[String]>::to_vec);
        if let Some(bad) = flags
            .as_ref()
            .and_then(|f| f.iter().find(|f| !f.starts_with('-') || f.len() < 2))
        {
            return Err(
                Problem::invalid(push(path, "flags"), format!("`{bad}` is not a flag"))
                    .with_help("flags start with `-` or `--`"),
            );
        }
        Ok(ShellMatcher {
            programs: globs(path, "program", &d.program, false)?,
            subcommands,
            flags,
            paths: globs(path, "paths", &d.paths, true)?,
            hosts: globs(path, "hosts", &d.hosts, false)?,
        })
    }

    fn matches(&self, c: &CommandIntent) -> bool {
        if self
            .programs
            .as_ref()
            .is_some_and(|ps| !ps.iter().any(|g| g.matches(base_name(&c.program))))
        {
            return false;
        }
        if let Some(subs) = &self.subcommands {
            let strict: Vec<&str> = c
                .args
                .iter()
                .filter(|a| !a.starts_with('-'))
                .map(String::as_str)
                .collect();
            let mut loose = Vec::new();
            let mut prev_flag = false;
            for a in &c.args {
                let is_flag = a.starts_with('-');
                if !is_flag && !prev_flag {
                    loose.push(a.as_str());
                }
                prev_flag = is_flag && !a.contains('=');
            }
            let prefix = |words: &[&str], pat: &[Glob]| {
                pat.len() <= words.len() && pat.iter().zip(words).all(|(g, w)| g.matches(w))
            };
            if !subs.iter().any(|p| prefix(&strict, p) || prefix(&loose, p)) {
                return false;
            }
        }
        if let Some(flags) = &self.flags {
            if !flags
                .iter()
                .any(|f| c.args.iter().any(|a| flag_matches(f, a)))
            {
                return false;
            }
        }
        if let Some(paths) = &self.paths {
            let values = c.args.iter().filter_map(|a| match a.strip_prefix('-') {
                Some(_) => a.split_once('=').map(|(_, v)| v),
                None => Some(a.as_str()),
            });
            let mut values = values;
            if !values.any(|v| paths.iter().any(|g| g.matches(v))) {
                return false;
            }
        }
        if let Some(hosts) = &self.hosts {
            if !c
                .args
                .iter()
                .filter_map(|a| host_of(a))
                .any(|h| hosts.iter().any(|g| g.matches(h)))
            {
                return false;
            }
        }
        true
    }
}

fn flag_matches(flag: &str, arg: &str) -> bool {
    if arg == flag {
        return true;
    }
    if flag.starts_with("--") {
        return arg.strip_prefix(flag).is_some_and(|r| r.starts_with('='));
    }
    // `-f` inside a bundle of short flags such as `-rf`.
    let mut fc = flag.chars().skip(1);
    match (fc.next(), fc.next()) {
        (Some(letter), None) => {
            arg.starts_with('-')
                && !arg.starts_with("--")
                && arg.len() > 2
                && arg.chars().skip(1).all(|c| c.is_ascii_alphabetic())
                && arg.contains(letter)
        }
        _ => false,
    }
}

/// The host an argument names: a URL's host, `user@host`, or `host:path` (scp, rsync).
pub(crate) fn host_of(arg: &str) -> Option<&str> {
    let value = arg
        .split_once('=')
        .filter(|_| arg.starts_with('-'))
        .map_or(arg, |(_, v)| v);
    let rest = match value.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)) =>
        {
            rest
        }
        _ => {
            if value.starts_with('-') || value.starts_with('/') || value.starts_with('.') {
                return None;
            }
            let (before_colon, has_colon) = value
                .split_once(':')
                .map_or((value, false), |(h, _)| (h, true));
            if !(value.contains('@') || has_colon && before_colon.contains('.')) {
                return None;
            }
            before_colon
        }
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host_port.starts_with('[') {
        host_port
            .split(']')
            .next()
            .map(|h| h.trim_start_matches('['))
    } else {
        host_port.split(':').next()
    };
    host.filter(|h| {
        !h.is_empty()
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_:".contains(c))
    })
}

#[derive(Debug)]
struct ToolMatcher {
    names: Option<Vec<Glob>>,
    arguments: Vec<(String, Vec<Glob>)>,
}

impl ToolMatcher {
    fn compile(d: &ToolMatchDoc, path: &[Seg]) -> Result<ToolMatcher, Problem> {
        let apath = push(path, "arguments");
        let mut arguments = Vec::new();
        for (k, v) in &d.arguments {
            arguments.push((
                k.clone(),
                globs(&apath, k, &Some(v.clone()), false)?.unwrap_or_default(),
            ));
        }
        Ok(ToolMatcher {
            names: globs(path, "name", &d.name, false)?,
            arguments,
        })
    }

    fn check(&self, s: &Subject<'_>) -> Result<(), String> {
        let Some(tool) = &s.intent.tool else {
            return Err("the action is not a tool call".into());
        };
        if self
            .names
            .as_ref()
            .is_some_and(|n| !n.iter().any(|g| g.matches(&tool.name)))
        {
            return Err(format!("tool `{}` does not match `tool.name`", tool.name));
        }
        let args = match s.action {
            Some(Action::Tool { arguments, .. }) => Some(arguments),
            _ => None,
        };
        for (path, globs) in &self.arguments {
            let value = args.and_then(|a| crate::analyze::argument_at(a, path));
            let text = value.map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            if !text.is_some_and(|t| globs.iter().any(|g| g.matches(&t))) {
                return Err(format!("argument `{path}` does not match"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        assert!(flag_matches("-f", "-rf"));
        assert!(flag_matches("--force", "--force"));
        assert!(flag_matches("--force", "--force=true"));
        assert!(!flag_matches("--force", "--force-with-lease"));
        assert!(!flag_matches("-f", "--fix"));
    }

    #[test]
    fn hosts() {
        assert_eq!(
            host_of("https://evil.example.com/x.sh"),
            Some("evil.example.com")
        );
        assert_eq!(host_of("deploy@10.0.0.1"), Some("10.0.0.1"));
        assert_eq!(
            host_of("backup.example.com:/srv"),
            Some("backup.example.com")
        );
        assert_eq!(host_of("--url=http://a.b:8080/"), Some("a.b"));
        assert_eq!(host_of("/etc/passwd"), None);
        assert_eq!(host_of("file.txt"), None);
    }

    #[test]
    fn objects() {
        let g = Glob::name("public.users").unwrap();
        assert!(object_matches(&g, "users"));
        assert!(object_matches(&g, "public.users"));
        assert!(!object_matches(&g, "other.users"));
    }
}
