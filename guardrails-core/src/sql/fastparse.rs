//! A parser for the commonest statement shapes that builds exactly the tree sqlparser would, or
//! gives up.
//!
//! sqlparser's parse is about half of evaluating a short `SELECT`, `INSERT`, `UPDATE` or `DELETE`:
//! every word in an expression is first tried as a data type (for a typed literal such as
//! `DATE '…'`), tokens are cloned as they are peeked, and failed speculations are memoised in hash
//! maps. Most statements an agent or an application sends are simpler than what that machinery is
//! for: one table, plain columns, literals, placeholders, comparisons joined by `AND`/`OR`.
//!
//! The rule that keeps this safe, as for the fast lexer: anything outside the subset below — a
//! `CASE`, a cast, a `UNION`, a keyword where a name is expected (other than the few in
//! [`words::IDENT_KEYWORDS`] and [`words::FUNCTION_KEYWORDS`]), an implicit column alias, an
//! operator it does not know, a name with a dialect rule of its own ([`words::plain_name`]) —
//! makes [`parse`] answer `None`, and the caller runs sqlparser. Inside the subset, the tree is
//! the one sqlparser builds for the same tokens in the same dialect (equal by sqlparser's `==`,
//! which ignores spans): a differential test runs both over generated statements in every
//! dialect, and the `sql_fastparse` fuzz target compares them on arbitrary input.
//!
//! The subset:
//! - queries: `[WITH name AS (query), …] SELECT [DISTINCT] items [FROM tables] [WHERE e]
//!   [GROUP BY e, …] [HAVING e] [ORDER BY e [ASC|DESC], …] [LIMIT e [OFFSET e]]`, where an item
//!   is `*` or `e [AS alias]` and a table is a name with an optional alias followed by
//!   `[INNER|LEFT|RIGHT|FULL [OUTER]] JOIN table ON e` (see [`query`]);
//! - `INSERT INTO table [(columns)] VALUES (e, …), …`;
//! - `UPDATE table SET column = e, … [WHERE e]`;
//! - `DELETE FROM table [WHERE e]`;
//! - `DROP TABLE [IF EXISTS] name, … [CASCADE | RESTRICT]` and `TRUNCATE [TABLE] name, …`;
//! - expressions of identifiers (`a`, `t.a`), numbers, `'…'` strings, placeholders, `NULL`,
//!   `TRUE`/`FALSE`, calls `f(e, …)`, `f(DISTINCT e)` and `count(*)`, `( e )`, tuples,
//!   subqueries, `[NOT] EXISTS`, `NOT`, unary `-`/`+`, `IS [NOT] NULL`, `[NOT] IN (…)`,
//!   `[NOT] BETWEEN`, `[NOT] LIKE`/`ILIKE`, `INTERVAL '…'` without a unit, comparisons,
//!   `+ - * / %`, `AND`, `OR` (see [`expr`]);
//!
//! each followed by nothing but `;`s. A look over the tokens first ([`words::may_appear`])
//! leaves a statement with any token the subset never takes to sqlparser before any tree is
//! built.

/// `Box::new(value)` with the allocation made before the value is built, so that the value is
/// written in place: a `Box::new` of a `SetExpr` (3.4 KiB, though the variant holds a pointer)
/// or a `Select` built it on the stack and copied it (0.7 K instructions of a short select).
macro_rules! boxed {
    ($value:expr) => {
        Box::write(Box::new_uninit(), $value)
    };
}

mod expr;
mod query;
mod words;

use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    Assignment, AssignmentTarget, Delete, FromTable, Ident, Insert, ObjectName, ObjectNamePart,
    ObjectType, Parens, SetExpr, Statement, TableAlias, TableObject, Truncate, TruncateTableTarget,
    Update, Values,
};
use sqlparser::dialect::Dialect as SqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::lex::{parser_dialect, Tok};
use crate::action::Dialect;

/// Parses one statement's tokens (trailing `;`s allowed) when it is in the subset; `None`
/// otherwise, and then only sqlparser's answer counts.
pub(crate) fn parse(toks: &[Tok], dialect: Dialect) -> Option<Statement> {
    if !toks.iter().all(|t| words::may_appear(&t.token)) {
        return None;
    }
    let mut p = Parser {
        toks,
        at: 0,
        dialect,
        d: parser_dialect(dialect),
        depth: 0,
    };
    // Each statement checks that nothing follows before it builds its tree, so that the tree
    // (3.4 KiB) is built once, in the caller's slot, and never moved.
    match p.keyword()? {
        Keyword::SELECT | Keyword::WITH => p.query(true).map(Statement::Query),
        Keyword::INSERT => p.insert(),
        Keyword::UPDATE => p.update(),
        Keyword::DELETE => p.delete(),
        Keyword::DROP => p.drop(),
        Keyword::TRUNCATE => p.truncate(),
        _ => None,
    }
}

