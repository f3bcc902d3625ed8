//! Statements read from the parser's tree: DELETE, UPDATE, MERGE, INSERT and queries.

use sqlparser::ast::{
    Delete, Expr, FromTable, FunctionArguments, JoinConstraint, JoinOperator, LimitClause,
    MergeAction, MergeClauseKind, ObjectName, Query, SelectItem, SetExpr, Statement, TableFactor,
    TableWithJoins, Update, Value,
};

use std::borrow::Cow;

use super::names;
use super::predicate::{self, Scope, Target};
use super::Cx;
use crate::finding::Grade::{self, Deny};
use crate::intent::{Access, Filter, Operation};

/// Unquoted, dot-joined name, borrowed when it has one part.
pub(crate) fn object_name_ref(name: &ObjectName) -> Cow<'_, str> {
    match name.0.as_slice() {
        [part] => match part.as_ident() {
            Some(i) => Cow::Borrowed(&i.value),
            None => Cow::Owned(object_name(name)),
        },
        _ => Cow::Owned(object_name(name)),
    }
}

/// Unquoted, dot-joined name.
pub(crate) fn object_name(name: &ObjectName) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for (k, p) in name.0.iter().enumerate() {
        if k > 0 {
            out.push('.');
        }
        match p.as_ident() {
            Some(i) => out.push_str(&i.value),
            None => {
                let _ = write!(out, "{p}");
            }
        }
    }
    out
}

fn join_constraint(op: &JoinOperator) -> Option<&JoinConstraint> {
    match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::Right(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c)
        | JoinOperator::CrossJoin(c)
        | JoinOperator::Semi(c)
        | JoinOperator::LeftSemi(c)
        | JoinOperator::RightSemi(c)
        | JoinOperator::Anti(c)
        | JoinOperator::LeftAnti(c)
        | JoinOperator::RightAnti(c) => Some(c),
        _ => None,
    }
}

/// A table of a FROM list: its unquoted name and its alias.
type Relation<'a> = (Cow<'a, str>, Option<&'a str>);

/// Table names and aliases of a FROM list.
fn relations(from: &[TableWithJoins]) -> Vec<Relation<'_>> {
    relations_iter(from).collect()
}

/// Table names and aliases of a FROM list, named only as they are taken.
fn relations_iter(from: &[TableWithJoins]) -> impl Iterator<Item = Relation<'_>> + '_ {
    from.iter()
        .flat_map(|twj| std::iter::once(&twj.relation).chain(twj.joins.iter().map(|j| &j.relation)))
        .filter_map(|f| match f {
            TableFactor::Table { name, alias, .. } => Some((
                object_name_ref(name),
                alias.as_ref().map(|a| a.name.value.as_str()),
            )),
            _ => None,
        })
}

/// Whether the FROM list joins tables with a condition (`ON`/`USING`) — a join-only predicate —
/// or without one (a cross product).
fn join_kind(from: &[TableWithJoins]) -> Option<bool> {
    let tables = from.len() + from.iter().map(|t| t.joins.len()).sum::<usize>();
    if tables <= 1 {
        return None;
    }
    let conditioned = from.iter().flat_map(|t| t.joins.iter()).any(|j| {
        matches!(
            join_constraint(&j.join_operator),
            Some(JoinConstraint::On(_) | JoinConstraint::Using(_) | JoinConstraint::Natural)
        )
    });
    Some(conditioned && from.len() == 1)
}

fn limit_of(e: &Expr) -> Option<u64> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        Expr::Nested(x) => limit_of(x),
        _ => None,
    }
}

pub(crate) fn query_limit(q: &Query) -> Option<u64> {
    if let Some(
        LimitClause::LimitOffset { limit: Some(l), .. }
        | LimitClause::OffsetCommaLimit { limit: l, .. },
    ) = &q.limit_clause
    {
        return limit_of(l);
    }
    if let Some(f) = &q.fetch {
        return f.quantity.as_ref().and_then(limit_of);
    }
    if let SetExpr::Select(s) = &*q.body {
        if let Some(top) = &s.top {
            return match &top.quantity {
                Some(sqlparser::ast::TopQuantity::Constant(n)) => Some(*n),
                Some(sqlparser::ast::TopQuantity::Expr(e)) => limit_of(e),
                None => None,
            };
        }
    }
    None
}

