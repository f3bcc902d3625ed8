//! Errors of loading a policy document. Evaluation never fails; loading is where errors are
//! returned, naming the line, the column and the field.

use std::fmt;

/// Why a policy document could not be loaded.
///
/// Every variant carries a [`Located`] with the source name, line and column (when known),
/// the field path, a lowercase message and an optional help line.
///
/// ```
/// use guardrails_core::Policy;
/// let text = "version = 1\n[[rules]]\nid = \"x\"\nverdict = \"deny\"\nsql = { kind = \"drop table\" }\nwhen = { enviroment = \"prod\" }\n";
/// let err = Policy::from_toml(text).unwrap_err();
/// assert_eq!(err.line(), Some(6));
/// assert_eq!(err.field(), "rules[0].when.enviroment");
/// assert_eq!(err.to_string(), "policy.toml:6:10: unknown field `enviroment` in rule `x`");
/// assert_eq!(err.help(), Some("did you mean `environment`?"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The text is not TOML or JSON.
    #[error("{0}")]
    Syntax(Box<Located>),
    /// A field is unknown, missing or of the wrong type.
    #[error("{0}")]
    Field(Box<Located>),
    /// The document is well-formed but invalid: unknown rule ids, bad globs or regexes,
    /// contradictory scopes, unsupported versions.
    #[error("{0}")]
    Invalid(Box<Located>),
    /// An example of a rule did not behave as the document says.
    #[error("{0}")]
    Example(Box<Located>),
    /// The file could not be read.
    #[error("{0}")]
    Io(Box<Located>),
}

/// Where and what: the details of a [`PolicyError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    source: String,
    line: Option<usize>,
    column: Option<usize>,
    field: String,
    message: String,
    help: Option<String>,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, ":{l}:{c}")?,
            (Some(l), None) => write!(f, ":{l}")?,
            _ => {}
        }
        write!(f, ": {}", self.message)
    }
}

impl PolicyError {
    fn located(&self) -> &Located {
        match self {
            PolicyError::Syntax(l)
            | PolicyError::Field(l)
            | PolicyError::Invalid(l)
            | PolicyError::Example(l)
            | PolicyError::Io(l) => l,
        }
    }

    /// The 1-based line of the offending text, when known.
    pub fn line(&self) -> Option<usize> {
        self.located().line
    }

    /// The 1-based column (in characters) of the offending text, when known.
    pub fn column(&self) -> Option<usize> {
        self.located().column
    }

    /// The path of the offending field, e.g. `rules[2].sql.objects[0]`; empty for the document.
    pub fn field(&self) -> &str {
        &self.located().field
    }

    /// The message without the location.
    pub fn message(&self) -> &str {
        &self.located().message
    }

    /// A hint, e.g. ``did you mean `environment`?``.
    pub fn help(&self) -> Option<&str> {
        self.located().help.as_deref()
    }

    /// The name the document was loaded under (`policy.toml`, a file path).
    pub fn source_name(&self) -> &str {
        &self.located().source
    }
}

/// A problem found while compiling, before its place in the text is known.
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    pub(crate) kind: ProblemKind,
    pub(crate) path: Vec<Seg>,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProblemKind {
    Syntax,
    Field,
    Invalid,
    Example,
}

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// Renders a path as `rules[2].sql.objects[0]`.
pub(crate) fn path_string(path: &[Seg]) -> String {
    let mut out = String::new();
    for s in path {
        match s {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Parses `rules[2].sql.objects[0]` (serde_path_to_error's rendering) back into segments.
pub(crate) fn parse_path(text: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in text.split('.') {
        if part.is_empty() || part == "?" {
            continue;
        }
        let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Seg::Key(key.to_owned()));
        }
        for idx in rest.split('[') {
            if let Ok(i) = idx.trim_end_matches(']').parse::<usize>() {
                out.push(Seg::Index(i));
            }
        }
    }
    out
}

impl Problem {
    pub(crate) fn new(kind: ProblemKind, path: Vec<Seg>, message: impl Into<String>) -> Self {
        Problem {
            kind,
            path,
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn invalid(path: Vec<Seg>, message: impl Into<String>) -> Self {
        Problem::new(ProblemKind::Invalid, path, message)
    }

    #[must_use]
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Places the problem in the text.
    pub(crate) fn locate(self, source: &str, position: Option<(usize, usize)>) -> PolicyError {
        let located = Located {
            source: source.to_owned(),
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
            field: path_string(&self.path),
            message: self.message,
            help: self.help,
        };
        match self.kind {
            ProblemKind::Syntax => PolicyError::Syntax(Box::new(located)),
            ProblemKind::Field => PolicyError::Field(Box::new(located)),
            ProblemKind::Invalid => PolicyError::Invalid(Box::new(located)),
            ProblemKind::Example => PolicyError::Example(Box::new(located)),
        }
    }
}

pub(crate) fn io_error(source: &str, message: String) -> PolicyError {
    PolicyError::Io(Box::new(Located {
        source: source.to_owned(),
        line: None,
        column: None,
        field: String::new(),
        message,
        help: None,
    }))
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 4);
    candidates
        .into_iter()
        .map(|c| {
            (
                c,
                distance(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()),
            )
        })
        .filter(|(_, d)| *d <= limit)
        .min_by_key(|(_, d)| *d)
        .map(|(c, _)| c)
}

/// The help line for an unknown name: a suggestion, or the list of accepted names.
pub(crate) fn did_you_mean(word: &str, candidates: &[&str]) -> Option<String> {
    if let Some(c) = closest(word, candidates.iter().copied()) {
        return Some(format!("did you mean `{c}`?"));
    }
    if candidates.is_empty() || candidates.len() > 12 {
        return None;
    }
    Some(format!(
        "expected one of {}",
        candidates
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Levenshtein distance, with a transposition counted as one edit.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    let at = |i: usize, j: usize| i * w + j;
    for i in 0..=a.len() {
        if let Some(x) = d.get_mut(at(i, 0)) {
            *x = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(x) = d.get_mut(at(0, j)) {
            *x = j;
        }
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let get = |i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
            let ca = a.get(i - 1);
            let cb = b.get(j - 1);
            let mut v = (get(i - 1, j) + 1)
                .min(get(i, j - 1) + 1)
                .min(get(i - 1, j - 1) + usize::from(ca != cb));
            if i > 1 && j > 1 && ca == b.get(j - 2) && a.get(i - 2) == cb {
                v = v.min(get(i - 2, j - 2) + 1);
            }
            if let Some(x) = d.get_mut(at(i, j)) {
                *x = v;
            }
        }
    }
    d.get(at(a.len(), b.len())).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_suggestions() {
        assert_eq!(distance("enviroment", "environment"), 1);
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(
            closest("enviroment", ["environment", "actor"]),
            Some("environment")
        );
        assert_eq!(closest("zzz", ["environment"]), None);
    }

    #[test]
    fn paths_round_trip() {
        let p = parse_path("rules[2].sql.objects[0]");
        assert_eq!(path_string(&p), "rules[2].sql.objects[0]");
    }

    #[test]
    fn positions() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("ab", 0), (1, 1));
    }
}
