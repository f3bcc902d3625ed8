//! A fast lexer for the plain subset of SQL most statements are written in, producing exactly
//! the tokens and spans sqlparser's tokenizer would.
//!
//! sqlparser's tokenizer walks a `Peekable<Chars>`, builds every word through a growing `String`
//! and looks keywords up with a per-byte upper-casing comparison: about 2 K instructions per
//! word, the largest single cost of evaluating a short statement. Most statements an agent or an
//! application sends are ASCII words, numbers, `'…'` strings and a few operators, and for those
//! the tokens are easy to compute directly from the bytes.
//!
//! The rule that keeps this safe: anything outside that subset — a comment, a quoted identifier,
//! a backslash, a `$` outside a Postgres `$1` placeholder, a prefixed string (`E'…'`, `x'…'`), a
//! number followed by a letter, two operator characters in a row, a non-ASCII byte, `COPY` (whose
//! data follows the statement), `/*!` even inside a string — makes [`lex_plain`] answer `None`,
//! and the caller runs sqlparser's tokenizer. The subset is chosen so that no dialect's special
//! rule applies inside it; a differential test (and the `sql_fastlex` fuzz target) checks token
//! for token, span for span, against sqlparser on every dialect.

use sqlparser::keywords::{Keyword, ALL_KEYWORDS, ALL_KEYWORDS_INDEX};
use sqlparser::tokenizer::{Token, Word};

use super::lex::{Lexed, Tok};
use crate::action::Dialect;

/// Tokenizes `text` when it is entirely in the plain subset; `None` otherwise.
pub(crate) fn lex_plain(text: &str, dialect: Dialect) -> Option<Lexed> {
    let bytes = text.as_bytes();
    let mut toks: Vec<Tok> = Vec::with_capacity(bytes.len() / 5 + 2);
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if matches!(b, b' ' | b'\t' | b'\n') {
            at += 1;
            continue;
        }
        let start = at;
        let prev = toks.last().map(|t| &t.token);
        let token = match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let end = ident_end(bytes, at);
                if ends_badly(bytes.get(end).copied()) {
                    return None;
                }
                let word = text.get(at..end)?;
                if word.eq_ignore_ascii_case("copy") {
                    return None;
                }
                at = end;
                Token::Word(Word {
                    keyword: keyword(word),
                    value: word.to_owned(),
                    quote_style: None,
                })
            }
            b'0'..=b'9' => {
                if matches!(prev, Some(Token::Period)) {
                    return None;
                }
                let mut end = digits_end(bytes, at);
                if bytes.get(end) == Some(&b'.') {
                    let frac = digits_end(bytes, end + 1);
                    if frac == end + 1 {
                        return None;
                    }
                    end = frac;
                }
                if ends_badly(bytes.get(end).copied()) || bytes.get(end) == Some(&b'.') {
                    return None;
                }
                let number = text.get(at..end)?;
                at = end;
                Token::Number(number.to_owned(), false)
            }
            b'\'' => {
                let (value, end) = string(text, at, dialect)?;
                if ends_badly(bytes.get(end).copied()) {
                    return None;
                }
                at = end;
                Token::SingleQuotedString(value)
            }
            b'$' if dialect == Dialect::Postgres => {
                let end = digits_end(bytes, at + 1);
                if end == at + 1 || ends_badly(bytes.get(end).copied()) {
                    return None;
                }
                if bytes.get(end) == Some(&b'.') {
                    return None;
                }
                let placeholder = text.get(at..end)?;
                at = end;
                Token::Placeholder(placeholder.to_owned())
            }
            b'.' => {
                // Only a qualified name's dot: a letter or `*` follows (never a digit or `_`,
                // which are numbers or dialect-specific field access).
                if !matches!(bytes.get(at + 1), Some(b'a'..=b'z' | b'A'..=b'Z' | b'*')) {
                    return None;
                }
                at += 1;
                Token::Period
            }
            b'(' => punct(&mut at, Token::LParen),
            b')' => punct(&mut at, Token::RParen),
            b',' => punct(&mut at, Token::Comma),
            b';' => punct(&mut at, Token::SemiColon),
            b'=' | b'<' | b'>' | b'!' | b'+' | b'-' | b'*' | b'/' => {
                let (token, len) = operator(bytes, at)?;
                if bytes.get(at + len).is_some_and(|&n| is_operator_char(n)) {
                    return None;
                }
                at += len;
                token
            }
            _ => return None,
        };
        toks.push(Tok {
            token,
            span: (start, at),
        });
    }
    Some(Lexed {
        toks,
        exec_comments: Vec::new(),
    })
}

