//! Expressions in lineage: the sources of a value, and the uses of columns in conditions,
//! grouping, ordering and aggregates.

use std::borrow::Cow;
use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, InTarget, Query,
    UnaryOperator, WindowType,
};

use super::{lower, resolve, union, Rel, Tracer, MAX_DEPTH};

use crate::intent::ColumnUse;

/// Aggregates that hand back real values of their argument, or all of them at once.
const VALUE_AGGREGATES: &[&str] = &[
    "string_agg",
    "array_agg",
    "group_concat",
    "listagg",
    "json_agg",
    "jsonb_agg",
    "json_arrayagg",
    "json_group_array",
    "json_objectagg",
    "jsonb_object_agg",
    "json_object_agg",
    "xmlagg",
    "collect_list",
    "collect_set",
    "min",
    "max",
    "any_value",
    "first_value",
    "last_value",
    "nth_value",
    "arbitrary",
    "array_concat_agg",
    "arg_min",
    "arg_max",
    "min_by",
    "max_by",
    "mode",
];

/// Aggregates whose result carries no value of the argument.
const COUNTS: &[&str] = &[
    "count",
    "count_big",
    "approx_count_distinct",
    "approx_distinct",
];

/// Functions that keep a value's identity: an equality through them is still a lookup.
const IDENTITY: &[&str] = &[
    "lower", "upper", "trim", "btrim", "ltrim", "rtrim", "lcase", "ucase", "cast", "coalesce",
    "nullif", "to_char", "text",
];

/// Functions that test a value against a pattern or a part of it.
const PATTERN_FUNCS: &[&str] = &[
    "starts_with",
    "startswith",
    "ends_with",
    "endswith",
    "strpos",
    "position",
    "instr",
    "locate",
    "contains",
    "regexp_like",
    "regexp_contains",
    "regexp_instr",
    "charindex",
    "patindex",
    "like",
    "ilike",
    "glob",
];

fn is_pattern_op(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::PGRegexMatch
            | BinaryOperator::PGRegexIMatch
            | BinaryOperator::PGRegexNotMatch
            | BinaryOperator::PGRegexNotIMatch
            | BinaryOperator::PGLikeMatch
            | BinaryOperator::PGILikeMatch
            | BinaryOperator::PGNotLikeMatch
            | BinaryOperator::PGNotILikeMatch
            | BinaryOperator::PGStartsWith
            | BinaryOperator::Regexp
            | BinaryOperator::Match
    )
}

fn is_range_op(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::Lt | BinaryOperator::LtEq | BinaryOperator::Gt | BinaryOperator::GtEq
    )
}

fn is_eq_op(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::Eq | BinaryOperator::NotEq | BinaryOperator::Spaceship
    )
}

pub(super) fn func_name(f: &sqlparser::ast::Function) -> String {
    func_name_ref(f).into_owned()
}

/// [`func_name`], borrowed when the name is a lower-case identifier.
fn func_name_ref(f: &sqlparser::ast::Function) -> Cow<'_, str> {
    match f.name.0.last() {
        Some(p) => match p.as_ident() {
            Some(i) => lower(&i.value),
            None => Cow::Owned(p.to_string().to_ascii_lowercase()),
        },
        None => Cow::Borrowed(""),
    }
}

fn func_args(f: &sqlparser::ast::Function) -> Vec<&Expr> {
    let FunctionArguments::List(l) = &f.args else {
        return Vec::new();
    };
    l.args
        .iter()
        .filter_map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(x))
            | FunctionArg::Named {
                arg: FunctionArgExpr::Expr(x),
                ..
            }
            | FunctionArg::ExprNamed {
                arg: FunctionArgExpr::Expr(x),
                ..
            } => Some(x),
            _ => None,
        })
        .collect()
}

