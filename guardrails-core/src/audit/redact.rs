//! What of an action goes into the audit log: the action with secrets (and, later, masked
//! values) replaced, and optionally every SQL literal replaced by a `?` placeholder.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sqlparser::dialect::{
    BigQueryDialect, Dialect as SqlDialect, GenericDialect, MsSqlDialect, MySqlDialect,
    PostgreSqlDialect, SQLiteDialect, SnowflakeDialect,
};
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::action::{Action, Dialect};
use crate::redact::redact_message;

/// An action whose secrets were replaced by `[redacted]`: the only form of an action an audit
/// record holds. Same JSON shape as [`Action`]; made only by [`redact_action`] (or read back
/// from a log).
///
/// ```
/// use guardrails_core::{audit::redact_action, Action, Dialect};
/// let r = redact_action(&Action::sql(Dialect::Postgres, "ALTER USER x PASSWORD 'hunter2'"));
/// assert_eq!(serde_json::to_string(&r)?, r#"{"kind":"sql","dialect":"postgres","text":"ALTER USER x PASSWORD '[redacted]'"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct RedactedAction(Action);

impl RedactedAction {
    /// The redacted action.
    pub fn action(&self) -> &Action {
        &self.0
    }
}

/// Whether SQL literals are kept in audit records (secrets among them are still redacted) or
/// each replaced by `?`.
///
/// ```
/// use guardrails_core::audit::{redact_action, SqlLiterals};
/// use guardrails_core::{Action, Dialect};
/// let r = SqlLiterals::Placeholder.apply(redact_action(&Action::sql(Dialect::Postgres, "SELECT * FROM t WHERE email = 'bob@x.org' AND n > 5")));
/// assert_eq!(r.action(), &Action::sql(Dialect::Postgres, "SELECT * FROM t WHERE email = ? AND n > ?"));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SqlLiterals {
    /// Keep literals; detected secrets are redacted. The default.
    #[default]
    Keep,
    /// Replace every string and number literal of SQL text by `?`.
    Placeholder,
}

impl SqlLiterals {
    /// Applies this setting to a redacted action (a no-op for `Keep` and for non-SQL actions).
    pub fn apply(self, action: RedactedAction) -> RedactedAction {
        match (self, action.0) {
            (SqlLiterals::Placeholder, Action::Sql { dialect, text }) => {
                let text = placeholders(&text, dialect).unwrap_or(text);
                RedactedAction(Action::Sql { dialect, text })
            }
            (_, other) => RedactedAction(other),
        }
    }
}

/// Redacts an action for the audit log. **The single place** where the audit decides what of
/// an action may be stored: today it applies [`redact_message`] to every text (password
/// literals, `user:password@` in URLs, token-shaped words), replaces the values of
/// secret-looking flags and variables (`--password=…`, `PGPASSWORD=…`, `--token …`) and of
/// secret-looking keys in tool arguments. Point it at the value detectors of the masking module
/// to also drop masked values.
///
/// ```
/// use guardrails_core::{audit::redact_action, Action};
/// let r = redact_action(&Action::exec(["psql", "postgres://u:pw@h/db", "--password=hunter2"]));
/// assert_eq!(r.action(), &Action::exec(["psql", "postgres://u:[redacted]@h/db", "--password=[redacted]"]));
/// ```
pub fn redact_action(action: &Action) -> RedactedAction {
    RedactedAction(match action {
        Action::Sql { dialect, text } => Action::Sql {
            dialect: *dialect,
            text: redact_text(text),
        },
        Action::Shell { command, shell } => Action::Shell {
            command: redact_words(&redact_text(command)),
            shell: *shell,
        },
        Action::Exec { argv } => {
            let mut out = Vec::with_capacity(argv.len());
            let mut secret_next = false;
            for arg in argv {
                if secret_next {
                    out.push(REDACTED.to_owned());
                    secret_next = false;
                    continue;
                }
                secret_next = is_secret_flag(arg);
                out.push(redact_word(&redact_text(arg)));
            }
            Action::Exec { argv: out }
        }
        Action::Tool { name, arguments } => Action::Tool {
            name: redact_text(name),
            arguments: redact_json(arguments, 0),
        },
    })
}

