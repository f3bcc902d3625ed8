//! A parser for the commonest statement shapes that builds exactly the tree sqlparser would, or
//! gives up.
//!
//! sqlparser's parse is about half of evaluating a short `SELECT`, `INSERT`, `UPDATE` or `DELETE`:
//! every word in an expression is first tried as a data type (for a typed literal such as
//! `DATE '…'`), tokens are cloned as they are peeked, and failed speculations are memoised in hash
//! maps. Most statements an agent or an application sends are simpler than what that machinery is
//! for: one table, plain columns, literals, placeholders, comparisons joined by `AND`/`OR`.
//!
//! The rule that keeps this safe, as for the fast lexer: anything outside that subset — a join, a
//! subquery, a `CASE`, a cast, a keyword where an identifier is expected (other than the few in
//! [`words::IDENT_KEYWORDS`]), an implicit column alias, an operator it does not know — makes
//! [`parse`] answer `None`, and the caller runs sqlparser. Inside the subset, the tree is the one
//! sqlparser builds for the same tokens in the same dialect: a differential test runs both over
//! the corpora in every dialect, and the `sql_fastparse` fuzz target compares them on arbitrary
//! input.
//!
//! The subset:
//! - `SELECT items [FROM table [[AS] alias]] [WHERE e] [ORDER BY e [ASC|DESC], …] [LIMIT e]`,
//!   where an item is `*` or `e [AS alias]`;
//! - `INSERT INTO table [(columns)] VALUES (e, …), …`;
//! - `UPDATE table SET column = e, … [WHERE e]`;
//! - `DELETE FROM table [WHERE e]`;
//! - expressions of identifiers (`a`, `t.a`), numbers, `'…'` strings, placeholders, `NULL`,
//!   `TRUE`/`FALSE`, calls `f(e, …)` and `count(*)`, `( e )`, `IS [NOT] NULL`, comparisons,
//!   `+ - * / %`, `AND`, `OR`;
//!
//! each followed by nothing but `;`s.

mod expr;
mod words;

use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    Assignment, AssignmentTarget, BinaryOperator, Delete, Expr, FromTable, GroupByExpr, Ident,
    Insert, LimitClause, ObjectName, ObjectNamePart, OrderBy, OrderByExpr, OrderByKind,
    OrderByOptions, OrderBySort, Parens, Query, Select, SelectFlavor, SelectItem, SetExpr,
    Statement, TableAlias, TableFactor, TableObject, TableWithJoins, Update, Values,
    WildcardAdditionalOptions,
};
use sqlparser::dialect::Dialect as SqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::lex::{parser_dialect, Tok};
use crate::action::Dialect;

/// Parses one statement's tokens (trailing `;`s allowed) when it is in the subset; `None`
/// otherwise, and then only sqlparser's answer counts.
pub(crate) fn parse(toks: &[Tok], dialect: Dialect) -> Option<Statement> {
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
        Keyword::SELECT => p.select().map(Statement::Query),
        Keyword::INSERT => p.insert(),
        Keyword::UPDATE => p.update(),
        Keyword::DELETE => p.delete(),
        _ => None,
    }
}

