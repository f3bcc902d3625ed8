//! Splitting an input into statements on the tokens (never on the text), so one statement the
//! parser cannot read does not hide the others.

use sqlparser::tokenizer::Token;

use super::lex::Tok;
use crate::action::Dialect;

/// Whether a `GO` line separates statements in `dialect` (T-SQL's batch separator; Generic
/// accepts T-SQL scripts too).
pub(crate) fn go_separates(dialect: Dialect) -> bool {
    matches!(dialect, Dialect::Mssql | Dialect::Generic)
}

/// A statement: a range of non-whitespace tokens.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Piece {
    pub start: usize,
    pub end: usize,
}

/// Splits on `;` outside procedural blocks, and on T-SQL `GO` lines.
pub(crate) fn split(toks: &[Tok], text: &str, go_separator: bool) -> Vec<Piece> {
    // Room for a few statements from the start: most inputs hold one.
    let mut pieces = Vec::with_capacity(4);
    let mut start = 0usize;
    let mut block = 0usize;
    let mut routine = false;
    let mut i = 0usize;
    while let Some(t) = toks.get(i) {
        let first = i == start;
        if first {
            routine = is_routine_head(toks, i);
            block = 0;
        }
        if routine {
            let opens_block = t.is("BEGIN")
                && !next_is(toks, i, &["TRANSACTION", "TRAN", "WORK"])
                && !next_is_semicolon(toks, i);
            if opens_block || (t.is("CASE") && block > 0) {
                block += 1;
            } else if t.is("END")
                && block > 0
                && !next_is(toks, i, &["IF", "LOOP", "WHILE", "REPEAT", "FOR"])
            {
                block -= 1;
            }
        }
        let is_go = go_separator && t.is("GO") && alone_on_line(t, text);
        if (matches!(t.token, Token::SemiColon) && block == 0) || is_go {
            if i > start {
                pieces.push(Piece { start, end: i });
            }
            start = i + 1;
        }
        i += 1;
    }
    if toks.len() > start {
        pieces.push(Piece {
            start,
            end: toks.len(),
        });
    }
    pieces
}

fn next_is(toks: &[Tok], i: usize, words: &[&str]) -> bool {
    toks.get(i + 1)
        .is_some_and(|t| words.iter().any(|w| t.is(w)))
}

fn next_is_semicolon(toks: &[Tok], i: usize) -> bool {
    toks.get(i + 1)
        .is_none_or(|t| matches!(t.token, Token::SemiColon))
}

/// `CREATE [OR REPLACE] [DEFINER=...] {FUNCTION|PROCEDURE|TRIGGER|EVENT}` and T-SQL bodies: their
/// `BEGIN ... END` blocks contain semicolons that do not end the statement.
fn is_routine_head(toks: &[Tok], i: usize) -> bool {
    let mut j = i;
    if !toks.get(j).is_some_and(|t| t.is("CREATE") || t.is("ALTER")) {
        return false;
    }
    j += 1;
    for _ in 0..8 {
        let Some(t) = toks.get(j) else { return false };
        if ["FUNCTION", "PROCEDURE", "PROC", "TRIGGER", "EVENT"]
            .iter()
            .any(|w| t.is(w))
        {
            return true;
        }
        if t.is("TABLE") || t.is("VIEW") || t.is("INDEX") {
            return false;
        }
        j += 1;
    }
    false
}

fn alone_on_line(t: &Tok, text: &str) -> bool {
    let before = text.get(..t.span.0).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let after = text.get(t.span.1..).unwrap_or("");
    let line_end = after.find('\n').unwrap_or(after.len());
    before
        .get(line_start..)
        .is_some_and(|s| s.trim().is_empty())
        && after.get(..line_end).is_some_and(|s| {
            s.trim()
                .trim_end_matches(';')
                .trim()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
}