const REDACTED: &str = "[redacted]";

/// Every free text of a record goes through this: [`redact_message`], then quoted values
/// assigned to secret-looking names (`AWS_SECRET_KEY='…'`, `"password": "…"`), then
/// token-shaped words wherever they stand (`…='AKIA…'`).
pub(crate) fn redact_text(text: &str) -> String {
    if !may_need_redaction(text) {
        return text.to_owned();
    }
    // quotes first: `redact_message` mangles `"token": "x"` (it takes the key's closing quote
    // for the value's opening one) and would then leave `x` in the clear
    redact_token_runs(&redact_message(&redact_assigned_quotes(text)))
}

/// For [`may_need_redaction`], a byte's class: 1 a token character, 2 a quote, 3 a colon, 0
/// anything else.
static REDACT_CLASS: [u8; 256] = redact_class();

#[expect(
    clippy::indexing_slicing,
    reason = "a const loop over the table's own 256 indices"
)]
const fn redact_class() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' {
            1
        } else if c == b'\'' || c == b'"' {
            2
        } else if c == b':' {
            3
        } else {
            0
        };
        i += 1;
    }
    t
}

/// [`redact_text`] without the copy when nothing can change: the text itself, borrowed.
pub(crate) fn redact_cow(text: &str) -> std::borrow::Cow<'_, str> {
    if may_need_redaction(text) {
        std::borrow::Cow::Owned(redact_text(text))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// False when none of the passes of [`redact_text`] can change `text`: no quote (the
/// assigned-quotes pass and the keyword pass of `redact_message` start at one), no `://`
/// (URLs), and no run of 16 or more `[A-Za-z0-9_-]` (tokens). Then the text is kept as it is,
/// without three passes and copies. One pass, one table look-up a byte.
fn may_need_redaction(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut run = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        match REDACT_CLASS.get(usize::from(b)).copied().unwrap_or(0) {
            1 => {
                run += 1;
                if run >= 16 {
                    return true;
                }
                continue;
            }
            2 => return true,
            3 if bytes.get(i + 1..i + 3) == Some(&b"//"[..]) => return true,
            _ => {}
        }
        run = 0;
    }
    false
}

/// Known prefixes of credentials (cloud keys, forge and chat tokens).
const TOKEN_PREFIXES: &[&str] = &[
    "AKIA",
    "ASIA",
    "ghp_",
    "gho_",
    "ghs_",
    "ghu_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xapp-",
    "sk_live_",
    "rk_live_",
    "sk-",
    "AIza",
    "eyJ",
];

/// Replaces runs of `[A-Za-z0-9_-]` of 16 or more characters that start with a known prefix.
fn redact_token_runs(s: &str) -> String {
    let is_run = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut out = String::with_capacity(s.len());
    let mut run_start: Option<usize> = None;
    let flush = |out: &mut String, run: &str| {
        if run.len() >= 16 && TOKEN_PREFIXES.iter().any(|p| run.starts_with(p)) {
            out.push_str(REDACTED);
        } else {
            out.push_str(run);
        }
    };
    for (i, c) in s.char_indices() {
        match (is_run(c), run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                flush(&mut out, s.get(start..i).unwrap_or(""));
                run_start = None;
                out.push(c);
            }
            (false, None) => out.push(c),
            (true, Some(_)) => {}
        }
    }
    if let Some(start) = run_start {
        flush(&mut out, s.get(start..).unwrap_or(""));
    }
    out
}

