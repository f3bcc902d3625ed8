//! Tokenizing with byte spans, and the linear pre-scan that bounds what the parser sees.

use sqlparser::dialect::{
    BigQueryDialect, Dialect as SqlDialect, GenericDialect, MsSqlDialect, MySqlDialect,
    PostgreSqlDialect, SQLiteDialect, SnowflakeDialect,
};
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use crate::action::Dialect;
use crate::finding::Span;

/// The sqlparser dialect for one of ours.
pub(crate) fn parser_dialect(dialect: Dialect) -> &'static dyn SqlDialect {
    match dialect {
        Dialect::Postgres => &PostgreSqlDialect {},
        Dialect::Mysql => &MySqlDialect {},
        Dialect::Sqlite => &SQLiteDialect {},
        Dialect::Mssql => &MsSqlDialect {},
        Dialect::Snowflake => &SnowflakeDialect,
        Dialect::Bigquery => &BigQueryDialect,
        Dialect::Generic => &GenericDialect,
    }
}

/// A non-whitespace token with its byte span and its index among all tokens.
#[derive(Clone, Debug)]
pub(crate) struct Tok {
    pub token: Token,
    pub span: Span,
}

impl Tok {
    /// The upper-cased word if this is an unquoted word.
    pub fn word(&self) -> Option<&str> {
        match &self.token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.as_str()),
            _ => None,
        }
    }

    /// Whether this is the unquoted word `kw` (case-insensitive).
    pub fn is(&self, kw: &str) -> bool {
        self.word().is_some_and(|w| w.eq_ignore_ascii_case(kw))
    }

    /// The identifier value of a word, quoted or not.
    pub fn ident(&self) -> Option<&str> {
        match &self.token {
            Token::Word(w) => Some(w.value.as_str()),
            _ => None,
        }
    }

    /// The value of a string literal of any quoting.
    pub fn string(&self) -> Option<&str> {
        match &self.token {
            Token::SingleQuotedString(s)
            | Token::DoubleQuotedString(s)
            | Token::NationalStringLiteral(s)
            | Token::EscapedStringLiteral(s)
            | Token::TripleSingleQuotedString(s)
            | Token::TripleDoubleQuotedString(s)
            | Token::SingleQuotedRawStringLiteral(s)
            | Token::DoubleQuotedRawStringLiteral(s)
            | Token::UnicodeStringLiteral(s) => Some(s.as_str()),
            Token::DollarQuotedString(d) => Some(d.value.as_str()),
            _ => None,
        }
    }
}

/// The tokens of a whole input.
#[derive(Debug, Default)]
pub(crate) struct Lexed {
    /// Non-whitespace tokens with byte spans.
    pub toks: Vec<Tok>,
    /// Byte spans of multi-line comments that start with `!` (MySQL executable comments).
    pub exec_comments: Vec<Span>,
}

/// Why the text could not be tokenized.
#[derive(Debug)]
pub(crate) struct LexError {
    pub message: String,
    pub span: Span,
}

/// Maps sqlparser's 1-based line/column (in chars) to byte offsets.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    ascii: bool,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            text,
            starts,
            ascii: text.is_ascii(),
        }
    }

    fn offset(&self, line: u64, column: u64) -> usize {
        let Some(&start) = usize::try_from(line)
            .ok()
            .and_then(|l| l.checked_sub(1))
            .and_then(|l| self.starts.get(l))
        else {
            return self.text.len();
        };
        let col = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
        if self.ascii {
            return (start + col).min(self.text.len());
        }
        let rest = self.text.get(start..).unwrap_or("");
        if rest.get(..col).is_some_and(str::is_ascii) {
            return (start + col).min(self.text.len());
        }
        rest.char_indices()
            .nth(col)
            .map_or(self.text.len(), |(i, _)| start + i)
    }
}

