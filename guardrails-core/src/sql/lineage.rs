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
enum RelKind {
    /// A base table or view, lower-case full name.
    Table(String),
    /// A derived table or CTE with known columns.
    Derived(Vec<Col>),
}

#[derive(Clone, Debug)]
struct Rel {
    /// Names it is known by: alias, full name, last part.
    names: Vec<String>,
    kind: RelKind,
}

#[derive(Default)]
struct Tracer {
    uses: Vec<ColumnUse>,
    ctes: Vec<(String, Vec<Col>)>,
    depth: usize,
}

fn name_of(n: &ObjectName) -> String {
    let mut s = super::dml::object_name(n);
    s.make_ascii_lowercase();
    s
}

fn last(n: &str) -> String {
    n.rsplit('.').next().unwrap_or(n).to_owned()
}

fn union(into: &mut Vec<String>, from: Vec<String>) {
    for s in from {
        if !into.contains(&s) {
            into.push(s);
        }
    }
}

impl Tracer {
    fn query(&mut self, q: &Query, outer: &[&[Rel]]) -> Vec<Col> {
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
                    .push((cte.alias.name.value.to_ascii_lowercase(), cols));
            }
        }
        let (cols, scope) = self.set_expr(&q.body, outer);
        if let Some(ob) = &q.order_by {
            if let OrderByKind::Expressions(items) = &ob.kind {
                for item in items {
                    let s = self.named_or_positional(&item.expr, &cols, &scope, outer);
                    self.record(&s, "order-by");
                }
            }
        }
        self.ctes.truncate(ctes_before);
        self.depth -= 1;
        cols
    }

    /// Sources of a GROUP BY / ORDER BY item: an output alias, an output position, or an
    /// expression over the FROM scope.
    fn named_or_positional(
        &mut self,
        e: &Expr,
        cols: &[Col],
        scope: &[Rel],
        outer: &[&[Rel]],
    ) -> Vec<String> {
        if let Expr::Value(v) = e {
            if let sqlparser::ast::Value::Number(n, _) = &v.value {
                if let Some(c) = n
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| i.checked_sub(1))
                    .and_then(|i| cols.get(i))
                {
                    return c.sources.clone();
                }
            }
        }
        if let Expr::Identifier(i) = e {
            let n = i.value.to_ascii_lowercase();
            let in_from = scope
                .iter()
                .any(|r| matches!(&r.kind, RelKind::Derived(cs) if cs.iter().any(|c| c.name == n)));
            if !in_from {
                if let Some(c) = cols.iter().find(|c| !c.wildcard && c.name == n) {
                    return c.sources.clone();
                }
            }
        }
        let chain = chain(scope, outer);
        self.sources(e, &chain)
    }

    fn set_expr(&mut self, body: &SetExpr, outer: &[&[Rel]]) -> (Vec<Col>, Vec<Rel>) {
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
                let rel = self.table_rel(&name, None);
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

    fn table_rel(&self, name: &str, alias: Option<String>) -> Rel {
        let mut names: Vec<String> = alias.into_iter().collect();
        if !name.contains('.') {
            if let Some((_, cols)) = self.ctes.iter().rev().find(|(n, _)| n == name) {
                names.push(name.to_owned());
                return Rel {
                    names,
                    kind: RelKind::Derived(cols.clone()),
                };
            }
        }
        names.push(name.to_owned());
        // An undotted name is its own last part: the copy would match nothing more.
        if name.contains('.') {
            names.push(last(name));
        }
        Rel {
            names,
            kind: RelKind::Table(name.to_owned()),
        }
    }

    fn from(&mut self, from: &[TableWithJoins], outer: &[&[Rel]]) -> Vec<Rel> {
        let mut rels = Vec::new();
        for twj in from {
            self.factor(&twj.relation, outer, &mut rels);
            for j in &twj.joins {
                self.factor(&j.relation, outer, &mut rels);
            }
        }
        // Join conditions, once every relation is known.
        let chain_scope = chain(&rels, outer);
        for twj in from {
            for j in &twj.joins {
                if let Some(sqlparser::ast::JoinConstraint::On(e)) = join_on(&j.join_operator) {
                    self.predicate(e, &chain_scope);
                }
            }
        }
        rels
    }

    fn factor(&mut self, f: &TableFactor, outer: &[&[Rel]], rels: &mut Vec<Rel>) {
        match f {
            TableFactor::Table { name, alias, .. } => {
                let rel = self.table_rel(
                    &name_of(name),
                    alias.as_ref().map(|a| a.name.value.to_ascii_lowercase()),
                );
                let rel = match (rel.kind, alias) {
                    (RelKind::Derived(mut cols), Some(a)) if !a.columns.is_empty() => {
                        rename(&mut cols, a);
                        Rel {
                            names: rel.names,
                            kind: RelKind::Derived(cols),
                        }
                    }
                    (kind, _) => Rel {
                        names: rel.names,
                        kind,
                    },
                };
                rels.push(rel);
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let scope_outer: Vec<&[Rel]> = if *lateral {
                    chain(rels, outer)
                } else {
                    outer.to_vec()
                };
                let mut cols = self.query(subquery, &scope_outer);
                let mut names = Vec::new();
                if let Some(a) = alias {
                    rename(&mut cols, a);
                    names.push(a.name.value.to_ascii_lowercase());
                }
                rels.push(Rel {
                    names,
                    kind: RelKind::Derived(cols),
                });
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                let inner = self.from(std::slice::from_ref(table_with_joins), outer);
                match alias {
                    Some(a) => rels.push(Rel {
                        names: vec![a.name.value.to_ascii_lowercase()],
                        kind: RelKind::Derived(expand_all(&inner)),
                    }),
                    None => rels.extend(inner),
                }
            }
            _ => {}
        }
    }

    fn select(&mut self, s: &Select, outer: &[&[Rel]]) -> (Vec<Col>, Vec<Rel>) {
        let rels = self.from(&s.from, outer);
        let scope = chain(&rels, outer);
        let mut cols = Vec::new();
        for item in &s.projection {
            match item {
                SelectItem::Wildcard(_) => cols.extend(expand_all(&rels)),
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(n),
                    _,
                ) => {
                    let q = name_of(n);
                    let found: Vec<Rel> = rels
                        .iter()
                        .filter(|r| r.names.iter().any(|x| *x == q || *x == last(&q)))
                        .cloned()
                        .collect();
                    if found.is_empty() {
                        cols.push(Col {
                            name: "*".into(),
                            sources: vec![q],
                            wildcard: true,
                        });
                    } else {
                        cols.extend(expand_all(&found));
                    }
                }
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::Expr(e), _) => {
                    let sources = self.sources(e, &scope);
                    cols.push(Col {
                        name: "*".into(),
                        sources,
                        wildcard: false,
                    });
                }
                SelectItem::UnnamedExpr(e) => {
                    let sources = self.sources(e, &scope);
                    cols.push(Col {
                        name: output_name(e),
                        sources,
                        wildcard: false,
                    });
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let sources = self.sources(expr, &scope);
                    cols.push(Col {
                        name: alias.value.to_ascii_lowercase(),
                        sources,
                        wildcard: false,
                    });
                }
                SelectItem::ExprWithAliases { expr, aliases } => {
                    let sources = self.sources(expr, &scope);
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
            self.predicate(e, &scope);
        }
        if let GroupByExpr::Expressions(exprs, _) = &s.group_by {
            for e in exprs {
                let src = self.named_or_positional(e, &cols, &rels, outer);
                self.record(&src, "group-by");
            }
        }
        for item in &s.sort_by {
            let src = self.named_or_positional(&item.expr, &cols, &rels, outer);
            self.record(&src, "order-by");
        }
        if s.into.is_some() {
            let all: Vec<String> = cols
                .iter()
                .filter(|c| !c.wildcard)
                .flat_map(|c| c.sources.clone())
                .collect();
            self.record(&all, "export");
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

/// The scope chain with `rels` innermost (borrowed: no relation is copied).
fn chain<'a>(rels: &'a [Rel], outer: &[&'a [Rel]]) -> Vec<&'a [Rel]> {
    let mut v = Vec::with_capacity(outer.len() + 1);
    v.push(rels);
    v.extend_from_slice(outer);
    v
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
fn expand_all(rels: &[Rel]) -> Vec<Col> {
    let mut out = Vec::new();
    for r in rels {
        match &r.kind {
            RelKind::Table(t) => out.push(Col {
                name: "*".into(),
                sources: vec![t.clone()],
                wildcard: true,
            }),
            RelKind::Derived(cols) => out.extend(cols.iter().cloned()),
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

/// Resolves a column reference to its sources.
fn resolve(qualifier: Option<&str>, col: &str, scope: &[&[Rel]]) -> Vec<String> {
    let from_rel = |r: &Rel| -> Vec<String> {
        match &r.kind {
            RelKind::Table(t) => vec![dotted(t, col)],
            RelKind::Derived(cols) => {
                if let Some(c) = cols.iter().find(|c| !c.wildcard && c.name == col) {
                    return c.sources.clone();
                }
                cols.iter()
                    .filter(|c| c.wildcard)
                    .flat_map(|c| c.sources.iter().map(|t| dotted(t, col)))
                    .collect()
            }
        }
    };
    if let Some(q) = qualifier {
        let ql = last(q);
        for level in scope {
            if let Some(r) = level
                .iter()
                .find(|r| r.names.iter().any(|n| *n == q || *n == ql))
            {
                return from_rel(r);
            }
        }
        return vec![dotted(q, col)];
    }
    for level in scope {
        if level.is_empty() {
            continue;
        }
        // A derived relation that has the column by name.
        let named: Vec<String> = level
            .iter()
            .filter_map(|r| match &r.kind {
                RelKind::Derived(cols) => cols
                    .iter()
                    .find(|c| !c.wildcard && c.name == col)
                    .map(|c| c.sources.clone()),
                RelKind::Table(_) => None,
            })
            .flatten()
            .collect();
        if !named.is_empty() {
            return named;
        }
        let mut out = Vec::new();
        for r in level.iter() {
            if matches!(r.kind, RelKind::Table(_))
                || matches!(&r.kind, RelKind::Derived(cs) if cs.iter().any(|c| c.wildcard))
            {
                union(&mut out, from_rel(r));
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    Vec::new()
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