/// The lower-case names a write's target is known by: its name and its alias, held without a
/// vector.
struct TargetNames<'t> {
    names: [Cow<'t, str>; 2],
    len: usize,
}

impl<'t> TargetNames<'t> {
    fn of(target: Option<Relation<'t>>) -> Self {
        let none = || Cow::Borrowed("");
        match target {
            None => TargetNames {
                names: [none(), none()],
                len: 0,
            },
            Some((n, None)) => TargetNames {
                names: [lower_cow(&n), none()],
                len: 1,
            },
            Some((n, Some(a))) => TargetNames {
                names: [lower_cow(&n), names::lower(a)],
                len: 2,
            },
        }
    }

    fn as_slice(&self) -> &[Cow<'t, str>] {
        self.names.get(..self.len).unwrap_or_default()
    }
}

impl Cx<'_> {
    /// Judges a WHERE of a write and records the filter. `what` is `DELETE`/`UPDATE`.
    fn judge_write_scope(
        &mut self,
        what: &str,
        table: &str,
        selection: Option<&Expr>,
        from: &[TableWithJoins],
        limit: Option<u64>,
    ) {
        let (without_rule, verb) = if what == "DELETE" {
            ("sql.delete-without-where", "removes every row of")
        } else {
            ("sql.update-without-where", "changes every row of")
        };
        // The target is the first relation (with its alias); other tables only join.
        let names = TargetNames::of(relations_iter(from).next());
        let Some(selection) = selection else {
            match join_kind(from) {
                Some(true) => {
                    self.intent.filter = Some(Filter::Broad);
                    self.hit(
                        "sql.broad-write",
                        Grade::Review,
                        format!("`{what}` of `{table}` is scoped only by a join condition"),
                    );
                }
                _ => {
                    self.intent.filter = Some(Filter::None);
                    let bounded = limit
                        .map(|n| format!(" (a limit of {n} bounds the count, not which rows)"))
                        .unwrap_or_default();
                    // Our words and the table's name between backticks (no `format!`: this is
                    // the commonest finding, and the formatting machinery was a tenth of it).
                    let message = [
                        "`",
                        what,
                        "` without `WHERE` ",
                        verb,
                        " `",
                        table,
                        "`",
                        &bounded,
                    ]
                    .concat();
                    let plain = crate::redact::is_plain(table);
                    self.hit_naming(without_rule, Grade::Deny, message, plain);
                }
            }
            return;
        };
        let target = Target {
            names: names.as_slice(),
            dialect: self.dialect,
        };
        match predicate::scope(selection, &target) {
            Scope::All(why) => {
                self.intent.filter = Some(Filter::Tautology);
                self.hit(
                    "sql.tautological-where",
                    Grade::Deny,
                    [
                        "`",
                        what,
                        "` of `",
                        table,
                        "` has a `WHERE` that filters nothing: ",
                        &why,
                    ]
                    .concat(),
                );
            }
            Scope::Nothing => self.intent.filter = Some(Filter::Nothing),
            Scope::Key => self.intent.filter = Some(Filter::Key),
            Scope::Broad if limit == Some(1) => self.intent.filter = Some(Filter::Key),
            Scope::Broad => {
                self.intent.filter = Some(Filter::Broad);
                self.hit(
                    "sql.broad-write",
                    Grade::Review,
                    format!(
                        "`{what}` of `{table}` may touch many rows: `WHERE {}`",
                        super::render::short(selection)
                    ),
                );
            }
        }
    }

    pub(crate) fn delete(&mut self, d: &Delete) {
        self.intent.kind = "delete".into();
        self.intent.operation = Operation::Write;
        self.intent.returning = d.returning.is_some() || d.output.is_some();
        let from = match &d.from {
            FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f) => f.as_slice(),
        };
        let mut targets: Vec<Cow<'_, str>> = d.tables.iter().map(object_name_ref).collect();
        if targets.is_empty() {
            targets = from
                .first()
                .and_then(|t| relations_iter(std::slice::from_ref(t)).next())
                .map(|(n, _)| n)
                .into_iter()
                .collect();
        }
        for t in &targets {
            self.object(t, Access::Write);
        }
        let table = joined(&targets);
        if !targets.is_empty() && targets.iter().all(|t| self.is_temporary(t)) {
            return;
        }
        let limit = d.limit.as_ref().and_then(limit_of);
        self.intent.limit = limit;
        // `DELETE FROM a USING b WHERE a.x = b.y` is a join-only predicate. Without `USING` the
        // FROM list is judged as it is, not copied.
        let from_list: std::borrow::Cow<'_, [TableWithJoins]> = match &d.using {
            Some(using) => {
                let mut v = from.to_vec();
                v.extend(using.iter().cloned());
                v.into()
            }
            None => from.into(),
        };
        self.judge_write_scope("DELETE", &table, d.selection.as_ref(), &from_list, limit);
        self.protected_table_write(&targets);
    }

    pub(crate) fn update(&mut self, u: &Update) {
        self.intent.kind = "update".into();
        self.intent.operation = Operation::Write;
        self.intent.returning = u.returning.is_some() || u.output.is_some();
        // Without a FROM the target is judged as it is, not copied.
        let from: std::borrow::Cow<'_, [TableWithJoins]> = match &u.from {
            Some(
                sqlparser::ast::UpdateTableFromKind::BeforeSet(v)
                | sqlparser::ast::UpdateTableFromKind::AfterSet(v),
            ) => {
                // Extra FROM tables make a multi-table update (join-only predicate when no WHERE).
                let mut first = u.table.clone();
                first.joins.extend(v.iter().map(|t| sqlparser::ast::Join {
                    relation: t.relation.clone(),
                    global: false,
                    join_operator: JoinOperator::CrossJoin(JoinConstraint::None),
                }));
                vec![first].into()
            }
            None => std::slice::from_ref(&u.table).into(),
        };
        let targets: Vec<Cow<'_, str>> = relations_iter(std::slice::from_ref(&u.table))
            .take(1)
            .map(|(n, _)| n)
            .collect();
        for t in &targets {
            self.object(t, Access::Write);
        }
        let table = joined(&targets);
        if !targets.is_empty() && targets.iter().all(|t| self.is_temporary(t)) {
            return;
        }
        let limit = u.limit.as_ref().and_then(limit_of);
        self.intent.limit = limit;
        self.judge_write_scope("UPDATE", &table, u.selection.as_ref(), &from, limit);
        self.protected_table_write(&targets);
        // Application admin flags.
        for a in &u.assignments {
            let col = assigned_column(&a.target);
            if names::is_admin_flag(&col) && grants_privilege(&a.value) {
                self.hit(
                    "sql.privilege-change",
                    Grade::Review,
                    format!("`UPDATE` sets the privilege column `{col}` of `{table}`"),
                );
            }
        }
    }

    fn protected_table_write<S: AsRef<str>>(&mut self, targets: &[S]) {
        for t in targets.iter().map(AsRef::as_ref) {
            if names::is_credential_store(t) {
                self.hit(
                    "sql.privilege-change",
                    Grade::Deny,
                    format!("writes to the database's account table `{t}`"),
                );
            }
        }
    }

    pub(crate) fn merge(&mut self, m: &sqlparser::ast::Merge) {
        self.intent.kind = "merge".into();
        self.intent.operation = Operation::Write;
        let table = match &m.table {
            TableFactor::Table { name, .. } => object_name(name),
            other => other.to_string(),
        };
        self.object(&table, Access::Write);
        let names = vec![Cow::Owned(table.to_ascii_lowercase())];
        let target = Target {
            names: &names,
            dialect: self.dialect,
        };
        if let Scope::All(why) = predicate::scope(&m.on, &target) {
            self.intent.filter = Some(Filter::Tautology);
            self.hit(
                "sql.tautological-where",
                Grade::Deny,
                format!("`MERGE` into `{table}` matches on a condition that is always true: {why}"),
            );
            return;
        }
        for c in &m.clauses {
            if matches!(c.action, MergeAction::Delete { .. }) {
                let by_source = matches!(c.clause_kind, MergeClauseKind::NotMatchedBySource);
                let msg = if by_source {
                    format!("`MERGE` deletes every row of `{table}` that the source lacks")
                } else {
                    format!("`MERGE` deletes matched rows of `{table}`")
                };
                self.intent.filter = Some(Filter::Broad);
                self.hit("sql.broad-write", Grade::Review, msg);
            }
        }
    }

    pub(crate) fn insert(&mut self, i: &sqlparser::ast::Insert) {
        self.intent.kind = if i.replace_into {
            "replace".into()
        } else {
            "insert".into()
        };
        self.intent.operation = Operation::Write;
        self.intent.returning = i.returning.is_some() || i.output.is_some();
        let table = insert_table_name(&i.table);
        self.object(&table, Access::Write);
        if i.overwrite {
            self.hit(
                "sql.truncate",
                Grade::Deny,
                format!("`INSERT OVERWRITE` replaces every row of `{table}`"),
            );
        }
        self.protected_table_write(std::slice::from_ref(&table));
        if let Some(src) = &i.source {
            self.query_writes(src);
            if i.on.is_some() && !i.ignore && upsert_rewrites_whole_table(src, &table) {
                self.hit("sql.update-without-where", Deny, format!("the upsert reads every row of `{table}` back into itself: an update of every row"));
            }
        }
    }

    /// Writes hidden inside a query: writable CTEs and DML bodies.
    fn query_writes(&mut self, q: &Query) {
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                self.nested_query_body(&cte.query.body);
                self.query_writes(&cte.query);
            }
        }
        self.nested_query_body(&q.body);
    }

    fn nested_query_body(&mut self, body: &SetExpr) {
        match body {
            SetExpr::Delete(s) | SetExpr::Update(s) | SetExpr::Insert(s) | SetExpr::Merge(s) => {
                self.nested_statement(s)
            }
            SetExpr::Query(q) => self.query_writes(q),
            SetExpr::SetOperation { left, right, .. } => {
                self.nested_query_body(left);
                self.nested_query_body(right);
            }
            _ => {}
        }
    }

    /// Analyses a statement nested in this one as if it stood alone, keeping this statement's
    /// index and span.
    pub(crate) fn nested_statement(&mut self, s: &Statement) {
        let mut inner = self.child();
        inner.statement_ast(s);
        self.adopt(inner);
    }

    pub(crate) fn query(&mut self, q: &Query) {
        self.intent.kind = "select".into();
        self.intent.operation = Operation::Read;
        self.intent.limit = query_limit(q);
        self.query_writes(q);
        super::lineage::trace(q, &mut self.intent);
        if !self.intent.nested.is_empty() {
            self.intent.operation = Operation::Write;
        }
        self.sensitive_read(q);
    }

    fn sensitive_read(&mut self, q: &Query) {
        let limit = query_limit(q);
        self.sensitive_body(&q.body, limit);
    }

    fn sensitive_body(&mut self, body: &SetExpr, limit: Option<u64>) {
        if let SetExpr::SetOperation { left, right, .. } = body {
            self.sensitive_body(left, limit);
            self.sensitive_body(right, limit);
            return;
        }
        if let SetExpr::Query(inner) = body {
            self.sensitive_read(inner);
            return;
        }
        let SetExpr::Select(s) = body else {
            if let SetExpr::Table(t) = body {
                let name = t
                    .table_name
                    .as_ref()
                    .map(|i| i.value.clone())
                    .unwrap_or_default();
                self.object(&name, Access::Read);
                if names::is_sensitive_table(&name) {
                    self.hit(
                        "sql.sensitive-bulk-read",
                        Grade::Review,
                        format!("`TABLE {name}` reads every row of a table of personal data"),
                    );
                }
            }
            return;
        };
        let tables = relations(&s.from);
        if let (Some(sel), None) = (&s.selection, self.intent.filter) {
            // The first table alone: a slice of one, not a vector.
            let first = tables.first().map(|(n, _)| lower_cow(n));
            let target = Target {
                names: first.as_slice(),
                dialect: self.dialect,
            };
            self.intent.filter = Some(match predicate::scope(sel, &target) {
                Scope::All(_) => Filter::Tautology,
                Scope::Nothing => Filter::Nothing,
                Scope::Key => Filter::Key,
                Scope::Broad => Filter::Broad,
            });
        }
        for (t, _) in &tables {
            self.object(t, Access::Read);
        }
        let wildcard = s.projection.iter().any(|p| {
            matches!(
                p,
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
            )
        });
        let exposed = exposed_sensitive_columns(&s.projection);
        let cred = tables.iter().find(|(t, _)| names::is_credential_store(t));
        if let Some((store, _)) = cred {
            if wildcard
                || exposed.iter().any(|c| names::is_password_column(c))
                || !exposed.is_empty()
            {
                self.hit(
                    "sql.sensitive-bulk-read",
                    Grade::Deny,
                    format!("reads the database's credential store `{store}`"),
                );
                return;
            }
        }
        let masked_view =
            !tables.is_empty() && tables.iter().all(|(t, _)| names::masks_passwords(t));
        let sensitive_table = tables
            .iter()
            .find(|(t, _)| names::is_sensitive_table(t))
            .map(|(t, _)| t);
        let revealing: Vec<&String> = exposed
            .iter()
            .filter(|c| match names::column_sensitivity(c) {
                Some(names::Sensitivity::Strong) => !(masked_view && names::is_secret_column(c)),
                Some(names::Sensitivity::Personal) => sensitive_table.is_some(),
                None => false,
            })
            .collect();
        let reveals = match (&sensitive_table, wildcard) {
            (Some(t), true) => Some(format!("`SELECT *` of `{t}`")),
            _ if !revealing.is_empty() => Some(format!(
                "the sensitive column{} `{}`",
                if revealing.len() > 1 { "s" } else { "" },
                revealing
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join("`, `")
            )),
            _ => None,
        };
        let Some(what) = reveals else { return };
        if limit.is_some_and(|n| n <= 1000) {
            return;
        }
        if let Some(sel) = &s.selection {
            let names: Vec<Cow<'_, str>> = tables.iter().map(|(n, _)| lower_cow(n)).collect();
            let target = Target {
                names: &names,
                dialect: self.dialect,
            };
            if matches!(predicate::scope(sel, &target), Scope::Key | Scope::Nothing) {
                return;
            }
        }
        let bound = limit
            .map(|n| format!(" (limit {n} is over 1000)"))
            .unwrap_or_default();
        self.hit(
            "sql.sensitive-bulk-read",
            Grade::Review,
            format!("unbounded read of {what}{bound}"),
        );
    }
}

