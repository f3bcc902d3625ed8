#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use super::{agrees_with_sqlparser, lex_plain};
use crate::action::Dialect;
use crate::testrng::Rng;

const DIALECTS: [Dialect; 7] = Dialect::ALL;

/// Whether the fast lexer took `text` in `dialect`; panics when it disagrees with sqlparser.
fn check(text: &str, dialect: Dialect) -> bool {
    match agrees_with_sqlparser(text, dialect) {
        Ok(taken) => taken,
        Err(e) => panic!("{dialect:?}: {e}"),
    }
}

#[test]
fn typical_statements_take_the_fast_path_and_match_sqlparser() {
    let statements = [
        "SELECT id, name FROM products WHERE id = 1",
        "DROP TABLE IF EXISTS audit_log CASCADE",
        "DELETE FROM sessions WHERE id = 7 AND user_id = 9",
        "UPDATE accounts SET balance = 0 WHERE 1 = 1",
        "select o.id, o.total_cents from orders o join customers c on c.id = o.customer_id\n  where o.total_cents >= 10.50 and c.name <> 'it''s'\n  order by o.id desc limit 50;",
        "INSERT INTO events (user_id, kind) VALUES (1, 'login'), (2, 'multi\nline')",
        "SELECT count(*) FROM t WHERE a != b OR -c < +d * 2 / 4",
        "TRUNCATE TABLE orders",
        "GRANT ALL PRIVILEGES ON users TO public",
        "SELECT t.* FROM t",
        "",
        "   \n\t ",
    ];
    for s in statements {
        for d in DIALECTS {
            assert!(check(s, d), "fast path refused {s:?} in {d:?}");
        }
    }
    assert!(check(
        "SELECT id FROM t WHERE id = $1 AND b = $23",
        Dialect::Postgres
    ));
}

#[test]
fn anything_outside_the_subset_goes_to_sqlparser() {
    let refused = [
        "SELECT 1 -- comment",
        "SELECT /* c */ 1",
        "SELECT \"quoted\" FROM t",
        "SELECT `x` FROM t",
        "SELECT [x] FROM t",
        "SELECT E'a\\nb'",
        "SELECT x'AB'",
        "SELECT N'abc'",
        "SELECT 'a\\'b'",
        "SELECT 1e5",
        "SELECT 0x1F",
        "SELECT 1abc",
        "SELECT 1.",
        "SELECT .5",
        "SELECT a::int",
        "SELECT a || b",
        "SELECT a->b",
        "SELECT a->>'b'",
        "SELECT $$x$$",
        "SELECT @@version",
        "SELECT #x",
        "SELECT a % b",
        "SELECT ?",
        "SELECT 'unterminated",
        "SELECT 'café'",
        "SELECT a$b FROM t",
        "COPY t FROM STDIN;\n1\t2\n\\.\n",
        "SELECT a\r\nFROM t",
        "SELECT t._x FROM t",
        "SELECT t.1 FROM t",
        "SELECT a <=> b",
        "SELECT a=-1",
    ];
    for s in refused {
        for d in DIALECTS {
            assert!(lex_plain(s, d).is_none(), "fast path took {s:?} in {d:?}");
        }
    }
    // `$1` is a placeholder in Postgres only; elsewhere its reading differs by dialect.
    for d in DIALECTS.into_iter().filter(|d| *d != Dialect::Postgres) {
        assert!(lex_plain("SELECT $1", d).is_none(), "{d:?}");
    }
}

