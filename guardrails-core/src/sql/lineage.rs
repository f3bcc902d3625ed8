//! Column lineage of queries: which source columns each output column derives from, and which
//! columns are used in predicates, grouping, ordering and aggregates. Feeds masking.
//!
//! Names are resolved through table aliases, derived tables, CTEs (with column lists), set
//! operations (position by position) and correlated subqueries. A column that cannot be pinned
//! to one table is attributed to every table in scope: masking errs on the side of masking.
//! `SELECT *` of a base table stays a wildcard output naming the table; the masking plan expands
//! it through the catalogue. Views are base tables here; the catalogue maps their columns.

mod exprs;

use sqlparser::ast::{
    Expr, GroupByExpr, ObjectName, OrderByKind, Query, Select, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, TableFactor, TableWithJoins,
};

use std::borrow::Cow;
use std::rc::Rc;

use super::names::lower;
use crate::intent::{ColumnUse, OutputColumn, StatementIntent};
use exprs::func_name;

/// Nesting of queries and expressions followed; deeper parts add no lineage.
const MAX_DEPTH: usize = 128;

/// Records the outputs and column uses of `q` in `intent`.
pub(crate) fn trace(q: &Query, intent: &mut StatementIntent) {
    let mut t = Tracer::default();
    let cols = t.query(q, &[]);
    intent.outputs = cols
        .into_iter()
        .enumerate()
        .map(|(position, c)| {
            let mut sources = c.sources;
            sources.sort();
            sources.dedup();
            OutputColumn {
                name: c.name,
                position,
                sources,
                wildcard: c.wildcard,
            }
        })
        .collect();
    intent.column_uses = t.uses;
}

/// A column of a relation or a query's result.
#[derive(Clone, Debug, Default)]
struct Col {
    name: String,
    /// `table.column` sources; for a wildcard, the tables.
    sources: Vec<String>,
    wildcard: bool,
}

#[derive(Clone, Debug)]
enum RelKind<'q> {
    /// A base table or view, lower-case full name.
    Table(Cow<'q, str>),
    /// A derived table or CTE with known columns.
    Derived {
        /// The CTE's lower-case name; none for a derived table.
        name: Option<Cow<'q, str>>,
        /// Shared with the CTE's definition: each reference does not copy them.
        cols: Rc<Vec<Col>>,
    },
}

#[derive(Clone, Debug)]
struct Rel<'q> {
    /// The lower-case alias it is given, if any.
    alias: Option<String>,
    kind: RelKind<'q>,
}

impl Rel<'_> {
    /// Whether the relation is known by `q` or by `ql` (the last part of `q`): its alias, its
    /// full name, or the last part of a dotted table name.
    fn known_as(&self, q: &str, ql: &str) -> bool {
        let is = |n: &str| n == q || n == ql;
        if self.alias.as_deref().is_some_and(is) {
            return true;
        }
        match &self.kind {
            RelKind::Table(t) => is(t) || (t.contains('.') && is(last(t))),
            RelKind::Derived { name, .. } => name.as_deref().is_some_and(is),
        }
    }

    /// The columns of a derived table or CTE; none for a base table.
    fn derived_cols(&self) -> Option<&[Col]> {
        match &self.kind {
            RelKind::Derived { cols, .. } => Some(cols),
            RelKind::Table(_) => None,
        }
    }
}

#[derive(Default)]
struct Tracer {
    uses: Vec<ColumnUse>,
    ctes: Vec<(String, Rc<Vec<Col>>)>,
    depth: usize,
    /// An empty list whose storage a recorded use handed back, for the next column reference.
    spare: Vec<String>,
}

/// The lower-case, dot-joined name, borrowed from the tree when it is one lower-case part.
fn name_of(n: &ObjectName) -> Cow<'_, str> {
    match super::dml::object_name_ref(n) {
        Cow::Borrowed(b) => lower(b),
        Cow::Owned(mut o) => {
            o.make_ascii_lowercase();
            Cow::Owned(o)
        }
    }
}

/// The part of a name after its last dot (the whole name without one).
fn last(n: &str) -> &str {
    super::names::split_last_dot(n).1
}