/// Whether the expression is a column reference, possibly through identity-keeping functions.
fn is_plain_column(e: &Expr) -> bool {
    match e {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => true,
        Expr::Nested(x) | Expr::Cast { expr: x, .. } | Expr::Collate { expr: x, .. } => {
            is_plain_column(x)
        }
        Expr::Trim { expr, .. } => is_plain_column(expr),
        Expr::Function(f) if IDENTITY.contains(&&*func_name_ref(f)) => {
            let args = func_args(f);
            args.len() == 1 && args.first().is_some_and(|a| is_plain_column(a))
        }
        _ => false,
    }
}

fn is_constant(e: &Expr) -> bool {
    match e {
        Expr::Value(_) => true,
        Expr::Nested(x) | Expr::Cast { expr: x, .. } | Expr::UnaryOp { expr: x, .. } => {
            is_constant(x)
        }
        _ => false,
    }
}

/// The lower-case, dot-joined qualifier of a compound name; none for an empty one.
fn qualifier(parts: &[sqlparser::ast::Ident]) -> Option<std::borrow::Cow<'_, str>> {
    match parts {
        [] => None,
        [one] => Some(lower(&one.value)),
        _ => {
            let mut q = String::new();
            for (k, p) in parts.iter().enumerate() {
                if k > 0 {
                    q.push('.');
                }
                q.push_str(&p.value);
            }
            q.make_ascii_lowercase();
            Some(q.into())
        }
    }
}

impl Tracer {
    /// Records a use of each `table.column` among `sources` not yet recorded with `usage`.
    pub(super) fn record(&mut self, mut sources: Vec<String>, usage: &str) {
        for s in sources.drain(..) {
            if self.is_new_use(&s, usage) {
                self.uses.push(ColumnUse {
                    column: s,
                    usage: usage.to_owned(),
                    span: None,
                });
            }
        }
        // Keep the emptied storage for the next column reference.
        if sources.capacity() > self.spare.capacity() {
            self.spare = sources;
        }
    }

    /// [`Tracer::record`] of sources the caller keeps.
    pub(super) fn record_copies(&mut self, sources: &[String], usage: &str) {
        for s in sources {
            if self.is_new_use(s, usage) {
                self.uses.push(ColumnUse {
                    column: s.clone(),
                    usage: usage.to_owned(),
                    span: None,
                });
            }
        }
    }

    fn is_new_use(&self, column: &str, usage: &str) -> bool {
        column.contains('.')
            && !self
                .uses
                .iter()
                .any(|u| u.column == column && u.usage == usage)
    }