/// The cursor over one statement's tokens.
struct Parser<'a> {
    toks: &'a [Tok],
    at: usize,
    dialect: Dialect,
    d: &'static dyn SqlDialect,
    /// Parentheses, calls, subqueries and unary operators open around the current expression.
    depth: u8,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.at).map(|t| &t.token)
    }

    fn peek_nth(&self, n: usize) -> Option<&'a Token> {
        self.toks.get(self.at + n).map(|t| &t.token)
    }

    /// The current token, and the cursor moves past it.
    fn bump(&mut self) -> Option<&'a Token> {
        let t = self.peek()?;
        self.at += 1;
        Some(t)
    }

    fn eat(&mut self, token: &Token) -> bool {
        let hit = self.peek() == Some(token);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn expect(&mut self, token: &Token) -> Option<()> {
        self.eat(token).then_some(())
    }

    /// The keyword of the current token when it is a word (`NoKeyword` for other words).
    fn keyword(&self) -> Option<Keyword> {
        match self.peek()? {
            Token::Word(w) => Some(w.keyword),
            _ => None,
        }
    }

    fn eat_keyword(&mut self, kw: Keyword) -> bool {
        let hit = self.keyword() == Some(kw);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn expect_keyword(&mut self, kw: Keyword) -> Option<()> {
        self.eat_keyword(kw).then_some(())
    }

    /// Only `;`s up to the end.
    fn finish(&mut self) -> Option<()> {
        while self.eat(&Token::SemiColon) {}
        self.peek().is_none().then_some(())
    }

    /// The current token, kept as the tree keeps statement keywords.
    fn attached(&mut self) -> Option<AttachedToken> {
        let t = self.bump()?;
        Some(AttachedToken(TokenWithSpan::wrap(t.clone())))
    }

    /// An identifier: a quoted word, or a word that no dialect reads as anything else here.
    fn ident(&mut self) -> Option<Ident> {
        match self.peek()? {
            Token::Word(w) if words::is_identifier(w, self.dialect) => {
                self.at += 1;
                Some(words::ident(w))
            }
            _ => None,
        }
    }

    /// A one-part column name (an `INSERT` column, an `UPDATE` target), which sqlparser reads
    /// as an object name.
    fn column_name(&mut self) -> Option<ObjectName> {
        let parts = vec![ObjectNamePart::Identifier(self.ident()?)];
        words::plain_name(&parts, self.dialect).then_some(ObjectName(parts))
    }

    /// `a` or `a.b.c`, as a table or column name.
    fn object_name(&mut self) -> Option<ObjectName> {
        let mut parts = vec![ObjectNamePart::Identifier(self.ident()?)];
        while self.eat(&Token::Period) {
            parts.push(ObjectNamePart::Identifier(self.ident()?));
        }
        words::plain_name(&parts, self.dialect).then_some(ObjectName(parts))
    }

    fn insert(&mut self) -> Option<Statement> {
        let insert_token = self.attached()?;
        self.expect_keyword(Keyword::INTO)?;
        let table = self.object_name()?;
        let mut columns = vec![];
        if self.eat(&Token::LParen) {
            loop {
                columns.push(self.column_name()?);
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen)?;
        }
        self.expect_keyword(Keyword::VALUES)?;
        let mut rows = vec![];
        loop {
            if self.peek() != Some(&Token::LParen) {
                return None;
            }
            let opening_token = self.attached()?;
            let mut row = vec![];
            loop {
                row.push(self.expr(self.d.prec_unknown())?);
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            if self.peek() != Some(&Token::RParen) {
                return None;
            }
            let closing_token = self.attached()?;
            rows.push(Parens {
                opening_token,
                content: row,
                closing_token,
            });
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.finish()?;
        let values = Values {
            explicit_row: false,
            value_keyword: false,
            rows,
        };
        Some(Statement::Insert(Insert {
            insert_token,
            optimizer_hints: vec![],
            or: None,
            ignore: false,
            into: true,
            table: TableObject::TableName(table),
            table_alias: None,
            columns,
            after_columns: vec![],
            by_name: false,
            overwrite: false,
            source: Some(query::query(
                None,
                boxed!(SetExpr::Values(values)),
                None,
                None,
            )),
            assignments: vec![],
            partitioned: None,
            overriding: None,
            has_table_keyword: false,
            on: None,
            returning: None,
            output: None,
            replace_into: false,
            priority: None,
            insert_alias: None,
            settings: None,
            format_clause: None,
            multi_table_insert_type: None,
            multi_table_into_clauses: vec![],
            multi_table_when_clauses: vec![],
            multi_table_else_clause: None,
        }))
    }

    fn update(&mut self) -> Option<Statement> {
        let update_token = self.attached()?;
        let table = self.table_with_joins()?;
        self.expect_keyword(Keyword::SET)?;
        let mut assignments = vec![];
        loop {
            let column = self.column_name()?;
            self.expect(&Token::Eq)?;
            assignments.push(Assignment {
                target: AssignmentTarget::ColumnName(column),
                value: self.expr(self.d.prec_unknown())?,
            });
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        let selection = self.selection()?;
        self.finish()?;
        Some(Statement::Update(Update {
            update_token,
            optimizer_hints: vec![],
            table,
            on_cluster: None,
            assignments,
            from: None,
            selection,
            returning: None,
            output: None,
            or: None,
            order_by: vec![],
            limit: None,
            settings: None,
        }))
    }

    fn delete(&mut self) -> Option<Statement> {
        let delete_token = self.attached()?;
        self.expect_keyword(Keyword::FROM)?;
        let table = self.table_with_joins()?;
        let selection = self.selection()?;
        self.finish()?;
        Some(Statement::Delete(Delete {
            delete_token,
            optimizer_hints: vec![],
            tables: vec![],
            from: FromTable::WithFromKeyword(vec![table]),
            on_cluster: None,
            using: None,
            selection,
            returning: None,
            output: None,
            order_by: vec![],
            limit: None,
            settings: None,
        }))
    }

    /// The names of `DROP TABLE` or `TRUNCATE`, comma-separated.
    fn names(&mut self) -> Option<Vec<ObjectName>> {
        let mut names = vec![];
        loop {
            names.push(self.object_name()?);
            if !self.eat(&Token::Comma) {
                return Some(names);
            }
        }
    }

    /// `DROP TABLE [IF EXISTS] name, … [CASCADE | RESTRICT]`.
    fn drop(&mut self) -> Option<Statement> {
        self.at += 1;
        self.expect_keyword(Keyword::TABLE)?;
        let if_exists = self.eat_keyword(Keyword::IF);
        if if_exists {
            self.expect_keyword(Keyword::EXISTS)?;
        }
        let names = self.names()?;
        let cascade = self.eat_keyword(Keyword::CASCADE);
        let restrict = !cascade && self.eat_keyword(Keyword::RESTRICT);
        self.finish()?;
        Some(Statement::Drop {
            object_type: ObjectType::Table,
            if_exists,
            names,
            cascade,
            restrict,
            purge: false,
            temporary: false,
            table: None,
        })
    }

    /// `TRUNCATE [TABLE] name, …`.
    fn truncate(&mut self) -> Option<Statement> {
        self.at += 1;
        let table = self.eat_keyword(Keyword::TABLE);
        let table_names = self
            .names()?
            .into_iter()
            .map(|name| TruncateTableTarget {
                name,
                only: false,
                has_asterisk: false,
            })
            .collect();
        self.finish()?;
        Some(Statement::Truncate(Truncate {
            table_names,
            partitions: None,
            table,
            if_exists: false,
            identity: None,
            cascade: None,
            on_cluster: None,
        }))
    }
}

fn table_alias(explicit: bool, name: Ident) -> TableAlias {
    TableAlias {
        explicit,
        name,
        columns: vec![],
        at: None,
    }
}

/// Runs the fast parser and sqlparser on every statement of `text` in `dialect`: how many
/// statements the fast parser took, or the first statement where the trees differ (or where it
/// took what sqlparser rejects).
pub(crate) fn agrees_with_sqlparser(text: &str, dialect: Dialect) -> Result<usize, String> {
    let Ok(lexed) = super::lex::lex(text, dialect) else {
        return Ok(0);
    };
    let go = super::split::go_separates(dialect);
    let mut taken = 0;
    for piece in super::split::split(&lexed.toks, text, go) {
        let toks = lexed.toks.get(piece.start..piece.end).unwrap_or_default();
        let Some(fast) = parse(toks, dialect) else {
            continue;
        };
        taken += 1;
        let shown = || {
            let (Some(a), Some(b)) = (toks.first(), toks.last()) else {
                return String::new();
            };
            text.get(a.span.0..b.span.1).unwrap_or_default().to_owned()
        };
        match super::parse::parse_one(super::parse::parser_tokens(toks), dialect) {
            Ok(slow) if *slow == fast => {}
            Ok(slow) => {
                return Err(format!(
                    "{dialect:?} `{}`: fast {fast:?}\nsqlparser {slow:?}",
                    shown()
                ))
            }
            Err(e) => {
                return Err(format!(
                    "{dialect:?} `{}`: the fast parser took it, sqlparser fails: {e}",
                    shown()
                ))
            }
        }
    }
    Ok(taken)
}

#[cfg(test)]
mod tests;
