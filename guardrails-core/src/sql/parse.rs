//! Running the parser on one statement's tokens, bounded in recursion and stack, with repairs
//! for spellings the parser rejects but the database accepts.

use sqlparser::ast::Statement;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Word};

use super::lex::parser_dialect;
use crate::action::Dialect;

/// The parser's recursion limit (its default, 50, rejects 100 nested parentheses).
const RECURSION_LIMIT: usize = 2 * super::MAX_DEPTH + 64;
/// Stack kept free before the parser runs; below this, a larger stack is allocated.
const RED_ZONE: usize = 256 * 1024;
/// The stack allocated when the current one is short.
const STACK: usize = 64 * 1024 * 1024;

/// The statement's tokens as the parser takes them (comments and whitespace are not needed).
///
/// Every token goes with an empty span. Nothing here reads the tree's spans (findings carry the
/// tokens' byte spans) and error messages are kept without their location, while sqlparser
/// formats a location into the error of every speculative parse that fails — once per column
/// name in an expression, where it tries a typed literal like `DATE '…'` first. An empty
/// location formats as nothing, which takes a tenth off the cost of a short `SELECT`.
pub(crate) fn parser_tokens(toks: &[super::lex::Tok]) -> Vec<TokenWithSpan> {
    toks.iter()
        .map(|t| TokenWithSpan::wrap(t.token.clone()))
        .collect()
}

/// Parses exactly one statement from `tokens` (no trailing `;`).
pub(crate) fn parse_one(
    tokens: Vec<TokenWithSpan>,
    dialect: Dialect,
) -> Result<Box<Statement>, String> {
    let d = parser_dialect(dialect);
    stacker::maybe_grow(RED_ZONE, STACK, move || {
        let mut p = Parser::new(d)
            .with_recursion_limit(RECURSION_LIMIT)
            .with_tokens_with_locations(tokens);
        statement_then_end(&mut p).map(Box::new)
    })
}

/// Runs `judge` on a statement's tokens and, when the statement will surely be parsed
/// ([`super::statement::wants_parse`]), on the parser's result too. The tokens are lent to the
/// parser (with empty spans, as [`parser_tokens`] says why) rather than copied (a copy of every word is a good part of a short statement's cost)
/// and are back in `toks` before `judge` runs; `judge` runs inside the same stack-guarded
/// closure as the parser, so the tree (several KiB) is borrowed where it was built, never moved.
/// Should the parser ever hand back a different number of tokens, the statement is unparseable:
/// the tokens cannot be trusted any more.
pub(crate) fn with_statement<R>(
    toks: &mut [super::lex::Tok],
    dialect: Dialect,
    judge: impl FnOnce(&[super::lex::Tok], Option<Result<&Statement, String>>) -> R,
) -> R {
    if toks.is_empty() || !super::statement::wants_parse(toks) {
        return judge(toks, None);
    }
    // Borrowed where it was built: a `Statement` is 3.4 KiB.
    let fast = super::fastparse::parse(toks, dialect);
    if let Some(stmt) = &fast {
        // Debug builds (every test) hold each fast tree to sqlparser's.
        #[cfg(debug_assertions)]
        {
            let slow = parse_one(parser_tokens(toks), dialect);
            debug_assert!(
                matches!(&slow, Ok(s) if **s == *stmt),
                "the fast parser's tree differs from sqlparser's ({slow:?})"
            );
        }
        return judge(toks, Some(Ok(stmt)));
    }
    let lent: Vec<TokenWithSpan> = toks
        .iter_mut()
        .map(|t| TokenWithSpan::wrap(std::mem::replace(&mut t.token, Token::EOF)))
        .collect();
    let d = parser_dialect(dialect);
    stacker::maybe_grow(RED_ZONE, STACK, move || {
        let mut p = Parser::new(d)
            .with_recursion_limit(RECURSION_LIMIT)
            .with_tokens_with_locations(lent);
        // The tree stays where the parser returned it (a `Statement` is several KiB: every
        // move is a copy); only references to it travel.
        let parsed = p.parse_statement();
        let trailing = parsed
            .is_ok()
            .then(|| rest_after_statement(&mut p))
            .flatten();
        let back = p.into_tokens();
        let lost = back.len() != toks.len();
        if !lost {
            for (t, b) in toks.iter_mut().zip(back) {
                t.token = b.token;
            }
        }
        let result = match (&parsed, trailing) {
            _ if lost => Err("the parser changed the statement's tokens".to_owned()),
            (Ok(stmt), None) => Ok(stmt),
            (Ok(_), Some(e)) => Err(e),
            (Err(e), _) => Err(clean(&e.to_string())),
        };
        judge(toks, Some(result))
    })
}

