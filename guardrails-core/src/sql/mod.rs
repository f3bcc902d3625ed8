//! SQL analysis: tokenize once per dialect, split into statements on tokens, parse each with a
//! bounded parser, and judge each statement by its parsed tree or, for statement kinds the
//! parser lacks, by its tokens. Text that no path can read is `sql.unparseable`.

mod admin;
mod create;
mod dcl;
mod dml;
mod dynamic;
mod fastlex;
mod fastparse;
pub(crate) use fastlex::agrees_with_sqlparser as fastlex_agrees;
pub(crate) use fastparse::agrees_with_sqlparser as fastparse_agrees;
mod functions;
mod lex;
mod lineage;
mod literal;
mod names;
mod parse;
mod predicate;
mod render;
mod split;
mod statement;

use std::collections::HashSet;

use crate::action::Dialect;
use crate::finding::{Detection, Grade, Span};
use crate::intent::{Access, ObjectRef, StatementIntent};

use lex::Tok;

/// Inputs larger than this are not analysed (`sql.too-large`).
pub const MAX_BYTES: usize = 1 << 20;
/// Parenthesis nesting deeper than this is not parsed (`sql.too-deep`).
pub const MAX_DEPTH: usize = 500;
/// Joins in one statement beyond this are not parsed (`sql.too-deep`): a parser stack hazard.
pub const MAX_JOINS: usize = 256;
/// Dynamic SQL nested deeper than this is not unpacked further.
const MAX_DYNAMIC_DEPTH: usize = 4;

/// The result of analysing SQL text.
#[derive(Debug, Default)]
pub(crate) struct SqlAnalysis {
    pub statements: Vec<StatementIntent>,
    pub detections: Vec<Detection>,
    /// Normalised text for the fingerprint (keywords upper-cased, whitespace and comments
    /// dropped, secret literals replaced).
    pub normalized: String,
}

/// Analyses SQL text in a dialect.
pub(crate) fn analyze(text: &str, dialect: Dialect) -> SqlAnalysis {
    let mariadb = (matches!(dialect, Dialect::Mysql | Dialect::Generic) && text.contains("/*M!"))
        .then(|| mariadb_comments(text));
    let text = mariadb.as_deref().unwrap_or(text);
    let mut a = analyze_at(text, dialect, 0);
    if dialect == Dialect::Generic {
        dynamic::other_lexings(text, &mut a);
    }
    if dialect == Dialect::Mysql
        && text.contains('\\')
        && text.to_ascii_uppercase().contains("NO_BACKSLASH_ESCAPES")
    {
        // Under NO_BACKSLASH_ESCAPES a backslash does not escape a quote: read it that way too.
        let literal = analyze_at(text, Dialect::Generic, 0);
        let worst = |x: &SqlAnalysis| x.detections.iter().map(|d| d.grade).max();
        if worst(&literal) > worst(&a) {
            a.detections = literal.detections;
            a.statements = literal.statements;
        }
    }
    a
}