fn union(into: &mut Vec<String>, from: Vec<String>) {
    if into.is_empty() {
        // Nothing to compare with: take the whole vector (its own duplicates are harmless:
        // outputs are deduplicated and uses are recorded once).
        *into = from;
        return;
    }
    for s in from {
        push_unique(into, s);
    }
}

fn push_unique(into: &mut Vec<String>, s: String) {
    if !into.contains(&s) {
        into.push(s);
    }
}

/// Copies into `into` the strings of `from` it lacks.
fn extend_unique(into: &mut Vec<String>, from: &[String]) {
    for s in from {
        if !into.contains(s) {
            into.push(s.clone());
        }
    }
}

impl Tracer {
    fn query<'q>(&mut self, q: &'q Query, outer: &[&[Rel<'q>]]) -> Vec<Col> {
        if self.depth > MAX_DEPTH {
            return Vec::new();
        }
        self.depth += 1;
        let ctes_before = self.ctes.len();
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let mut cols = self.query(&cte.query, outer);
                for (c, alias) in cols.iter_mut().zip(&cte.alias.columns) {
                    c.name = alias.name.value.to_ascii_lowercase();
                }
                self.ctes
                    .push((cte.alias.name.value.to_ascii_lowercase(), Rc::new(cols)));
            }
        }
        let (cols, scope) = self.set_expr(&q.body, outer);
        if let Some(ob) = &q.order_by {
            if let OrderByKind::Expressions(items) = &ob.kind {
                for item in items {
                    self.record_named_or_positional(&item.expr, &cols, &scope, outer, "order-by");
                }
            }
        }
        self.ctes.truncate(ctes_before);
        self.depth -= 1;
        cols
    }

    /// Records as `usage` the sources of a GROUP BY / ORDER BY item: an output alias, an
    /// output position, or an expression over the FROM scope.
    fn record_named_or_positional(
        &mut self,
        e: &Expr,
        cols: &[Col],
        scope: &[Rel<'_>],
        outer: &[&[Rel<'_>]],
        usage: &str,
    ) {
        match output_named_or_positional(e, cols, scope) {
            Some(c) => self.record_copies(&c.sources, usage),
            None => {
                let chain = chain(scope, outer);
                let s = self.sources(e, chain.as_slice());
                self.record(s, usage);
            }
        }
    }

    fn set_expr<'q>(
        &mut self,
        body: &'q SetExpr,
        outer: &[&[Rel<'q>]],
    ) -> (Vec<Col>, Vec<Rel<'q>>) {
        match body {
            SetExpr::Select(s) => self.select(s, outer),
            SetExpr::Query(q) => (self.query(q, outer), Vec::new()),
            SetExpr::SetOperation { left, right, .. } => {
                let (l, scope) = self.set_expr(left, outer);
                let (r, _) = self.set_expr(right, outer);
                (merge(l, r), scope)
            }
            SetExpr::Table(t) => {
                let name = t
                    .table_name
                    .as_ref()
                    .map(|i| i.value.to_ascii_lowercase())
                    .unwrap_or_default();
                let name = match &t.schema_name {
                    Some(s) => format!("{}.{name}", s.value.to_ascii_lowercase()),
                    None => name,
                };
                let rel = self.table_rel(Cow::Owned(name), None);
                (expand_all(std::slice::from_ref(&rel)), vec![rel])
            }
            SetExpr::Values(v) => {
                let width = v.rows.first().map_or(0, |r| r.len());
                (
                    (0..width)
                        .map(|i| Col {
                            name: format!("column{}", i + 1),
                            ..Col::default()
                        })
                        .collect(),
                    Vec::new(),
                )
            }
            _ => (Vec::new(), Vec::new()),
        }
    }

    /// The relation a lower-case table name stands for: a CTE in scope, or a base table.
    fn table_rel<'q>(&self, name: Cow<'q, str>, alias: Option<String>) -> Rel<'q> {
        if !name.contains('.') {
            if let Some((_, cols)) = self.ctes.iter().rev().find(|(n, _)| **n == *name) {
                return Rel {
                    alias,
                    kind: RelKind::Derived {
                        cols: Rc::clone(cols),
                        name: Some(name),
                    },
                };
            }
        }
        Rel {
            alias,
            kind: RelKind::Table(name),
        }
    }

    fn from<'q>(&mut self, from: &'q [TableWithJoins], outer: &[&[Rel<'q>]]) -> Vec<Rel<'q>> {
        let mut rels = Vec::new();
        for twj in from {
            self.factor(&twj.relation, outer, &mut rels);
            for j in &twj.joins {
                self.factor(&j.relation, outer, &mut rels);
            }
        }
        // Join conditions, once every relation is known.
        let mut conditions = from
            .iter()
            .flat_map(|twj| &twj.joins)
            .filter_map(|j| match join_on(&j.join_operator) {
                Some(sqlparser::ast::JoinConstraint::On(e)) => Some(e),
                _ => None,
            })
            .peekable();
        if conditions.peek().is_some() {
            let chain_scope = chain(&rels, outer);
            for e in conditions {
                self.predicate(e, chain_scope.as_slice());
            }
        }
        rels
    }

    fn factor<'q>(&mut self, f: &'q TableFactor, outer: &[&[Rel<'q>]], rels: &mut Vec<Rel<'q>>) {
        match f {
            TableFactor::Table { name, alias, .. } => {
                let mut rel = self.table_rel(
                    name_of(name),
                    alias.as_ref().map(|a| a.name.value.to_ascii_lowercase()),
                );
                if let (RelKind::Derived { cols, .. }, Some(a)) = (&mut rel.kind, alias) {
                    // Only a column list renames: without one the CTE's columns stay shared.
                    if !a.columns.is_empty() {
                        rename(Rc::<Vec<Col>>::make_mut(cols), a);
                    }
                }
                rels.push(rel);
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let mut cols = if *lateral {
                    self.query(subquery, chain(rels, outer).as_slice())
                } else {
                    self.query(subquery, outer)
                };
                if let Some(a) = alias {
                    rename(&mut cols, a);
                }
                rels.push(Rel {
                    alias: alias.as_ref().map(|a| a.name.value.to_ascii_lowercase()),
                    kind: RelKind::Derived {
                        name: None,
                        cols: Rc::new(cols),
                    },
                });
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                let inner = self.from(std::slice::from_ref(table_with_joins), outer);
                match alias {
                    Some(a) => rels.push(Rel {
                        alias: Some(a.name.value.to_ascii_lowercase()),
                        kind: RelKind::Derived {
                            name: None,
                            cols: Rc::new(expand_all(&inner)),
                        },
                    }),
                    None => rels.extend(inner),
                }
            }
            _ => {}
        }
    }

    fn select<'q>(&mut self, s: &'q Select, outer: &[&[Rel<'q>]]) -> (Vec<Col>, Vec<Rel<'q>>) {
        let rels = self.from(&s.from, outer);
        let chained = chain(&rels, outer);
        let scope = chained.as_slice();
        let mut cols = Vec::with_capacity(s.projection.len());
        for item in &s.projection {
            match item {
                SelectItem::Wildcard(_) => cols.extend(expand_all(&rels)),
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(n),
                    _,
                ) => {
                    let q = name_of(n);
                    let found: Vec<Rel<'q>> = rels
                        .iter()
                        .filter(|r| r.known_as(&q, last(&q)))
                        .cloned()
                        .collect();
                    if found.is_empty() {
                        cols.push(Col {
                            name: "*".into(),
                            sources: vec![q.into_owned()],
                            wildcard: true,
                        });
                    } else {
                        cols.extend(expand_all(&found));
                    }
                }
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::Expr(e), _) => {
                    let sources = self.sources(e, scope);
                    cols.push(Col {
                        name: "*".into(),
                        sources,
                        wildcard: false,
                    });
                }
                SelectItem::UnnamedExpr(e) => {
                    let sources = self.sources(e, scope);
                    cols.push(Col {
                        name: output_name(e),
                        sources,
                        wildcard: false,
                    });
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let sources = self.sources(expr, scope);
                    cols.push(Col {
                        name: alias.value.to_ascii_lowercase(),
                        sources,
                        wildcard: false,
                    });
                }
                SelectItem::ExprWithAliases { expr, aliases } => {
                    let sources = self.sources(expr, scope);
                    for a in aliases {
                        cols.push(Col {
                            name: a.value.to_ascii_lowercase(),
                            sources: sources.clone(),
                            wildcard: false,
                        });
                    }
                }
            }
        }
        for e in s
            .prewhere
            .iter()
            .chain(&s.selection)
            .chain(&s.having)
            .chain(&s.qualify)
        {
            self.predicate(e, scope);
        }
        if let GroupByExpr::Expressions(exprs, _) = &s.group_by {
            for e in exprs {
                self.record_named_or_positional(e, &cols, &rels, outer, "group-by");
            }
        }
        for item in &s.sort_by {
            self.record_named_or_positional(&item.expr, &cols, &rels, outer, "order-by");
        }
        if s.into.is_some() {
            let all: Vec<String> = cols
                .iter()
                .filter(|c| !c.wildcard)
                .flat_map(|c| c.sources.clone())
                .collect();
            self.record(all, "export");
        }
        (cols, rels)
    }
}

fn join_on(op: &sqlparser::ast::JoinOperator) -> Option<&sqlparser::ast::JoinConstraint> {
    use sqlparser::ast::JoinOperator as J;
    match op {
        J::Join(c)
        | J::Inner(c)
        | J::Left(c)
        | J::LeftOuter(c)
        | J::Right(c)
        | J::RightOuter(c)
        | J::FullOuter(c)
        | J::Semi(c)
        | J::LeftSemi(c)
        | J::RightSemi(c)
        | J::Anti(c)
        | J::LeftAnti(c)
        | J::RightAnti(c) => Some(c),
        _ => None,
    }
}

/// A scope chain, innermost first: held inline when there is no outer scope.
enum ScopeChain<'a, 'q> {
    Alone([&'a [Rel<'q>]; 1]),
    Nested(Vec<&'a [Rel<'q>]>),
}

impl<'a, 'q> ScopeChain<'a, 'q> {
    fn as_slice(&self) -> &[&'a [Rel<'q>]] {
        match self {
            ScopeChain::Alone(one) => one,
            ScopeChain::Nested(v) => v,
        }
    }
}