/// After a statement: `;`s then the end, or the message naming what follows.
fn rest_after_statement(p: &mut Parser<'_>) -> Option<String> {
    while p.consume_token(&Token::SemiColon) {}
    let next = p.peek_token();
    (next.token != Token::EOF).then(|| format!("unexpected `{}` after the statement", next.token))
}

/// One statement, then only `;` up to the end.
fn statement_then_end(p: &mut Parser<'_>) -> Result<Statement, String> {
    let stmt = p.parse_statement().map_err(|e| clean(&e.to_string()))?;
    match rest_after_statement(p) {
        None => Ok(stmt),
        Some(e) => Err(e),
    }
}

fn clean(message: &str) -> String {
    let m = message.trim_start_matches("sql parser error: ");
    let m = m.split(" at Line:").next().unwrap_or(m);
    let mut m = m.to_owned();
    if let Some(first) = m.get(..1) {
        m = first.to_lowercase() + m.get(1..).unwrap_or("");
    }
    m
}

/// Rewrites spellings the parser rejects: `%s` / `%(name)s` placeholders (MySQL drivers),
/// T-SQL `OPTION (...)` query hints, `UPDATE/DELETE TOP (n)`. Returns `None` when nothing changed.
/// The `TOP` count, when removed, is returned too.
pub(crate) fn repair(raw: &[TokenWithSpan]) -> Option<(Vec<TokenWithSpan>, Option<u64>)> {
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(raw.len());
    let mut changed = false;
    let mut top = None;
    let mut i = 0;
    let is_ws = |t: &TokenWithSpan| matches!(t.token, Token::Whitespace(_));
    while let Some(t) = raw.get(i) {
        // %s and %(name)s
        if t.token == Token::Mod {
            if let Some(TokenWithSpan {
                token: Token::Word(w),
                ..
            }) = raw.get(i + 1)
            {
                if w.value == "s" || w.value == "d" {
                    out.push(placeholder(t));
                    i += 2;
                    changed = true;
                    continue;
                }
            }
            if matches!(raw.get(i + 1).map(|t| &t.token), Some(Token::LParen)) {
                if let (Some(Token::Word(_)), Some(Token::RParen), Some(Token::Word(w))) = (
                    raw.get(i + 2).map(|t| &t.token),
                    raw.get(i + 3).map(|t| &t.token),
                    raw.get(i + 4).map(|t| &t.token),
                ) {
                    if w.value == "s" {
                        out.push(placeholder(t));
                        i += 5;
                        changed = true;
                        continue;
                    }
                }
            }
        }
        // PostgreSQL `CYCLE ... USING col` / `SEARCH ... SET col` after a recursive CTE.
        if (is_word(t, "CYCLE") || is_word(t, "SEARCH"))
            && out
                .iter()
                .rev()
                .find(|x| !is_ws(x))
                .is_some_and(|x| x.token == Token::RParen)
        {
            let stop = if is_word(t, "CYCLE") { "USING" } else { "SET" };
            if let Some(k) = raw
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, x)| is_word(x, stop))
                .map(|(k, _)| k)
            {
                if let Some((end, _)) = next_non_ws(raw, k + 1) {
                    i = end + 1;
                    changed = true;
                    continue;
                }
            }
        }
        // `WHERE CURRENT OF cursor` (a positioned update of one row) -> a key lookup.
        if is_word(t, "CURRENT") && next_non_ws(raw, i + 1).is_some_and(|(_, x)| is_word(x, "OF")) {
            if let Some((of, _)) = next_non_ws(raw, i + 1) {
                if let Some((name, _)) = next_non_ws(raw, of + 1) {
                    out.push(TokenWithSpan {
                        token: Token::make_word("ctid", None),
                        span: t.span,
                    });
                    out.push(TokenWithSpan {
                        token: Token::Eq,
                        span: t.span,
                    });
                    out.push(placeholder(t));
                    i = name + 1;
                    changed = true;
                    continue;
                }
            }
        }
        // OPTION ( ... ) at the end
        if is_word(t, "OPTION")
            && matches!(
                next_non_ws(raw, i + 1).map(|(_, t)| &t.token),
                Some(Token::LParen)
            )
        {
            if let Some(end) = closing_paren(raw, next_non_ws(raw, i + 1).map_or(i, |(j, _)| j)) {
                if raw
                    .get(end + 1..)
                    .is_none_or(|rest| rest.iter().all(|t| is_ws(t) || t.token == Token::SemiColon))
                {
                    changed = true;
                    break;
                }
            }
        }
        // UPDATE TOP (n) / DELETE TOP (n)
        if (is_word(t, "UPDATE") || is_word(t, "DELETE")) && out.iter().all(is_ws) {
            if let Some((j, tt)) = next_non_ws(raw, i + 1) {
                if is_word(tt, "TOP") {
                    if let Some((k, open)) = next_non_ws(raw, j + 1) {
                        let end = if open.token == Token::LParen {
                            closing_paren(raw, k)
                        } else {
                            Some(k)
                        };
                        if let Some(end) = end {
                            top = raw.get(k..=end).and_then(|s| {
                                s.iter().find_map(|t| match &t.token {
                                    Token::Number(n, _) => n.parse().ok(),
                                    _ => None,
                                })
                            });
                            out.push(t.clone());
                            i = end + 1;
                            changed = true;
                            continue;
                        }
                    }
                }
            }
        }
        out.push(t.clone());
        i += 1;
    }
    changed.then_some((out, top))
}