/// `INSERT INTO t SELECT ... FROM t ON CONFLICT DO UPDATE` with no WHERE in the SELECT.
fn upsert_rewrites_whole_table(src: &Query, table: &str) -> bool {
    let SetExpr::Select(s) = &*src.body else {
        return false;
    };
    if s.selection.is_some() || query_limit(src).is_some() {
        return false;
    }
    let t = table.to_ascii_lowercase();
    relations(&s.from)
        .iter()
        .any(|(n, _)| n.to_ascii_lowercase() == t)
}

/// The targets of a write as its messages name them: `` a`, `b ``.
fn joined<'a>(targets: &'a [Cow<'a, str>]) -> Cow<'a, str> {
    match targets {
        [one] => Cow::Borrowed(one),
        _ => Cow::Owned(targets.join("`, `")),
    }
}

/// Whether an identifier prints as its own value: unquoted, with no dot to split on.
fn plain_ident(i: &sqlparser::ast::Ident) -> bool {
    i.quote_style.is_none() && !i.value.contains('.')
}

/// The lower-case column an assignment sets: the last dotted part of the printed target,
/// without quotes. A plain last part is read without printing the target.
fn assigned_column(target: &sqlparser::ast::AssignmentTarget) -> Cow<'_, str> {
    if let sqlparser::ast::AssignmentTarget::ColumnName(n) = target {
        if let Some(i) =
            n.0.last()
                .and_then(|p| p.as_ident())
                .filter(|i| plain_ident(i))
        {
            return names::lower(i.value.trim_matches(['"', '`']));
        }
    }
    let col = target.to_string().to_ascii_lowercase();
    Cow::Owned(
        col.rsplit('.')
            .next()
            .unwrap_or(&col)
            .trim_matches(['"', '`'])
            .to_owned(),
    )
}