/// `name = 'value'`, `name: "value"` with a secret-looking name: the value is replaced.
fn redact_assigned_quotes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(rel) = s.get(i..).and_then(|r| r.find(['\'', '"'])) {
        let q = i + rel;
        let quote = s.get(q..=q).unwrap_or("'");
        out.push_str(s.get(i..=q).unwrap_or(""));
        i = q + 1;
        let before = s.get(..q).unwrap_or("").trim_end();
        let Some(before) = before.strip_suffix(['=', ':']) else {
            continue;
        };
        let before = before.trim_end().trim_end_matches(['"', '\'']);
        let name_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .map_or(0, |p| p + 1);
        let name = before.get(name_start..).unwrap_or("");
        if name.is_empty() || !is_secret_name(name) {
            // an ordinary quoted value: skip it whole, so its closing quote is not taken
            // for an opening one
            if let Some(end) = s.get(i..).and_then(|r| r.find(quote)) {
                out.push_str(s.get(i..=i + end).unwrap_or(""));
                i += end + 1;
            }
            continue;
        }
        match s.get(i..).and_then(|r| r.find(quote)) {
            Some(end) => {
                out.push_str(REDACTED);
                out.push_str(quote);
                i += end + 1;
            }
            None => {
                out.push_str(REDACTED);
                return out;
            }
        }
    }
    out.push_str(s.get(i..).unwrap_or(""));
    out
}

/// Whether a flag, variable or key name looks like it holds a secret.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let lower = name.trim_start_matches('-').to_ascii_lowercase();
    [
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "access_key",
        "access-key",
        "private_key",
        "private-key",
        "credential",
        "authorization",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

fn is_secret_flag(word: &str) -> bool {
    word.starts_with('-') && !word.contains('=') && is_secret_name(word)
}

/// `NAME=value` or `--name=value` with a secret-looking name: the value is replaced.
fn redact_word(word: &str) -> String {
    if let Some((name, value)) = word.split_once('=') {
        if !value.is_empty()
            && !name.is_empty()
            && is_secret_name(name)
            && !name.contains(char::is_whitespace)
        {
            return format!("{name}={REDACTED}");
        }
    }
    word.to_owned()
}

fn redact_words(command: &str) -> String {
    let mut out = String::with_capacity(command.len());
    let mut secret_next = false;
    for (i, word) in command.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if word.is_empty() {
            continue;
        }
        if secret_next {
            out.push_str(REDACTED);
            secret_next = false;
            continue;
        }
        secret_next = is_secret_flag(word);
        out.push_str(&redact_word(word));
    }
    out
}