fn placeholder(t: &TokenWithSpan) -> TokenWithSpan {
    TokenWithSpan {
        token: Token::Placeholder("?".into()),
        span: t.span,
    }
}

fn is_word(t: &TokenWithSpan, kw: &str) -> bool {
    matches!(&t.token, Token::Word(Word { value, quote_style: None, .. }) if value.eq_ignore_ascii_case(kw))
}

fn next_non_ws(raw: &[TokenWithSpan], from: usize) -> Option<(usize, &TokenWithSpan)> {
    raw.iter()
        .enumerate()
        .skip(from)
        .find(|(_, t)| !matches!(t.token, Token::Whitespace(_)))
}

fn closing_paren(raw: &[TokenWithSpan], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in raw.iter().enumerate().skip(open) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod lent_tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::with_statement;
    use crate::action::Dialect;
    use crate::sql::lex::lex;

    #[test]
    fn lent_tokens_come_back_unchanged_whether_the_parse_succeeds_or_not() {
        for text in [
            "SELECT id, name FROM products WHERE id = $1",
            "DROP TABLE IF EXISTS audit_log CASCADE",
            "SELECT FROM WHERE (",
            "DELETE FROM t WHERE a = 'x' -- note",
        ] {
            let mut lexed = lex(text, Dialect::Postgres).unwrap();
            let before: Vec<_> = lexed
                .toks
                .iter()
                .map(|t| (t.token.clone(), t.span))
                .collect();
            let (seen, parsed) = with_statement(&mut lexed.toks, Dialect::Postgres, |toks, p| {
                let seen: Vec<_> = toks.iter().map(|t| (t.token.clone(), t.span)).collect();
                (seen, p.map(|r| r.is_ok()))
            });
            let after: Vec<_> = lexed
                .toks
                .iter()
                .map(|t| (t.token.clone(), t.span))
                .collect();
            assert_eq!(before, seen, "tokens the judge sees for {text}");
            assert_eq!(before, after, "tokens after for {text}");
            assert_eq!(parsed, Some(!text.starts_with("SELECT FROM")), "{text}");
        }
    }

    #[test]
    fn statements_past_the_join_limit_or_with_meta_commands_are_not_parsed_first() {
        let many_joins = format!(
            "SELECT 1 FROM t{}",
            " JOIN t ON 1 = 1".repeat(crate::sql::MAX_JOINS + 1)
        );
        for text in [many_joins.as_str(), "\\! ls", ".shell ls"] {
            let mut lexed = lex(text, Dialect::Postgres).unwrap();
            let parsed = with_statement(&mut lexed.toks, Dialect::Postgres, |_, p| p.is_some());
            assert!(!parsed, "{}", text.get(..40).unwrap_or(text));
        }
    }
}