    /// The source columns an expression's value derives from; records the uses inside it
    /// (conditions of CASE, aggregates that reveal values, window ordering).
    pub(super) fn sources(&mut self, e: &Expr, scope: &[&[Rel<'_>]]) -> Vec<String> {
        if self.depth > MAX_DEPTH {
            return Vec::new();
        }
        self.depth += 1;
        let out = self.sources_inner(e, scope);
        self.depth -= 1;
        out
    }

    fn sources_inner(&mut self, e: &Expr, scope: &[&[Rel<'_>]]) -> Vec<String> {
        match e {
            Expr::Identifier(i) => {
                let mut out = std::mem::take(&mut self.spare);
                resolve(None, &lower(&i.value), scope, &mut out);
                out
            }
            Expr::CompoundIdentifier(parts) => {
                let mut out = std::mem::take(&mut self.spare);
                if let Some((col, qual)) = parts.split_last() {
                    let col = lower(&col.value);
                    match qualifier(qual) {
                        Some(q) => resolve(Some(&q), &col, scope, &mut out),
                        None => resolve(None, &col, scope, &mut out),
                    }
                }
                out
            }
            Expr::Function(f) => self.function(f, scope),
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                let mut out = Vec::new();
                if let Some(o) = operand {
                    let s = self.sources(o, scope);
                    union(&mut out, s);
                }
                for cw in conditions {
                    if operand.is_none() {
                        self.predicate(&cw.condition, scope);
                    }
                    let s = self.sources(&cw.result, scope);
                    union(&mut out, s);
                }
                if let Some(x) = else_result {
                    let s = self.sources(x, scope);
                    union(&mut out, s);
                }
                out
            }
            Expr::Subquery(q) => {
                let cols = self.query(q, scope);
                cols.into_iter().flat_map(|c| c.sources).collect()
            }
            Expr::BinaryOp { left, op, right }
                if is_eq_op(op)
                    || is_range_op(op)
                    || is_pattern_op(op)
                    || matches!(op, BinaryOperator::And | BinaryOperator::Or) =>
            {
                // A boolean: it reveals no value, but is a probe if it tests one.
                self.predicate(e, scope);
                let _ = (left, right);
                Vec::new()
            }
            Expr::BinaryOp { left, right, .. } => {
                let mut out = self.sources(left, scope);
                let r = self.sources(right, scope);
                union(&mut out, r);
                out
            }
            Expr::Like { .. }
            | Expr::ILike { .. }
            | Expr::SimilarTo { .. }
            | Expr::RLike { .. }
            | Expr::Between { .. }
            | Expr::In { .. }
            | Expr::Exists { .. }
            | Expr::AnyOp { .. }
            | Expr::AllOp { .. } => {
                self.predicate(e, scope);
                Vec::new()
            }
            Expr::IsNull(_) | Expr::IsNotNull(_) | Expr::Value(_) => Vec::new(),
            Expr::Nested(x) | Expr::Cast { expr: x, .. } | Expr::Collate { expr: x, .. } => {
                self.sources(x, scope)
            }
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => {
                self.predicate(expr, scope);
                Vec::new()
            }
            Expr::UnaryOp { expr, .. } => self.sources(expr, scope),
            other => self.identifiers(other, scope),
        }
    }

    /// Every column named anywhere inside `e` (subqueries excluded: they resolve in their own
    /// scope and are traced on their own).
    pub(super) fn identifiers(&mut self, e: &Expr, scope: &[&[Rel<'_>]]) -> Vec<String> {
        let mut found: Vec<(Option<String>, String)> = Vec::new();
        let mut subqueries: Vec<Query> = Vec::new();
        let _ = sqlparser::ast::visit_expressions(e, |x| {
            match x {
                Expr::Identifier(i) => found.push((None, i.value.to_ascii_lowercase())),
                Expr::CompoundIdentifier(parts) => {
                    let names: Vec<String> =
                        parts.iter().map(|p| p.value.to_ascii_lowercase()).collect();
                    if let Some((col, qual)) = names.split_last() {
                        found.push(((!qual.is_empty()).then(|| qual.join(".")), col.clone()));
                    }
                }
                Expr::Subquery(q)
                | Expr::Exists { subquery: q, .. }
                | Expr::In {
                    target: InTarget::Subquery(q),
                    ..
                } => subqueries.push((**q).clone()),
                _ => {}
            }
            ControlFlow::<()>::Continue(())
        });
        let mut out = Vec::new();
        for (q, c) in found {
            resolve(q.as_deref(), &c, scope, &mut out);
        }
        for q in &subqueries {
            let cols = self.query(q, scope);
            union(&mut out, cols.into_iter().flat_map(|c| c.sources).collect());
        }
        out
    }

    pub(super) fn function(
        &mut self,
        f: &sqlparser::ast::Function,
        scope: &[&[Rel<'_>]],
    ) -> Vec<String> {
        let name = func_name_ref(f);
        if let FunctionArguments::List(l) = &f.args {
            for clause in &l.clauses {
                if let sqlparser::ast::FunctionArgumentClause::Where(w) = clause {
                    self.predicate(w, scope);
                }
            }
        }
        if let Some(filter) = &f.filter {
            self.predicate(filter, scope);
        }
        if let Some(WindowType::WindowSpec(w)) = &f.over {
            for p in &w.partition_by {
                let s = self.sources(p, scope);
                self.record(s, "group-by");
            }
            for o in &w.order_by {
                let s = self.sources(&o.expr, scope);
                self.record(s, "order-by");
            }
        }
        let mut out = Vec::new();
        for a in func_args(f) {
            let s = self.sources(a, scope);
            union(&mut out, s);
        }
        if PATTERN_FUNCS.contains(&&*name) {
            self.record_copies(&out, "like");
        }
        if COUNTS.contains(&&*name) {
            return Vec::new();
        }
        if VALUE_AGGREGATES.contains(&&*name) {
            self.record_copies(&out, "aggregate");
        }
        out
    }

    /// Records the column uses of a condition.
    pub(super) fn predicate(&mut self, e: &Expr, scope: &[&[Rel<'_>]]) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.predicate_inner(e, scope);
        self.depth -= 1;
    }

    fn predicate_inner(&mut self, e: &Expr, scope: &[&[Rel<'_>]]) {
        match e {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And | BinaryOperator::Or | BinaryOperator::Xor,
                right,
            } => {
                self.predicate(left, scope);
                self.predicate(right, scope);
            }
            Expr::Nested(x)
            | Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr: x,
            } => self.predicate(x, scope),
            Expr::BinaryOp { left, op, right } if is_eq_op(op) => {
                let lookup = |side: &Expr, other: &Expr| {
                    if !is_plain_column(side) {
                        "derived"
                    } else if is_plain_column(other) {
                        "join"
                    } else {
                        "equality"
                    }
                };
                for (side, other) in [(left, right), (right, left)] {
                    let usage = lookup(side, other);
                    let s = self.sources(side, scope);
                    if usage == "derived" && is_constant(side) {
                        continue;
                    }
                    self.record(s, usage);
                }
            }
            Expr::BinaryOp { left, op, right } if is_range_op(op) => {
                for side in [left, right] {
                    let s = self.sources(side, scope);
                    self.record(s, "range");
                }
            }
            Expr::BinaryOp { left, op, right } if is_pattern_op(op) => {
                for side in [left, right] {
                    let s = self.sources(side, scope);
                    self.record(s, "like");
                }
            }
            Expr::Like { expr, pattern, .. }
            | Expr::ILike { expr, pattern, .. }
            | Expr::SimilarTo { expr, pattern, .. }
            | Expr::RLike { expr, pattern, .. } => {
                for side in [expr, pattern] {
                    let s = self.sources(side, scope);
                    self.record(s, "like");
                }
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                for side in [expr, low, high] {
                    let s = self.sources(side, scope);
                    self.record(s, "range");
                }
            }
            Expr::In { expr, target, .. } => {
                let usage = if is_plain_column(expr) {
                    "equality"
                } else {
                    "derived"
                };
                let s = self.sources(expr, scope);
                self.record(s, usage);
                match target {
                    InTarget::List(list) => {
                        for x in list {
                            let s = self.sources(x, scope);
                            self.record(s, "equality");
                        }
                    }
                    InTarget::Subquery(q) => {
                        self.query(q, scope);
                    }
                    _ => {}
                }
            }
            Expr::Exists { subquery, .. } => {
                self.query(subquery, scope);
            }
            Expr::AnyOp {
                left,
                compare_op,
                right,
                ..
            }
            | Expr::AllOp {
                left,
                compare_op,
                right,
                ..
            } => {
                let usage = if is_range_op(compare_op) {
                    "range"
                } else if is_plain_column(left) {
                    "equality"
                } else {
                    "derived"
                };
                for side in [left, right] {
                    let s = self.sources(side, scope);
                    self.record(s, usage);
                }
            }
            Expr::IsNull(_) | Expr::IsNotNull(_) | Expr::Value(_) => {}
            Expr::Function(f) => {
                let s = self.function(f, scope);
                if !PATTERN_FUNCS.contains(&&*func_name_ref(f)) {
                    self.record(s, "derived");
                }
            }
            other => {
                let s = self.sources(other, scope);
                self.record(s, "derived");
            }
        }
    }
}
