//! The fast SQL parser against sqlparser: wherever the fast parser takes a statement, its tree
//! must be sqlparser's, in every dialect. Inputs are read twice: as text, and as a sequence of
//! choices among fragments in and around the subset (so that most inputs are near-statements).
#![no_main]

use libfuzzer_sys::fuzz_target;

const STARTS: [&str; 6] = [
    "SELECT ",
    "SELECT a FROM t WHERE ",
    "INSERT INTO t (a, b) VALUES (",
    "UPDATE t SET a = ",
    "DELETE FROM t WHERE ",
    "SELECT * FROM t x ORDER BY ",
];

const FRAGMENTS: [&str; 72] = [
    "a", "t", "x", "t.a", "name", "status", "date", "type", "value", "user", "\"Q\"", "`b`",
    "[c]", "1", "2.5", "'s'", "''", "$1", "?", "NULL", "TRUE", "false", "count", "sum", "lower",
    "cast", "convert", "extract", "(", ")", ",", ";", ".", "*", "=", "<>", "!=", "<", ">", "<=",
    ">=", "+", "-", "/", "%", "||", "::", "AND", "OR", "NOT", "IS", "IN", "LIKE", "AS", "FROM",
    "WHERE", "ORDER BY", "DESC", "ASC", "LIMIT", "VALUES", "SET", "JOIN", "int",
    // Names with dialect rules of their own (found in review).
    "identifier", "xmlparse", "`a.b`", "@v", "interval", "OFFSET", "GROUP BY", "DISTINCT",
];

fn from_choices(data: &[u8]) -> Option<String> {
    let (first, rest) = data.split_first()?;
    let mut text = String::from(STARTS[usize::from(*first) % STARTS.len()]);
    for b in rest {
        text.push_str(FRAGMENTS[usize::from(*b) % FRAGMENTS.len()]);
        text.push(' ');
    }
    Some(text)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(difference) = guardrails_core::fuzzing::fastparse_agrees(text) {
            panic!("fast parser disagrees with sqlparser: {difference}");
        }
    }
    if let Some(text) = from_choices(data) {
        if let Err(difference) = guardrails_core::fuzzing::fastparse_agrees(&text) {
            panic!("fast parser disagrees with sqlparser: {difference}");
        }
    }
});