/// MariaDB's `/*M!NNNNNN ... */` executable comments, rewritten to MySQL's `/*!NNNNNN ...*/`
/// with the same length so spans still point into the original text.
fn mariadb_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find("/*M!") {
        out.push_str(rest.get(..p).unwrap_or(""));
        let after = rest.get(p + 4..).unwrap_or("");
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str("/*!");
        out.push_str(after.get(..digits).unwrap_or(""));
        out.push(' ');
        rest = after.get(digits..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// A word upper-cased without allocating: the word itself when it has no lower-case letter,
/// else a copy in a small buffer when it fits (every keyword does), else on the heap.
pub(crate) enum Upper<'a> {
    /// A word that is upper case already.
    Same(&'a str),
    /// The upper-cased bytes and how many of them are used.
    Inline([u8; Upper::INLINE], usize),
    /// A word too long for the buffer.
    Heap(String),
}

impl<'a> Upper<'a> {
    const INLINE: usize = 24;

    fn new(word: &'a str) -> Upper<'a> {
        if !word.bytes().any(|b| b.is_ascii_lowercase()) {
            return Upper::Same(word);
        }
        let mut buf = [0u8; Upper::INLINE];
        match buf.get_mut(..word.len()) {
            Some(head) => {
                head.copy_from_slice(word.as_bytes());
                head.make_ascii_uppercase();
                Upper::Inline(buf, word.len())
            }
            None => Upper::Heap(word.to_ascii_uppercase()),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // ASCII upper-casing keeps UTF-8 valid, so the inline bytes are always a `str`.
            Upper::Inline(buf, len) => buf
                .get(..*len)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or(""),
            Upper::Same(s) => s,
            Upper::Heap(s) => s,
        }
    }
}

/// Per-statement analysis state.
pub(crate) struct Cx<'a> {
    pub text: &'a str,
    pub dialect: Dialect,
    pub index: usize,
    pub span: Span,
    pub toks: &'a [Tok],
    pub known: &'a Known,
    pub depth: usize,
    pub dets: Vec<Detection>,
    pub intent: StatementIntent,
    /// What this statement makes known to the following ones.
    pub learned: Known,
}

/// What earlier statements of the same input established.
#[derive(Debug, Default)]
pub(crate) struct Known {
    /// Temporary tables created, lower-case.
    pub temp: HashSet<String>,
    /// Prepared statement names whose text was analysed, lower-case.
    pub prepared: HashSet<String>,
    /// Session variables with a known text value (`SET @q = '...'`).
    pub vars: literal::Vars,
    /// Whether MySQL `NO_BACKSLASH_ESCAPES` was set.
    pub no_backslash_escapes: bool,
}

impl Known {
    fn absorb(&mut self, other: Known) {
        // Most statements teach nothing: skip the empty sets.
        if !other.temp.is_empty() {
            self.temp.extend(other.temp);
        }
        if !other.prepared.is_empty() {
            self.prepared.extend(other.prepared);
        }
        if !other.vars.is_empty() {
            self.vars.extend(other.vars);
        }
        self.no_backslash_escapes |= other.no_backslash_escapes;
    }
}

impl<'a> Cx<'a> {
    pub(crate) fn hit(&mut self, rule: &str, grade: Grade, message: String) {
        let span = self.span;
        self.hit_at(rule, grade, message, span);
    }

    pub(crate) fn hit_at(&mut self, rule: &str, grade: Grade, message: String, span: Span) {
        let message = crate::redact::redact_owned(message);
        self.push_detection(rule, grade, message, span);
    }

    /// Records a detection whose message is already redacted.
    fn push_detection(&mut self, rule: &str, grade: Grade, message: String, span: Span) {
        self.dets.push(Detection {
            rule: rule.to_owned(),
            grade,
            message,
            statement: Some(self.index),
            span: Some(span),
        });
    }

    /// Like [`Cx::hit`], for a message made only of our own words (no quote, no colon, no word
    /// of 16 bytes) and of names set between backticks: the message is redacted as usual
    /// unless every name is plain ([`crate::redact::is_plain`]), when it provably holds no
    /// secret and its scan is skipped.
    pub(crate) fn hit_naming(
        &mut self,
        rule: &str,
        grade: Grade,
        message: String,
        names_plain: bool,
    ) {
        let message = if names_plain {
            message
        } else {
            crate::redact::redact_owned(message)
        };
        let span = self.span;
        self.push_detection(rule, grade, message, span);
    }

    pub(crate) fn object(&mut self, name: &str, access: Access) {
        self.object_owned(name.to_owned(), access);
    }

    /// [`Cx::object`] of a name the caller no longer needs: it is moved, not copied.
    pub(crate) fn object_owned(&mut self, name: String, access: Access) {
        if name.is_empty() {
            return;
        }
        let r = ObjectRef { name, access };
        if !self.intent.objects.contains(&r) {
            self.intent.objects.push(r);
        }
    }

    pub(crate) fn is_temporary(&self, name: &str) -> bool {
        let n = names::lower(names::trim_quotes(name));
        // `n` is already trimmed and lower-case, so a temporary spelling (`#x`, `temp.x`,
        // `pg_temp.x`, `pg_temp_1.x`) starts with `#`, `t` or `p`: other names skip that test.
        // Most statements know of no temporary table: an empty set is not hashed into.
        (matches!(n.as_bytes().first(), Some(b'#' | b't' | b'p'))
            && names::is_temporary_spelling(&n))
            || (!self.known.temp.is_empty() && self.known.temp.contains(&*n))
            || (!self.learned.temp.is_empty() && self.learned.temp.contains(&*n))
    }

    pub(crate) fn child(&self) -> Cx<'a> {
        Cx {
            text: self.text,
            dialect: self.dialect,
            index: self.index,
            span: self.span,
            toks: self.toks,
            known: self.known,
            depth: self.depth,
            dets: Vec::new(),
            intent: StatementIntent {
                index: self.index,
                span: self.span,
                parsed: true,
                ..StatementIntent::default()
            },
            learned: Known::default(),
        }
    }

    pub(crate) fn adopt(&mut self, inner: Cx<'a>) {
        self.dets.extend(inner.dets);
        self.intent.nested.push(inner.intent);
    }

    /// Upper-cased unquoted word at token `i`: borrowed when it is upper case already, else on
    /// the stack when it is short (every keyword is).
    pub(crate) fn upper(&self, i: usize) -> Option<Upper<'a>> {
        self.toks.get(i).and_then(Tok::word).map(Upper::new)
    }

    /// Whether token `i` is the word `kw`.
    pub(crate) fn is(&self, i: usize, kw: &str) -> bool {
        self.toks.get(i).is_some_and(|t| t.is(kw))
    }

    /// Position of the first word `kw` at or after `from`, at any depth.
    pub(crate) fn find(&self, from: usize, kw: &str) -> Option<usize> {
        self.toks
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, t)| t.is(kw))
            .map(|(i, _)| i)
    }

    /// Whether the words `seq` appear consecutively anywhere.
    pub(crate) fn has_seq(&self, seq: &[&str]) -> bool {
        let n = seq.len();
        n > 0
            && self
                .toks
                .windows(n)
                .any(|w| w.iter().zip(seq).all(|(t, k)| t.is(k)))
    }

    /// Whether the word appears anywhere.
    pub(crate) fn has(&self, kw: &str) -> bool {
        self.toks.iter().any(|t| t.is(kw))
    }
}

