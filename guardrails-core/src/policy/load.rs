//! Reading a document's text into [`PolicyDocument`], and placing problems in the text.

use toml::de::{DeTable, DeValue};

use super::document::PolicyDocument;

/// A value's span, its key's span, and the value.
type Found<'v> = (
    std::ops::Range<usize>,
    Option<std::ops::Range<usize>>,
    Option<&'v DeValue<'v>>,
);
use super::err::{did_you_mean, line_column, parse_path, path_string, Problem, ProblemKind, Seg};

/// The text of a document, to place problems in.
pub(crate) enum Located<'a> {
    Toml {
        text: &'a str,
        table: toml::Spanned<DeTable<'a>>,
    },
    Json {
        value: serde_json::Value,
    },
}

impl Located<'_> {
    fn toml_value(&self, path: &[Seg]) -> Option<Found<'_>> {
        let Located::Toml { table, .. } = self else {
            return None;
        };
        let mut span = table.span();
        let mut key_span = None;
        let mut cur: Option<&DeValue<'_>> = None;
        let mut top = Some(table.get_ref());
        for seg in path {
            let t = match (top.take(), cur) {
                (Some(t), _) => Some(t),
                (None, Some(v)) => v.as_table(),
                (None, None) => None,
            };
            match seg {
                Seg::Key(k) => {
                    let (key, value) = t?.iter().find(|(key, _)| key.get_ref() == k)?;
                    key_span = Some(key.span());
                    span = value.span();
                    cur = Some(value.get_ref());
                }
                Seg::Index(i) => {
                    let item = cur?.as_array()?.get(*i)?;
                    key_span = None;
                    span = item.span();
                    cur = Some(item.get_ref());
                }
            }
        }
        Some((span, key_span, cur))
    }

    /// The string at `path`, e.g. a rule's id.
    fn string_at(&self, path: &[Seg]) -> Option<String> {
        match self {
            Located::Toml { .. } => {
                let (_, _, value) = self.toml_value(path)?;
                value?.as_str().map(str::to_owned)
            }
            Located::Json { value } => {
                let mut cur = value;
                for seg in path {
                    cur = match seg {
                        Seg::Key(k) => cur.get(k)?,
                        Seg::Index(i) => cur.get(*i)?,
                    };
                }
                cur.as_str().map(str::to_owned)
            }
        }
    }

    /// Line and column of the field at `path` (its key when `prefer_key`).
    fn position(&self, path: &[Seg], prefer_key: bool) -> Option<(usize, usize)> {
        let Located::Toml { text, .. } = self else {
            return None;
        };
        // Walk up until a prefix of the path exists in the text.
        let mut n = path.len();
        loop {
            let prefix = path.get(..n)?;
            if let Some((span, key, _)) = self.toml_value(prefix) {
                let at = if prefer_key || n < path.len() {
                    key.unwrap_or(span)
                } else {
                    span
                };
                return Some(line_column(text, at.start));
            }
            n = n.checked_sub(1)?;
        }
    }

    /// ` in rule `x`` and the like, naming the entry a path is inside.
    fn owner(&self, path: &[Seg]) -> String {
        let (Some(Seg::Key(section)), Some(Seg::Index(i))) = (path.first(), path.get(1)) else {
            return match path.len() {
                0 | 1 => String::new(),
                n => format!(" in `{}`", path_string(path.get(..n - 1).unwrap_or(&[]))),
            };
        };
        let field = |f: &str| {
            self.string_at(&[
                Seg::Key(section.clone()),
                Seg::Index(*i),
                Seg::Key(f.to_owned()),
            ])
        };
        match section.as_str() {
            "rules" => field("id")
                .map(|id| format!(" in rule `{id}`"))
                .unwrap_or_else(|| format!(" in rule {}", i + 1)),
            "builtin" => field("rule")
                .map(|r| format!(" in the change to `{r}`"))
                .unwrap_or_else(|| format!(" in `builtin[{i}]`")),
            "tools" => format!(" in tool mapping {}", i + 1),
            "approvers" => field("id")
                .map(|id| format!(" in approver `{id}`"))
                .unwrap_or_else(|| format!(" in approver {}", i + 1)),
            _ => format!(" in `{section}[{i}]`"),
        }
    }

    /// Places a problem.
    pub(crate) fn place(&self, source: &str, p: Problem) -> super::PolicyError {
        let pos = self.position(&p.path, p.kind == ProblemKind::Field);
        p.locate(source, pos)
    }
}