fn punct(at: &mut usize, token: Token) -> Token {
    *at += 1;
    token
}

/// The end of the identifier that starts at `from` (ASCII letters, digits, `_`).
fn ident_end(bytes: &[u8], from: usize) -> usize {
    let rest = bytes.get(from..).unwrap_or(&[]);
    from + rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .unwrap_or(rest.len())
}

fn digits_end(bytes: &[u8], from: usize) -> usize {
    let rest = bytes.get(from..).unwrap_or(&[]);
    from + rest
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(rest.len())
}

/// Whether the byte after a word, number, string or placeholder would continue it in some
/// dialect (identifier characters, `$`, `@`, `#`, quotes, prefixes) or is not ASCII: then the
/// plain reading may be wrong and sqlparser decides.
fn ends_badly(next: Option<u8>) -> bool {
    next.is_some_and(|b| {
        b.is_ascii_alphanumeric()
            || matches!(b, b'_' | b'$' | b'@' | b'#' | b'\'' | b'"' | b'`')
            || !b.is_ascii()
    })
}

/// Characters that may extend an operator into a longer or custom one in some dialect.
fn is_operator_char(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'<'
            | b'>'
            | b'='
            | b'~'
            | b'!'
            | b'@'
            | b'#'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
            | b'\\'
    )
}

/// The operator at `i` and its length, for the plain operators only.
fn operator(bytes: &[u8], i: usize) -> Option<(Token, usize)> {
    let b = *bytes.get(i)?;
    let next = bytes.get(i + 1).copied();
    Some(match (b, next) {
        (b'<', Some(b'=')) => (Token::LtEq, 2),
        (b'<', Some(b'>')) => (Token::Neq, 2),
        (b'>', Some(b'=')) => (Token::GtEq, 2),
        (b'!', Some(b'=')) => (Token::Neq, 2),
        (b'!', _) => return None,
        (b'=', _) => (Token::Eq, 1),
        (b'<', _) => (Token::Lt, 1),
        (b'>', _) => (Token::Gt, 1),
        (b'+', _) => (Token::Plus, 1),
        (b'-', _) => (Token::Minus, 1),
        (b'*', _) => (Token::Mul, 1),
        (b'/', _) => (Token::Div, 1),
        _ => return None,
    })
}

/// The `'…'` string starting at `i`: its value (`''` read as `'`) and the offset after the
/// closing quote. `None` for anything
/// dialect-specific: a backslash (an escape in MySQL, BigQuery, Snowflake), a string opening
/// with `''` (BigQuery's triple quotes), non-ASCII or a missing closing quote.
fn string(text: &str, i: usize, dialect: Dialect) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let start = i + 1;
    if dialect == Dialect::Bigquery && bytes.get(start) == Some(&b'\'') {
        return None;
    }
    // First find the end, then copy once: most strings hold no `''`.
    let mut j = start;
    let mut doubled = false;
    loop {
        let b = *bytes.get(j)?;
        match b {
            b'\'' => {
                if bytes.get(j + 1) == Some(&b'\'') {
                    doubled = true;
                    j += 2;
                    continue;
                }
                break;
            }
            b'\\' => return None,
            // `lex_with_sqlparser` finds MySQL executable comments by searching the whole text
            // for `/*!`, so it reports one even inside a string literal. Outside strings the
            // plain subset refuses `/*`; inside one, sqlparser's path decides.
            b'/' if bytes.get(j + 1..j + 3) == Some(b"*!".as_slice()) => return None,
            b'\r' => return None,
            _ if !b.is_ascii() => return None,
            _ => {}
        }
        j += 1;
    }
    let raw = text.get(start..j)?;
    let value = if doubled {
        raw.replace("''", "'")
    } else {
        raw.to_owned()
    };
    Some((value, j + 1))
}