fn unparseable(text: &str, message: String, span: Span) -> SqlAnalysis {
    let d = Detection::new(
        "sql.unparseable",
        Grade::Deny,
        crate::redact::redact_message(&message),
    )
    .at(0, Some(span));
    SqlAnalysis {
        statements: Vec::new(),
        detections: vec![d],
        normalized: text.to_owned(),
    }
}

pub(crate) fn analyze_at(text: &str, dialect: Dialect, depth: usize) -> SqlAnalysis {
    if text.len() > MAX_BYTES {
        let d = Detection::new(
            "sql.too-large",
            Grade::Deny,
            format!(
                "input of {} bytes is over the {} byte limit",
                text.len(),
                MAX_BYTES
            ),
        )
        .at(0, Some((0, text.len())));
        return SqlAnalysis {
            detections: vec![d],
            normalized: blake3::hash(text.as_bytes()).to_hex().to_string(),
            ..SqlAnalysis::default()
        };
    }
    if text.trim().is_empty() {
        return SqlAnalysis::default();
    }
    let pre = lex::prescan(text);
    if let Some((at, c)) = pre.control {
        return unparseable(
            text,
            format!("control character U+{:04X} in the input", u32::from(c)),
            (at, at + c.len_utf8()),
        );
    }
    if pre.max_depth > MAX_DEPTH {
        let d = Detection::new(
            "sql.too-deep",
            Grade::Deny,
            format!(
                "parentheses nested {} deep, over the limit of {MAX_DEPTH}",
                pre.max_depth
            ),
        )
        .at(0, Some((0, text.len())));
        return SqlAnalysis {
            detections: vec![d],
            normalized: text.to_owned(),
            ..SqlAnalysis::default()
        };
    }
    let mut lexed = match lex::lex(text, dialect) {
        Ok(l) => l,
        Err(e) => {
            return unparseable(
                text,
                format!("cannot tokenize as {}: {}", dialect.as_str(), e.message),
                e.span,
            )
        }
    };
    let mut out = SqlAnalysis {
        normalized: normalize(&lexed.toks),
        ..SqlAnalysis::default()
    };
    if let Some(d) = suspicious_characters(text, &lexed, &pre) {
        out.detections.push(d);
        if out.detections.iter().any(|d| d.grade == Grade::Deny) {
            return out;
        }
    }
    let go = split::go_separates(dialect);
    let pieces = split::split(&lexed.toks, text, go);
    out.statements.reserve_exact(pieces.len());
    let mut known = Known::default();
    for (index, piece) in pieces.iter().enumerate() {
        let Some(toks) = lexed.toks.get_mut(piece.start..piece.end) else {
            continue;
        };
        let exec_comments = &lexed.exec_comments;
        let judged = parse::with_statement(toks, dialect, |toks, parsed| {
            let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
                return None;
            };
            let span = (first.span.0, last.span.1);
            let mut cx = Cx {
                text,
                dialect,
                index,
                span,
                toks,
                known: &known,
                depth,
                dets: Vec::new(),
                intent: StatementIntent {
                    index,
                    span,
                    ..StatementIntent::default()
                },
                learned: Known::default(),
            };
            cx.statement(parsed);
            let hidden = toks.iter().any(|t| {
                exec_comments
                    .iter()
                    .any(|c| c.0 <= t.span.0 && t.span.1 <= c.1)
            });
            if hidden && cx.dets.iter().any(|d| d.grade == Grade::Deny) {
                cx.hit(
                    "sql.hidden-code",
                    Grade::Deny,
                    "destructive code inside a MySQL executable comment `/*! ... */`".into(),
                );
            }
            Some((cx.dets, cx.intent, cx.learned))
        });
        if let Some((mut dets, intent, learned)) = judged {
            // The first statement's list is taken as it is rather than copied.
            if out.detections.is_empty() {
                out.detections = dets;
            } else {
                out.detections.append(&mut dets);
            }
            out.statements.push(intent);
            known.absorb(learned);
        }
    }
    statement::whole_input_rules(&mut out);
    out
}