fn redact_json(value: &serde_json::Value, depth: usize) -> serde_json::Value {
    use serde_json::Value;
    if depth > crate::wire::MAX_JSON_DEPTH {
        return Value::String(REDACTED.to_owned());
    }
    match value {
        Value::String(s) => Value::String(redact_words(&redact_text(s))),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| redact_json(v, depth + 1)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(_) | Value::Number(_) if is_secret_name(k) => {
                            Value::String(REDACTED.to_owned())
                        }
                        other => redact_json(other, depth + 1),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn sql_dialect(dialect: Dialect) -> Box<dyn SqlDialect> {
    match dialect {
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::Mysql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
        Dialect::Mssql => Box::new(MsSqlDialect {}),
        Dialect::Snowflake => Box::new(SnowflakeDialect),
        Dialect::Bigquery => Box::new(BigQueryDialect),
        Dialect::Generic => Box::new(GenericDialect),
    }
}

/// SQL text with every string and number literal replaced by `?`; `None` when it cannot be
/// tokenized (the text is then kept as redacted by [`redact_action`]).
fn placeholders(text: &str, dialect: Dialect) -> Option<String> {
    let d = sql_dialect(dialect);
    let tokens = Tokenizer::new(d.as_ref(), text).tokenize().ok()?;
    let mut out = String::with_capacity(text.len());
    for t in tokens {
        match t {
            Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::NationalStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::TripleSingleQuotedString(_)
            | Token::TripleDoubleQuotedString(_)
            | Token::SingleQuotedRawStringLiteral(_)
            | Token::DoubleQuotedRawStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::SingleQuotedByteStringLiteral(_)
            | Token::DoubleQuotedByteStringLiteral(_)
            | Token::DollarQuotedString(_) => out.push('?'),
            Token::EOF => {}
            other => out.push_str(&other.to_string()),
        }
    }
    // a `--` comment at the end is printed with a newline the text did not have
    if out.ends_with('\n') && !text.ends_with('\n') {
        out.pop();
    }
    Some(redact_text(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_of_secret_names_and_token_runs_are_replaced() {
        assert_eq!(
            redact_text("CREDENTIALS=(AWS_KEY_ID='AKIAIOSFODNN7EXAMPLE' AWS_SECRET_KEY='hunter2')"),
            "CREDENTIALS=(AWS_KEY_ID='[redacted]' AWS_SECRET_KEY='[redacted]')"
        );
        let json = redact_text(r#"{"api_token": "abc", "user": "bob"}"#);
        assert!(
            !json.contains("abc") && json.contains(r#""user": "bob""#),
            "{json}"
        );
        assert_eq!(redact_text("name = 'AKIA'"), "name = 'AKIA'");
        assert_eq!(
            redact_text("URL='s3://b' pwd_file = 'x' t='AKIAIOSFODNN7EXAMPLE'"),
            "URL='s3://b' pwd_file = '[redacted]' t='[redacted]'"
        );
        assert_eq!(
            redact_text("secret_sauce: 'open"),
            "secret_sauce: '[redacted]"
        );
    }

    /// The one-pass check says what the three conditions it stands for say.
    #[test]
    fn the_redaction_prescan_is_the_three_conditions() {
        let slow = |text: &str| {
            let mut run = 0usize;
            for b in text.bytes() {
                if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                    run += 1;
                    if run >= 16 {
                        return true;
                    }
                } else {
                    if b == b'\'' || b == b'"' {
                        return true;
                    }
                    run = 0;
                }
            }
            text.contains("://")
        };
        let mut rng = crate::audit::testgen::Rng::new(3);
        let mut texts: Vec<String> = (0..20_000).map(|_| rng.text(8)).collect();
        for s in [
            "",
            ":",
            ":/",
            "://",
            "a:/",
            "a:/b",
            "x://",
            "abcdefghijklmno",
            "abcdefghijklmnop",
            "abcdefgh-jklmno_",
            "abcdefg hijklmnop",
            "é://",
            "🦀abcdefghijklmnop",
        ] {
            texts.push(s.to_owned());
        }
        for t in &texts {
            assert_eq!(may_need_redaction(t), slow(t), "{t:?}");
        }
    }

    #[test]
    fn shell_flags_and_variables_lose_their_values() {
        let r = redact_action(&Action::shell(
            "PGPASSWORD=hunter2 psql --token abc123 -h db --api-key=k1 -c 'select 1'",
        ));
        assert_eq!(r.action(), &Action::shell("PGPASSWORD=[redacted] psql --token [redacted] -h db --api-key=[redacted] -c 'select 1'"));
    }

    #[test]
    fn tool_arguments_are_redacted_by_key_and_by_value() {
        let r = redact_action(&Action::tool(
            "login",
            serde_json::json!({"user": "u", "password": "hunter2", "nested": [{"api_key": 12345}], "url": "postgres://u:pw@h/db"}),
        ));
        let text = serde_json::to_string(&r).unwrap();
        assert!(
            !text.contains("hunter2") && !text.contains("12345") && !text.contains(":pw@"),
            "{text}"
        );
        assert!(text.contains(r#""user":"u""#), "{text}");
    }

    #[test]
    fn placeholders_keep_the_statement_shape() {
        let r = SqlLiterals::Placeholder.apply(redact_action(&Action::sql(
            Dialect::Mysql,
            "UPDATE t SET a = 'x', b = 0x1F WHERE id IN (1, 2) -- note",
        )));
        assert_eq!(
            r.action(),
            &Action::sql(
                Dialect::Mysql,
                "UPDATE t SET a = ?, b = ? WHERE id IN (?, ?) -- note"
            )
        );
        let keep =
            SqlLiterals::Keep.apply(redact_action(&Action::sql(Dialect::Mysql, "SELECT 'x'")));
        assert_eq!(keep.action(), &Action::sql(Dialect::Mysql, "SELECT 'x'"));
    }
}