/// The cursor over one statement's tokens.
struct Parser<'a> {
    toks: &'a [Tok],
    at: usize,
    dialect: Dialect,
    d: &'static dyn SqlDialect,
    /// Parentheses and calls open around the current expression.
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

    /// `a` or `a.b.c`, as a table or column name.
    fn object_name(&mut self) -> Option<ObjectName> {
        let mut parts = vec![ObjectNamePart::Identifier(self.ident()?)];
        while self.eat(&Token::Period) {
            parts.push(ObjectNamePart::Identifier(self.ident()?));
        }
        words::plain_name(&parts, self.dialect).then_some(ObjectName(parts))
    }

    /// A table name with an optional alias, no joins.
    fn table(&mut self) -> Option<TableWithJoins> {
        let name = self.object_name()?;
        let alias = if self.eat_keyword(Keyword::AS) {
            Some(table_alias(true, self.ident()?))
        } else {
            match self.peek() {
                Some(Token::Word(w)) if words::is_implicit_alias(w) => {
                    self.at += 1;
                    Some(table_alias(false, words::ident(w)))
                }
                _ => None,
            }
        };
        Some(TableWithJoins {
            relation: TableFactor::Table {
                name,
                alias,
                args: None,
                with_hints: vec![],
                version: None,
                with_ordinality: false,
                partitions: vec![],
                json_path: None,
                sample: None,
                index_directives: vec![],
                inheritance: None,
            },
            joins: vec![],
        })
    }

    /// `WHERE e`, when there.
    fn selection(&mut self) -> Option<Option<Expr>> {
        if self.eat_keyword(Keyword::WHERE) {
            Some(Some(self.expr(0)?))
        } else {
            Some(None)
        }
    }

    fn select(&mut self) -> Option<Box<Query>> {
        let select_token = self.attached()?;
        let mut projection = vec![];
        loop {
            projection.push(self.select_item()?);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        let from = if self.eat_keyword(Keyword::FROM) {
            vec![self.table()?]
        } else {
            vec![]
        };
        let selection = self.selection()?;
        let order_by = self.order_by()?;
        let limit_clause = if self.eat_keyword(Keyword::LIMIT) {
            Some(LimitClause::LimitOffset {
                limit: Some(self.expr(0)?),
                offset: None,
                limit_by: vec![],
            })
        } else {
            None
        };
        self.finish()?;
        let select = Select {
            select_token,
            optimizer_hints: vec![],
            distinct: None,
            select_modifiers: None,
            top: None,
            top_before_distinct: false,
            projection,
            exclude: None,
            into: None,
            from,
            lateral_views: vec![],
            prewhere: None,
            selection,
            connect_by: vec![],
            group_by: GroupByExpr::Expressions(vec![], vec![]),
            cluster_by: vec![],
            distribute_by: vec![],
            sort_by: vec![],
            having: None,
            named_window: vec![],
            qualify: None,
            window_before_qualify: false,
            value_table_mode: None,
            flavor: SelectFlavor::Standard,
        };
        Some(query(
            Box::new(SetExpr::Select(Box::new(select))),
            order_by,
            limit_clause,
        ))
    }

    /// `*`, `e` or `e AS alias`; an implicit alias (`e alias`) is left to sqlparser.
    fn select_item(&mut self) -> Option<SelectItem> {
        if self.peek() == Some(&Token::Mul) {
            let wildcard_token = self.attached()?;
            return Some(SelectItem::Wildcard(WildcardAdditionalOptions {
                wildcard_token,
                ..WildcardAdditionalOptions::default()
            }));
        }
        let expr = self.expr(0)?;
        if self.eat_keyword(Keyword::AS) {
            let alias = self.ident()?;
            return Some(SelectItem::ExprWithAlias { expr, alias });
        }
        // T-SQL reads `SELECT a = b` as an alias assignment.
        if let Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            ..
        } = &expr
        {
            if self.d.supports_eq_alias_assignment() && matches!(**left, Expr::Identifier(_)) {
                return None;
            }
        }
        match self.peek() {
            None | Some(Token::Comma | Token::SemiColon) => Some(SelectItem::UnnamedExpr(expr)),
            Some(Token::Word(w)) if w.keyword == Keyword::FROM => {
                Some(SelectItem::UnnamedExpr(expr))
            }
            _ => None,
        }
    }

    /// `ORDER BY e [ASC|DESC], …`, when there.
    fn order_by(&mut self) -> Option<Option<OrderBy>> {
        if !self.eat_keyword(Keyword::ORDER) {
            return Some(None);
        }
        self.expect_keyword(Keyword::BY)?;
        let mut exprs = vec![];
        loop {
            let expr = self.expr(0)?;
            let sort = if self.eat_keyword(Keyword::ASC) {
                Some(OrderBySort::Asc)
            } else if self.eat_keyword(Keyword::DESC) {
                Some(OrderBySort::Desc)
            } else {
                None
            };
            exprs.push(OrderByExpr {
                expr,
                options: OrderByOptions {
                    sort,
                    nulls_first: None,
                },
                with_fill: None,
            });
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        Some(Some(OrderBy {
            kind: OrderByKind::Expressions(exprs),
            interpolate: None,
        }))
    }

    fn insert(&mut self) -> Option<Statement> {
        let insert_token = self.attached()?;
        self.expect_keyword(Keyword::INTO)?;
        let table = self.object_name()?;
        let mut columns = vec![];
        if self.eat(&Token::LParen) {
            loop {
                columns.push(ObjectName(vec![ObjectNamePart::Identifier(self.ident()?)]));
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen)?;
        }
        self.expect_keyword(Keyword::VALUES)?;
        let mut rows = vec![];
        loop {
            let opening_token = self.attached()?;
            if opening_token.0.token != Token::LParen {
                return None;
            }
            let mut row = vec![];
            loop {
                row.push(self.expr(0)?);
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
            source: Some(query(Box::new(SetExpr::Values(values)), None, None)),
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
        let table = self.table()?;
        self.expect_keyword(Keyword::SET)?;
        let mut assignments = vec![];
        loop {
            let column = ObjectName(vec![ObjectNamePart::Identifier(self.ident()?)]);
            self.expect(&Token::Eq)?;
            assignments.push(Assignment {
                target: AssignmentTarget::ColumnName(column),
                value: self.expr(0)?,
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
        let table = self.table()?;
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
}

fn table_alias(explicit: bool, name: Ident) -> TableAlias {
    TableAlias {
        explicit,
        name,
        columns: vec![],
        at: None,
    }
}

/// A query around `body` with none of the clauses the subset leaves out.
fn query(
    body: Box<SetExpr>,
    order_by: Option<OrderBy>,
    limit_clause: Option<LimitClause>,
) -> Box<Query> {
    Box::new(Query {
        with: None,
        body,
        order_by,
        limit_clause,
        fetch: None,
        locks: vec![],
        for_clause: None,
        settings: None,
        format_clause: None,
        pipe_operators: vec![],
    })
}

/// Runs the fast parser and sqlparser on every statement of `text` in `dialect`: how many
/// statements the fast parser took, or the first statement where the trees differ (or where it
/// took what sqlparser rejects).
pub(crate) fn agrees_with_sqlparser(text: &str, dialect: Dialect) -> Result<usize, String> {
    let Ok(lexed) = super::lex::lex(text, dialect) else {
        return Ok(0);
    };
    let go = matches!(dialect, Dialect::Mssql | Dialect::Generic);
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