/// The printed name of an INSERT's table without surrounding quotes; a one-part plain name
/// is read without printing it.
fn insert_table_name(table: &sqlparser::ast::TableObject) -> Cow<'_, str> {
    if let sqlparser::ast::TableObject::TableName(n) = table {
        if let [part] = n.0.as_slice() {
            if let Some(i) = part.as_ident().filter(|i| i.quote_style.is_none()) {
                return Cow::Borrowed(i.value.trim_matches(['"', '`']));
            }
        }
    }
    Cow::Owned(table.to_string().trim_matches(['"', '`']).to_owned())
}

/// A name lower-cased, borrowing what it borrows when it has no upper-case letter.
fn lower_cow<'a>(name: &Cow<'a, str>) -> Cow<'a, str> {
    match name {
        Cow::Borrowed(b) => names::lower(b),
        Cow::Owned(o) => Cow::Owned(o.to_ascii_lowercase()),
    }
}

fn grants_privilege(v: &Expr) -> bool {
    match v {
        Expr::Value(val) => match &val.value {
            Value::Boolean(b) => *b,
            Value::Number(n, _) => n != "0",
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => {
                let s = s.to_ascii_lowercase();
                !matches!(
                    s.as_str(),
                    "false" | "0" | "no" | "user" | "member" | "viewer" | "reader" | "guest" | ""
                )
            }
            _ => false,
        },
        _ => false,
    }
}

