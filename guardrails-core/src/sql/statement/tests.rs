//! `may_call_functions` against the parser: whenever a tree holds a function call, the
//! tokens say it may.

use sqlparser::ast::{visit_expressions, Expr};
use sqlparser::keywords::ALL_KEYWORDS;

use super::may_call_functions;
use crate::action::Dialect;
use crate::sql::{lex, parse};

/// Parses `text` (one statement) in `dialect`; when the tree calls a function, the tokens
/// must say so. Returns whether it parsed.
fn check(text: &str, dialect: Dialect) -> bool {
    let Ok(lexed) = lex::lex(text, dialect) else {
        return false;
    };
    let Ok(tree) = parse::parse_one(parse::parser_tokens(&lexed.toks), dialect) else {
        return false;
    };
    let calls = visit_expressions(&*tree, |e| match e {
        Expr::Function(_) => std::ops::ControlFlow::Break(()),
        _ => std::ops::ControlFlow::Continue(()),
    })
    .is_break();
    assert!(
        !calls || may_call_functions(&lexed.toks),
        "`{text}` ({}) calls a function the tokens do not show",
        dialect.as_str()
    );
    true
}

/// Every keyword, alone and in expression positions, in every dialect: a keyword the parser
/// reads as a call without parentheses must be in the list.
#[test]
fn every_keyword_the_parser_reads_as_a_call_is_listed() {
    let templates = [
        "SELECT {}",
        "SELECT {} FROM t",
        "SELECT a FROM t WHERE b = {}",
        "SELECT a FROM t WHERE {} = b",
        "UPDATE t SET a = {} WHERE b = 1",
        "DELETE FROM t WHERE a < {}",
        "INSERT INTO t (a) VALUES ({})",
    ];
    let mut parsed = 0;
    for kw in ALL_KEYWORDS {
        for t in templates {
            let text = t.replace("{}", kw);
            for dialect in Dialect::ALL {
                parsed += usize::from(check(&text, dialect));
            }
        }
    }
    // Most of the keywords read as column names: the test did parse.
    assert!(parsed > ALL_KEYWORDS.len() * 20, "only {parsed} parsed");
}

/// Statements with calls in every clause the parser knows: each is seen by the tokens.
#[test]
fn calls_in_statements_are_seen() {
    let statements = [
        "SELECT count(*) FROM t",
        "SELECT a FROM t WHERE created_at > now() - interval '1 day'",
        "SELECT CURRENT_USER",
        "SELECT a FROM t WHERE b = current_date",
        "SELECT a FROM t ORDER BY lower(a)",
        "UPDATE t SET a = CURRENT_TIMESTAMP WHERE id = 1",
        "DELETE FROM t WHERE a = session_user",
        "INSERT INTO t (a) SELECT max(b) FROM u",
        "SELECT CAST(a AS int) FROM t",
        "SELECT a FROM t WHERE b IN (SELECT c FROM u)",
        "SELECT localtimestamp, localtime, user",
    ];
    for text in statements {
        for dialect in Dialect::ALL {
            check(text, dialect);
        }
    }
    let plain = lex::lex("DELETE FROM t WHERE a = 1 AND b = 'x()'", Dialect::Postgres);
    assert!(plain.is_ok_and(|l| !may_call_functions(&l.toks)));
}