/// The scope chain with `rels` innermost (borrowed: no relation is copied).
fn chain<'a, 'q>(rels: &'a [Rel<'q>], outer: &[&'a [Rel<'q>]]) -> ScopeChain<'a, 'q> {
    if outer.is_empty() {
        return ScopeChain::Alone([rels]);
    }
    let mut v = Vec::with_capacity(outer.len() + 1);
    v.push(rels);
    v.extend_from_slice(outer);
    ScopeChain::Nested(v)
}

/// `table.column` in one allocation.
fn dotted(table: &str, col: &str) -> String {
    let mut s = String::with_capacity(table.len() + 1 + col.len());
    s.push_str(table);
    s.push('.');
    s.push_str(col);
    s
}

fn rename(cols: &mut [Col], alias: &sqlparser::ast::TableAlias) {
    for (c, a) in cols.iter_mut().zip(&alias.columns) {
        c.name = a.name.value.to_ascii_lowercase();
    }
}

/// `*` over relations: base tables stay wildcards, derived tables give their columns.
fn expand_all(rels: &[Rel<'_>]) -> Vec<Col> {
    let mut out = Vec::new();
    for r in rels {
        match &r.kind {
            RelKind::Table(t) => out.push(Col {
                name: "*".into(),
                sources: vec![t.as_ref().to_owned()],
                wildcard: true,
            }),
            RelKind::Derived { cols, .. } => out.extend(cols.iter().cloned()),
        }
    }
    out
}

/// Set operations: position by position when both sides are known; otherwise every column of
/// the right side is attributed conservatively.
fn merge(mut left: Vec<Col>, right: Vec<Col>) -> Vec<Col> {
    let known = |v: &[Col]| v.iter().all(|c| !c.wildcard);
    if known(&left) && known(&right) && left.len() == right.len() {
        for (l, r) in left.iter_mut().zip(right) {
            union(&mut l.sources, r.sources);
        }
        return left;
    }
    for (i, r) in right.into_iter().enumerate() {
        if r.wildcard {
            left.push(r);
        } else if let Some(l) = left.get_mut(i).filter(|l| !l.wildcard) {
            union(&mut l.sources, r.sources);
        } else if let Some(l) = left.iter_mut().rev().find(|l| !l.wildcard) {
            union(&mut l.sources, r.sources);
        }
    }
    left
}

/// Adds to `out` the sources of column `col` of relation `r`; whether it had any (before
/// leaving out those `out` already holds).
fn sources_of_rel(r: &Rel<'_>, col: &str, out: &mut Vec<String>) -> bool {
    match &r.kind {
        RelKind::Table(t) => {
            push_unique(out, dotted(t, col));
            true
        }
        RelKind::Derived { cols, .. } => {
            if let Some(c) = cols.iter().find(|c| !c.wildcard && c.name == col) {
                extend_unique(out, &c.sources);
                return !c.sources.is_empty();
            }
            let mut any = false;
            for t in cols.iter().filter(|c| c.wildcard).flat_map(|c| &c.sources) {
                push_unique(out, dotted(t, col));
                any = true;
            }
            any
        }
    }
}

/// Adds to `out` the sources a column reference resolves to (those it lacks).
fn resolve(qualifier: Option<&str>, col: &str, scope: &[&[Rel<'_>]], out: &mut Vec<String>) {
    if let Some(q) = qualifier {
        let ql = last(q);
        for level in scope {
            if let Some(r) = level.iter().find(|r| r.known_as(q, ql)) {
                sources_of_rel(r, col, out);
                return;
            }
        }
        push_unique(out, dotted(q, col));
        return;
    }
    for level in scope {
        if resolve_unqualified(col, level, out) {
            return;
        }
    }
}

/// Resolves an unqualified column in one level of scope: a derived relation that has the
/// column by name, else every base table and every derived relation with a wildcard. Whether
/// the level gave any source.
fn resolve_unqualified(col: &str, level: &[Rel<'_>], out: &mut Vec<String>) -> bool {
    let mut named = false;
    for cols in level.iter().filter_map(Rel::derived_cols) {
        if let Some(c) = cols.iter().find(|c| !c.wildcard && c.name == col) {
            extend_unique(out, &c.sources);
            named |= !c.sources.is_empty();
        }
    }
    if named {
        return true;
    }
    let mut any = false;
    for r in level {
        let open = r
            .derived_cols()
            .is_none_or(|cs| cs.iter().any(|c| c.wildcard));
        if open {
            any |= sources_of_rel(r, col, out);
        }
    }
    any
}

/// The name a database gives an unaliased output column.
fn output_name(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => i.value.to_ascii_lowercase(),
        Expr::CompoundIdentifier(parts) => parts
            .last()
            .map(|p| p.value.to_ascii_lowercase())
            .unwrap_or_default(),
        Expr::Function(f) => func_name(f),
        Expr::Nested(x) | Expr::Cast { expr: x, .. } => output_name(x),
        _ => "?column?".into(),
    }
}

/// The output column a GROUP BY / ORDER BY item names by position or by alias (an alias the
/// FROM scope does not also have).
fn output_named_or_positional<'c>(e: &Expr, cols: &'c [Col], scope: &[Rel<'_>]) -> Option<&'c Col> {
    if let Expr::Value(v) = e {
        if let sqlparser::ast::Value::Number(n, _) = &v.value {
            if let Some(c) = n
                .parse::<usize>()
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| cols.get(i))
            {
                return Some(c);
            }
        }
    }
    if let Expr::Identifier(i) = e {
        let n = lower(&i.value);
        let in_from = scope.iter().any(|r| {
            r.derived_cols()
                .is_some_and(|cs| cs.iter().any(|c| c.name == n))
        });
        if !in_from {
            return cols.iter().find(|c| !c.wildcard && c.name == n);
        }
    }
    None
}