/// sqlparser's keyword for an unquoted word: one hash and usually one comparison, where
/// sqlparser's own lookup binary-searches ~900 keywords upper-casing byte by byte.
fn keyword(word: &str) -> Keyword {
    let bytes = word.as_bytes();
    let mut slot = hash_upper(bytes) as usize & (KEYWORD_SLOTS - 1);
    loop {
        let Some(&entry) = KEYWORD_TABLE.get(slot) else {
            return Keyword::NoKeyword;
        };
        let Some(index) = usize::from(entry).checked_sub(1) else {
            return Keyword::NoKeyword;
        };
        if ALL_KEYWORDS.get(index).is_some_and(|k| {
            k.len() == bytes.len()
                && k.bytes()
                    .zip(bytes)
                    .all(|(k, w)| k == w.to_ascii_uppercase())
        }) {
            return ALL_KEYWORDS_INDEX
                .get(index)
                .copied()
                .unwrap_or(Keyword::NoKeyword);
        }
        slot = (slot + 1) & (KEYWORD_SLOTS - 1);
    }
}

/// Slots of the keyword hash table (a power of two, a bit over twice the keyword count).
const KEYWORD_SLOTS: usize = 4096;

/// Open-addressing table of `ALL_KEYWORDS`: each slot holds a keyword's index + 1, or 0.
/// Built at compile time, so the build fails rather than a lookup going wrong if the keyword
/// list ever outgrows it.
static KEYWORD_TABLE: [u16; KEYWORD_SLOTS] = keyword_table();

#[allow(
    clippy::indexing_slicing,
    reason = "compile-time evaluation: an out-of-bounds index is a build error, not a panic"
)]
const fn keyword_table() -> [u16; KEYWORD_SLOTS] {
    assert!(ALL_KEYWORDS.len() * 2 < KEYWORD_SLOTS && ALL_KEYWORDS.len() < u16::MAX as usize);
    let mut table = [0u16; KEYWORD_SLOTS];
    let mut i = 0;
    while i < ALL_KEYWORDS.len() {
        let mut slot = hash_upper(ALL_KEYWORDS[i].as_bytes()) as usize & (KEYWORD_SLOTS - 1);
        while table[slot] != 0 {
            slot = (slot + 1) & (KEYWORD_SLOTS - 1);
        }
        table[slot] = (i + 1) as u16;
        i += 1;
    }
    table
}

/// FNV-1a of the ASCII upper-case of `bytes`.
#[allow(
    clippy::indexing_slicing,
    reason = "`i < bytes.len()` is checked by the loop; a `while` loop because this is a const fn"
)]
const fn hash_upper(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i].to_ascii_uppercase() as u32;
        h = h.wrapping_mul(0x0100_0193);
        i += 1;
    }
    h
}

/// Runs both lexers on `text`: `Ok(true)` when the fast lexer took it and every token and byte
/// span agree with sqlparser's tokenizer, `Ok(false)` when it refused, `Err`
/// naming the first difference otherwise. For the differential tests and the fuzz target.
pub(crate) fn agrees_with_sqlparser(text: &str, dialect: Dialect) -> Result<bool, String> {
    let Some(fast) = lex_plain(text, dialect) else {
        return Ok(false);
    };
    let slow = super::lex::lex_with_sqlparser(text, dialect).map_err(|e| {
        format!(
            "the fast lexer took `{text}`, sqlparser fails: {}",
            e.message
        )
    })?;
    if fast.toks.len() != slow.toks.len() {
        return Err(format!(
            "`{text}`: {} tokens, sqlparser {}",
            fast.toks.len(),
            slow.toks.len()
        ));
    }
    for (f, s) in fast.toks.iter().zip(&slow.toks) {
        if f.token != s.token || f.span != s.span {
            return Err(format!(
                "`{text}`: {:?} at {:?}, sqlparser {:?} at {:?}",
                f.token, f.span, s.token, s.span
            ));
        }
    }
    if fast.exec_comments != slow.exec_comments {
        return Err(format!("`{text}`: executable comments differ"));
    }
    Ok(true)
}

#[cfg(test)]
mod tests;