#[test]
fn random_fragments_agree_with_sqlparser_in_every_dialect() {
    let fragments = [
        "SELECT", "select", "FROM", "where", "Drop", "table", "copy", "e", "E", "x", "X", "n", "N",
        "b", "B", "r", "u", "U", "q", "_a", "a1", "users", "t", "id", "and", "OR", "not", "1",
        "42", "1.5", "0", "007", "1.", ".5", "1e5", "0x1F", "1_000", "1L", "'a'", "'it''s'", "''",
        "'''x'''", "'a\nb'", "'x\\'y'", "'open", "'\n'", "(", ")", ",", ";", ".", "=", "<", ">",
        "<=", ">=", "<>", "!=", "!", "+", "-", "*", "/", "%", "::", "||", "->", "--", "/*", "*/",
        "//", "#", "@", "?", "$1", "$$", "$a", "$", "[", "]", "\"", "`", "&", "|", "^", "~", ":",
        "\\", "é", "\r\n",
    ];
    let gaps = ["", " ", " ", " ", "\n", "\t", "  "];
    let mut rng = Rng::new(1);
    let mut taken = 0usize;
    let mut total = 0usize;
    for _ in 0..6000 {
        let n = 1 + rng.next() % 10;
        let mut text = String::new();
        for _ in 0..n {
            let fragment: &&str = rng.pick(&fragments);
            text.push_str(fragment);
            let gap: &&str = rng.pick(&gaps);
            text.push_str(gap);
        }
        for d in DIALECTS {
            total += 1;
            if check(&text, d) {
                taken += 1;
            }
        }
    }
    // The generator must exercise the fast path, not only the refusals.
    assert!(taken > total / 20, "fast path took only {taken} of {total}");
}

#[test]
fn keyword_lookup_is_sqlparsers_for_every_keyword_in_any_case() {
    use sqlparser::keywords::ALL_KEYWORDS;
    use sqlparser::tokenizer::Token;
    let sqlparsers = |w: &str| match Token::make_word(w, None) {
        Token::Word(w) => w.keyword,
        other => panic!("{other:?}"),
    };
    for k in ALL_KEYWORDS {
        let lower = k.to_ascii_lowercase();
        let mixed: String = k
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_lowercase()
                } else {
                    c
                }
            })
            .collect();
        for w in [k.to_string(), lower, mixed] {
            assert_eq!(super::keyword(&w), sqlparsers(&w), "{w}");
        }
    }
    for w in [
        "users",
        "id",
        "selectx",
        "_",
        "a1",
        "x_y_z",
        "drop_table",
        "",
    ] {
        assert_eq!(super::keyword(w), sqlparsers(w), "{w}");
    }
}

#[test]
fn executable_comment_marker_inside_a_string_goes_to_sqlparser() {
    // sqlparser's path finds `/*!` by searching the text (MySQL, Generic), so it reports an
    // executable comment even inside a string; the fast path would report none.
    let texts = [
        "SELECT '/*!'",
        "SELECT '/*! DROP TABLE t */'",
        "SELECT '/*!', 1; DROP TABLE x; SELECT '*/'",
    ];
    for s in texts {
        for d in DIALECTS {
            assert!(lex_plain(s, d).is_none(), "fast path took {s:?} in {d:?}");
            check(s, d);
        }
    }
    // A `/*` or `*/` without the `!` stays plain.
    for d in DIALECTS {
        assert!(check("SELECT '/* x */'", d), "{d:?}");
    }
}

#[test]
fn prefixes_periods_and_strings_at_the_edges_of_the_subset_agree() {
    let texts = [
        "SELECT t.e5 FROM t",
        "SELECT 1 .e5",
        "SELECT .x",
        "SELECT 'a'.x, $1.x",
        "SELECT t.x, t.b, t.r, t.n, t.q, t.u, t.e, t.nq FROM t",
        "SELECT x 'ab', b 'c', n 'd', e 'f', r 'g', q 'h', u 'i', nq 'j'",
        "SELECT 'a\u{0}b\u{b}c\u{c}\t'",
        "SELECT 'a\nb' , 'c\n\nd'\n, x",
        "SELECT '', '''', 'a''', '''a'",
        "SELECT ($1), -.x, (-1), a=b, 'a'='b'",
        "SELECT 0, 0.5, 00.1, 10.01, _utf8",
        "SELECT a<b, a>b, a<=b, a>=b, a<>b, a!=b, - 1",
        "stdin from copyx; SELECT 1;",
        "SELECT 1 FROM t WHERE x = '--' AND y = '/*' AND z = '#' AND w = '$$'",
    ];
    for s in texts {
        for d in DIALECTS {
            check(s, d);
        }
    }
}