/// Tokenizes `text` in `dialect`, keeping byte spans: plain text by the fast lexer
/// (`fastlex`, the same tokens), anything else by sqlparser's tokenizer.
pub(crate) fn lex(text: &str, dialect: Dialect) -> Result<Lexed, LexError> {
    match super::fastlex::lex_plain(text, dialect) {
        Some(lexed) => Ok(lexed),
        None => lex_with_sqlparser(text, dialect),
    }
}

/// Tokenizes `text` with sqlparser's tokenizer, keeping byte spans.
pub(crate) fn lex_with_sqlparser(text: &str, dialect: Dialect) -> Result<Lexed, LexError> {
    let d = parser_dialect(dialect);
    let raw = match Tokenizer::new(d, text)
        .with_unescape(true)
        .tokenize_with_location()
    {
        Ok(raw) => raw,
        Err(e) => {
            let index = LineIndex::new(text);
            let at = index.offset(e.location.line, e.location.column);
            return Err(LexError {
                message: strip_location(&e.message),
                span: (at.min(text.len()), text.len()),
            });
        }
    };
    let index = LineIndex::new(text);
    let mut lexed = Lexed {
        toks: Vec::with_capacity(raw.len() / 2 + 1),
        ..Lexed::default()
    };
    for t in raw {
        match &t.token {
            Token::Whitespace(Whitespace::MultiLineComment(c)) if c.starts_with('!') => {
                let start = index.offset(t.span.start.line, t.span.start.column);
                let end = index.offset(t.span.end.line, t.span.end.column).max(start);
                lexed.exec_comments.push((start, end));
            }
            Token::Whitespace(_) | Token::EOF => {}
            _ => {
                let start = index.offset(t.span.start.line, t.span.start.column);
                let end = index.offset(t.span.end.line, t.span.end.column).max(start);
                lexed.toks.push(Tok {
                    token: t.token,
                    span: (start, end),
                });
            }
        }
    }
    // The MySQL tokenizer expands `/*! ... */` into tokens and drops the comment: find the spans
    // in the text so statements built from them are known to come from a comment.
    if d.supports_multiline_comment_hints() {
        let mut from = 0;
        while let Some(p) = text.get(from..).and_then(|t| t.find("/*!")) {
            let start = from + p;
            let end = text
                .get(start..)
                .and_then(|t| t.find("*/"))
                .map_or(text.len(), |e| start + e + 2);
            lexed.exec_comments.push((start, end));
            from = end;
        }
    }
    Ok(lexed)
}

fn strip_location(message: &str) -> String {
    let m = message.split(" at Line:").next().unwrap_or(message);
    let mut m = m.trim().to_owned();
    if let Some(first) = m.get(..1) {
        m = first.to_lowercase() + m.get(1..).unwrap_or("");
    }
    m
}

/// The result of the linear pre-scan.
#[derive(Debug, Default)]
pub(crate) struct Prescan {
    /// Deepest parenthesis nesting.
    pub max_depth: usize,
    /// First control character (other than tab, newline, carriage return, form feed).
    pub control: Option<(usize, char)>,
    /// Invisible or look-alike characters, by byte offset.
    pub suspicious: Vec<(usize, char)>,
}

/// One pass over the bytes: nesting depth, control characters and suspicious characters.
/// Quotes are not tracked here (a parenthesis inside a string counts): the bound is an upper
/// estimate of what the parser will see.
pub(crate) fn prescan(text: &str) -> Prescan {
    let mut p = Prescan::default();
    let mut depth = 0usize;
    // Only the parentheses matter: jump from one to the next.
    for at in memchr::memchr2_iter(b'(', b')', text.as_bytes()) {
        if text.as_bytes().get(at) == Some(&b'(') {
            depth += 1;
            p.max_depth = p.max_depth.max(depth);
        } else {
            depth = depth.saturating_sub(1);
        }
    }
    if text
        .bytes()
        .any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c) || b == 0x7f)
        || !text.is_ascii()
    {
        for (i, c) in text.char_indices() {
            if (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0c}'))
                && p.control.is_none()
            {
                p.control = Some((i, c));
            }
            if crate::text::is_suspicious(c) {
                p.suspicious.push((i, c));
            }
        }
    }
    p
}