/// Rewrites a serde message into our style, and finds a suggestion.
fn restyle(message: &str, path: &[Seg], owner: &str) -> (String, Option<String>) {
    let ticks: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let field = match path.last() {
        Some(Seg::Key(k)) => k.clone(),
        _ => path_string(path),
    };
    if message.starts_with("unknown field ") {
        let word = ticks.first().copied().unwrap_or("");
        let expected: Vec<&str> = ticks.iter().skip(1).copied().collect();
        return (
            format!("unknown field `{word}`{owner}"),
            did_you_mean(word, &expected),
        );
    }
    if message.starts_with("unknown variant ") {
        let word = ticks.first().copied().unwrap_or("");
        let expected: Vec<&str> = ticks.iter().skip(1).copied().collect();
        return (
            format!("unknown value `{word}` for `{field}`{owner}"),
            did_you_mean(word, &expected),
        );
    }
    if message.starts_with("missing field ") {
        let word = ticks.first().copied().unwrap_or("");
        return (format!("missing field `{word}`{owner}"), None);
    }
    let mut m = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .trim()
        .to_owned();
    for (from, to) in [
        ("a sequence", "a list"),
        ("a map", "a table"),
        ("u32", "a whole number"),
        ("usize", "a whole number"),
        ("a boolean", "`true` or `false`"),
    ] {
        m = m.replace(from, to);
    }
    // `expected struct ScopeDoc` names a Rust type: say what it is instead.
    while let Some(i) = m.find("struct ") {
        let end = m
            .get(i + 7..)
            .and_then(|r| r.find(|c: char| !c.is_alphanumeric()))
            .map_or(m.len(), |e| i + 7 + e);
        m.replace_range(i..end, "a table");
    }
    let m = if m.is_empty() {
        "invalid value".to_owned()
    } else {
        m
    };
    let lower = m.get(..1).map(|f| f.to_lowercase()).unwrap_or_default() + m.get(1..).unwrap_or("");
    let at = if field.is_empty() {
        String::new()
    } else {
        format!(" for `{field}`")
    };
    for head in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(rest) = lower.strip_prefix(head) {
            return (
                format!(
                    "{}{at}{owner}: {rest}",
                    head.trim_end().trim_end_matches(':')
                ),
                None,
            );
        }
    }
    (format!("{lower}{at}{owner}"), None)
}

/// Parses TOML text.
pub(crate) fn toml_document<'a>(
    source: &str,
    text: &'a str,
) -> Result<(PolicyDocument, Located<'a>), super::PolicyError> {
    let table = DeTable::parse(text).map_err(|e| {
        let pos = e.span().map(|s| line_column(text, s.start));
        let msg = e.message().trim().trim_end_matches('.');
        let msg =
            msg.get(..1).map(|f| f.to_lowercase()).unwrap_or_default() + msg.get(1..).unwrap_or("");
        Problem::new(
            ProblemKind::Syntax,
            Vec::new(),
            format!("not valid toml: {msg}"),
        )
        .locate(source, pos)
    })?;
    let located = Located::Toml { text, table };
    let de = toml::de::Deserializer::parse(text).map_err(|e| {
        located.place(
            source,
            Problem::new(ProblemKind::Syntax, Vec::new(), e.message().to_owned()),
        )
    })?;
    let doc = serde_path_to_error::deserialize::<_, PolicyDocument>(de).map_err(|e| {
        let path = parse_path(&e.path().to_string());
        let inner = e.into_inner();
        let owner = located.owner(&path);
        let (message, help) = restyle(inner.message(), &path, &owner);
        let mut p = Problem::new(ProblemKind::Field, path.clone(), message);
        p.help = help;
        let from_table = located.position(&path, true);
        let pos = if path.is_empty() {
            inner.span().map(|s| line_column(text, s.start))
        } else {
            from_table.or_else(|| inner.span().map(|s| line_column(text, s.start)))
        };
        p.locate(source, pos)
    })?;
    Ok((doc, located))
}

/// Parses JSON text.
pub(crate) fn json_document(
    source: &str,
    text: &str,
) -> Result<(PolicyDocument, Located<'static>), super::PolicyError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        Problem::new(
            ProblemKind::Syntax,
            Vec::new(),
            format!("not valid json: {msg}"),
        )
        .locate(source, Some((e.line(), e.column())))
    })?;
    let located = Located::Json { value };
    let mut de = serde_json::Deserializer::from_str(text);
    let doc = serde_path_to_error::deserialize::<_, PolicyDocument>(&mut de).map_err(|e| {
        let path = parse_path(&e.path().to_string());
        let inner = e.into_inner();
        let owner = located.owner(&path);
        let (message, help) = restyle(&inner.to_string(), &path, &owner);
        let mut p = Problem::new(ProblemKind::Field, path, message);
        p.help = help;
        p.locate(source, Some((inner.line(), inner.column())))
    })?;
    Ok((doc, located))
}

/// The owner phrase for semantic problems (` in rule `x``).
pub(crate) fn owner_of(located: &Located<'_>, path: &[Seg]) -> String {
    located.owner(path)
}