const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "count_big",
    "approx_count_distinct",
    "stddev",
    "variance",
    "bool_and",
    "bool_or",
    "every",
    "any_value",
    "median",
    "percentile_cont",
    "percentile_disc",
];

/// Whether a function is an aggregate whose result shows no value of its argument.
fn is_hiding_aggregate(name: &ObjectName) -> bool {
    let is_one = |n: &str| AGGREGATES.contains(&n) && !n.contains("agg");
    match name.0.as_slice() {
        // An unquoted one-part name prints as itself: compare it without printing it.
        [part] => match part.as_ident() {
            Some(i) if i.quote_style.is_none() => is_one(&names::lower(&i.value)),
            _ => is_one(&name.to_string().to_ascii_lowercase()),
        },
        _ => is_one(&name.to_string().to_ascii_lowercase()),
    }
}

/// Sensitive-named column references in the projection that are not inside an aggregate.
fn exposed_sensitive_columns(projection: &[SelectItem]) -> Vec<String> {
    let mut out = Vec::new();
    for item in projection {
        let e = match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
            _ => continue,
        };
        collect_exposed(e, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

fn collect_exposed(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
            // Case does not change what a name says: only a sensitive one is copied.
            if let Some(c) = predicate::column_name_ref(e) {
                if names::is_sensitive_column(c) {
                    out.push(c.to_ascii_lowercase());
                }
            }
        }
        Expr::Function(f) => {
            if is_hiding_aggregate(&f.name) {
                return;
            }
            if let FunctionArguments::List(l) = &f.args {
                for a in &l.args {
                    if let sqlparser::ast::FunctionArg::Unnamed(
                        sqlparser::ast::FunctionArgExpr::Expr(x),
                    )
                    | sqlparser::ast::FunctionArg::Named {
                        arg: sqlparser::ast::FunctionArgExpr::Expr(x),
                        ..
                    } = a
                    {
                        collect_exposed(x, out);
                    }
                }
            }
        }
        Expr::Nested(x) | Expr::Cast { expr: x, .. } | Expr::UnaryOp { expr: x, .. } => {
            collect_exposed(x, out)
        }
        Expr::BinaryOp { left, right, .. } => {
            collect_exposed(left, out);
            collect_exposed(right, out);
        }
        _ => {}
    }
}
