//! Queries of the subset: `[WITH name AS (query), …] SELECT [DISTINCT] items [FROM tables]
//! [WHERE e] [GROUP BY e, …] [HAVING e] [ORDER BY …] [LIMIT e [OFFSET e]]`, where a table is a
//! name with an optional alias followed by `[INNER|LEFT|RIGHT|FULL [OUTER]] JOIN … ON e`.

use sqlparser::ast::{
    BinaryOperator, Cte, Distinct, Expr, GroupByExpr, Join, JoinConstraint, JoinOperator,
    LimitClause, ObjectName, Offset, OffsetRows, OrderBy, OrderByExpr, OrderByKind, OrderByOptions,
    OrderBySort, Query, Select, SelectFlavor, SelectItem, SetExpr, TableAlias, TableFactor,
    TableWithJoins, WildcardAdditionalOptions, With,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::{words, Parser};
use crate::action::Dialect;

impl Parser<'_> {
    /// A whole query; at the top (`top`), nothing but `;`s may follow, checked before the tree
    /// is built so that it is built once.
    pub(super) fn query(&mut self, top: bool) -> Option<Box<Query>> {
        let with = if self.keyword() == Some(Keyword::WITH) {
            Some(self.with()?)
        } else {
            None
        };
        if self.keyword() != Some(Keyword::SELECT) {
            return None;
        }
        let select = self.select()?;
        let order_by = self.order_by()?;
        let limit_clause = self.limit()?;
        if top {
            self.finish()?;
        }
        Some(query(
            with,
            boxed!(SetExpr::Select(select)),
            order_by,
            limit_clause,
        ))
    }

    /// `WITH name AS (query), …`; no `RECURSIVE`, column list or `MATERIALIZED`.
    fn with(&mut self) -> Option<With> {
        let with_token = self.attached()?;
        let mut cte_tables = vec![];
        loop {
            let name = self.ident()?;
            self.expect_keyword(Keyword::AS)?;
            self.expect(&Token::LParen)?;
            let query = self.nested(|p| p.query(false))?;
            if self.peek() != Some(&Token::RParen) {
                return None;
            }
            let closing_paren_token = self.attached()?;
            cte_tables.push(Cte {
                alias: super::table_alias(false, name),
                query,
                from: None,
                materialized: None,
                closing_paren_token,
            });
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        Some(With {
            with_token,
            recursive: false,
            cte_tables,
        })
    }

    fn select(&mut self) -> Option<Box<Select>> {
        let select_token = self.attached()?;
        let distinct = if self.eat_keyword(Keyword::DISTINCT) {
            // MySQL reads `DISTINCT` among its select modifiers; `DISTINCT ON (…)` is Postgres'.
            if self.d.supports_select_modifiers() || self.keyword() == Some(Keyword::ON) {
                return None;
            }
            Some(Distinct::Distinct)
        } else {
            None
        };
        let mut projection = vec![];
        loop {
            projection.push(self.select_item()?);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        let mut from = vec![];
        if self.eat_keyword(Keyword::FROM) {
            loop {
                from.push(self.table_with_joins()?);
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
        }
        let selection = self.selection()?;
        let group_by = if self.eat_keyword(Keyword::GROUP) {
            self.expect_keyword(Keyword::BY)?;
            let mut exprs = vec![];
            loop {
                exprs.push(self.expr(self.d.prec_unknown())?);
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            GroupByExpr::Expressions(exprs, vec![])
        } else {
            GroupByExpr::Expressions(vec![], vec![])
        };
        let having = if self.eat_keyword(Keyword::HAVING) {
            Some(self.expr(self.d.prec_unknown())?)
        } else {
            None
        };
        Some(boxed!(Select {
            select_token,
            optimizer_hints: vec![],
            distinct,
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
            group_by,
            cluster_by: vec![],
            distribute_by: vec![],
            sort_by: vec![],
            having,
            named_window: vec![],
            qualify: None,
            window_before_qualify: false,
            value_table_mode: None,
            flavor: SelectFlavor::Standard,
        }))
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
        let expr = self.expr(self.d.prec_unknown())?;
        // T-SQL reads `SELECT a = b` as an alias assignment (and then rejects an `AS` after it).
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
        if self.eat_keyword(Keyword::AS) {
            let alias = self.ident()?;
            return Some(SelectItem::ExprWithAlias { expr, alias });
        }
        match self.peek() {
            None | Some(Token::Comma | Token::SemiColon | Token::RParen) => {
                Some(SelectItem::UnnamedExpr(expr))
            }
            Some(Token::Word(w)) if w.keyword == Keyword::FROM => {
                Some(SelectItem::UnnamedExpr(expr))
            }
            _ => None,
        }
    }

    /// A table with its joins: each join needs its `ON`.
    pub(super) fn table_with_joins(&mut self) -> Option<TableWithJoins> {
        // The name and alias are read first and the table (1.3 KiB) built only where it is
        // stored, not returned and moved.
        let (name, alias) = self.table()?;
        let mut joins = vec![];
        loop {
            let operator: fn(JoinConstraint) -> JoinOperator = match self.keyword() {
                Some(Keyword::JOIN) => JoinOperator::Join,
                Some(Keyword::INNER) => {
                    self.at += 1;
                    JoinOperator::Inner
                }
                Some(k @ (Keyword::LEFT | Keyword::RIGHT)) => {
                    self.at += 1;
                    let outer = self.eat_keyword(Keyword::OUTER);
                    match (k == Keyword::LEFT, outer) {
                        (true, false) => JoinOperator::Left,
                        (true, true) => JoinOperator::LeftOuter,
                        (false, false) => JoinOperator::Right,
                        (false, true) => JoinOperator::RightOuter,
                    }
                }
                Some(Keyword::FULL) => {
                    self.at += 1;
                    self.eat_keyword(Keyword::OUTER);
                    JoinOperator::FullOuter
                }
                _ => break,
            };
            self.expect_keyword(Keyword::JOIN)?;
            let (name, alias) = self.table()?;
            self.expect_keyword(Keyword::ON)?;
            let on = self.expr(self.d.prec_unknown())?;
            joins.push(Join {
                relation: table(name, alias),
                global: false,
                join_operator: operator(JoinConstraint::On(on)),
            });
        }
        Some(TableWithJoins {
            relation: table(name, alias),
            joins,
        })
    }

    /// A table's name and optional alias.
    fn table(&mut self) -> Option<(ObjectName, Option<TableAlias>)> {
        let name = self.object_name()?;
        // Snowflake reads `LIMIT` (and `OFFSET`) after a table as its alias unless a literal
        // count follows.
        if self.dialect == Dialect::Snowflake
            && matches!(self.keyword(), Some(Keyword::LIMIT | Keyword::OFFSET))
            && !words::is_limit_option(self.peek_nth(1))
        {
            return None;
        }
        let alias = if self.eat_keyword(Keyword::AS) {
            Some(super::table_alias(true, self.ident()?))
        } else {
            match self.peek() {
                Some(Token::Word(w)) if words::is_implicit_alias(w) => {
                    self.at += 1;
                    Some(super::table_alias(false, words::ident(w)))
                }
                _ => None,
            }
        };
        Some((name, alias))
    }

    /// `WHERE e`, when there.
    pub(super) fn selection(&mut self) -> Option<Option<Expr>> {
        if self.eat_keyword(Keyword::WHERE) {
            Some(Some(self.expr(self.d.prec_unknown())?))
        } else {
            Some(None)
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
            let expr = self.expr(self.d.prec_unknown())?;
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

    /// `LIMIT e [OFFSET e]`, when there.
    fn limit(&mut self) -> Option<Option<LimitClause>> {
        if !self.eat_keyword(Keyword::LIMIT) {
            return Some(None);
        }
        let limit = self.expr(self.d.prec_unknown())?;
        let offset = if self.eat_keyword(Keyword::OFFSET) {
            Some(Offset {
                value: self.expr(self.d.prec_unknown())?,
                rows: OffsetRows::None,
            })
        } else {
            None
        };
        Some(Some(LimitClause::LimitOffset {
            limit: Some(limit),
            offset,
            limit_by: vec![],
        }))
    }
}

/// The table factor of a plain table name.
fn table(name: ObjectName, alias: Option<TableAlias>) -> TableFactor {
    TableFactor::Table {
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
    }
}

/// A query around `body` with none of the clauses the subset leaves out.
pub(super) fn query(
    with: Option<With>,
    body: Box<SetExpr>,
    order_by: Option<OrderBy>,
    limit_clause: Option<LimitClause>,
) -> Box<Query> {
    boxed!(Query {
        with,
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