/// Invisible and look-alike characters: inside an unquoted word (keyword or identifier
/// position) they fail closed; inside literals and comments they are a notice.
fn suspicious_characters(text: &str, lexed: &lex::Lexed, pre: &lex::Prescan) -> Option<Detection> {
    let (at, c) = *pre.suspicious.first()?;
    for &(off, ch) in &pre.suspicious {
        let in_code = lexed.toks.iter().any(|t| {
            let code = match &t.token {
                sqlparser::tokenizer::Token::Word(w) => w.quote_style.is_none(),
                sqlparser::tokenizer::Token::Char(_) => true,
                _ => false,
            };
            code && t.span.0 <= off && off < t.span.1
        });
        let outside_every_token =
            !lexed.toks.iter().any(|t| t.span.0 <= off && off < t.span.1) && !in_comment(text, off);
        if in_code || outside_every_token {
            return Some(
                Detection::new(
                    "sql.unparseable",
                    Grade::Deny,
                    format!(
                        "invisible or look-alike character U+{:04X} in code position",
                        u32::from(ch)
                    ),
                )
                .at(0, Some((off, off + ch.len_utf8()))),
            );
        }
    }
    Some(
        Detection::new(
            "input.invisible-characters",
            Grade::Notice,
            format!(
                "invisible or look-alike character U+{:04X} inside a literal or comment",
                u32::from(c)
            ),
        )
        .at(0, Some((at, at + c.len_utf8()))),
    )
}

fn in_comment(text: &str, off: usize) -> bool {
    let before = text.get(..off).unwrap_or("");
    let line = before.rsplit('\n').next().unwrap_or("");
    line.contains("--")
        || line.contains('#')
        || before
            .rfind("/*")
            .is_some_and(|o| before.get(o..).is_some_and(|s| !s.contains("*/")))
}

/// Normalises the tokens for the fingerprint.
fn normalize(toks: &[Tok]) -> String {
    use sqlparser::tokenizer::Token;
    use std::fmt::Write as _;
    // One buffer for the whole text: no per-token `String`s. Its room is the text the tokens
    // span, a space between tokens, and the `sql\0` prefix `analyze::sql` puts in front, so
    // neither this loop nor the prefix usually grows it.
    let spanned = match (toks.first(), toks.last()) {
        (Some(first), Some(last)) => last.span.1.saturating_sub(first.span.0),
        _ => 0,
    };
    let mut out = String::with_capacity(spanned + toks.len() + 4);
    let mut secret_next = false;
    for t in toks {
        if !out.is_empty() {
            out.push(' ');
        }
        match &t.token {
            Token::Word(w) if w.quote_style.is_none() => {
                // By first letter: most words start with none of these and compare with nothing.
                let candidates: &[&str] =
                    match w.value.as_bytes().first().map(u8::to_ascii_uppercase) {
                        Some(b'P') => &["PASSWORD"],
                        Some(b'B') => &["BY"],
                        Some(b'S') => &["SECRET", "SECRET_ACCESS_KEY"],
                        Some(b'I') => &["IDENTIFIED"],
                        Some(b'A') => &["AWS_SECRET_KEY"],
                        Some(b'T') => &["TOKEN"],
                        _ => &[],
                    };
                secret_next = candidates.iter().any(|k| w.value.eq_ignore_ascii_case(k));
                let at = out.len();
                out.push_str(&w.value);
                if let Some(tail) = out.get_mut(at..) {
                    if w.keyword == sqlparser::keywords::Keyword::NoKeyword {
                        tail.make_ascii_lowercase();
                    } else {
                        tail.make_ascii_uppercase();
                    }
                }
            }
            other if t.string().is_some() && secret_next => {
                let _ = other;
                out.push_str("'?'");
                secret_next = false;
            }
            Token::Eq => out.push('='),
            // What `Display` writes for these, without the formatting machinery.
            Token::Comma => out.push(','),
            Token::LParen => out.push('('),
            Token::RParen => out.push(')'),
            Token::Period => out.push('.'),
            Token::SemiColon => out.push(';'),
            Token::Mul => out.push('*'),
            Token::Placeholder(p) => out.push_str(p),
            // As the token's `Display` writes it: the value between quotes, nothing escaped.
            Token::SingleQuotedString(s) => {
                out.push('\'');
                out.push_str(s);
                out.push('\'');
            }
            Token::Number(n, long) => {
                out.push_str(n);
                if *long {
                    out.push('L');
                }
            }
            other => {
                let _ = write!(out, "{other}");
            }
        }
    }
    out
}
