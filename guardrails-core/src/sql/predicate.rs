//! Judging a WHERE/ON predicate by its form: constant folding for tautologies, and a scope
//! (key lookup, broad, all rows) for the rest. The guard cannot see the data (principle 5 of
//! the labelling policy): the form is all it judges.

use sqlparser::ast::{
    BinaryOperator, Expr, InTarget, Query, SetExpr, TableFactor, UnaryOperator, Value,
};

use super::render::short;
use crate::action::Dialect;

/// The scope of a predicate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Matches no row (`WHERE false`, `IN ()`).
    Nothing,
    /// A key lookup or a short list of keys, or the children of one parent.
    Key,
    /// A real predicate that can match many rows.
    Broad,
    /// True for every row; the string says why.
    All(String),
}

/// Facts about the target table a predicate is judged against.
pub(crate) struct Target<'a> {
    /// Lower-case names the target is known by (table name, alias).
    pub names: &'a [std::borrow::Cow<'a, str>],
    pub dialect: Dialect,
}

#[derive(Clone, Debug, PartialEq)]
enum Const {
    Num(f64),
    Str(String),
    Bool(bool),
    Null,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Truth {
    True,
    False,
    Unknown,
}

fn value_const(v: &Value) -> Option<Const> {
    match v {
        Value::Number(n, _) => n.parse::<f64>().ok().map(Const::Num),
        Value::SingleQuotedString(s)
        | Value::DoubleQuotedString(s)
        | Value::NationalStringLiteral(s)
        | Value::EscapedStringLiteral(s) => Some(Const::Str(s.clone())),
        Value::Boolean(b) => Some(Const::Bool(*b)),
        Value::Null => Some(Const::Null),
        _ => None,
    }
}

fn constant(e: &Expr) -> Option<Const> {
    match e {
        Expr::Value(v) => value_const(&v.value),
        Expr::Nested(x) => constant(x),
        Expr::Cast { expr, .. } => constant(expr),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match constant(expr)? {
            Const::Num(n) => Some(Const::Num(-n)),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr,
        } => constant(expr),
        Expr::BinaryOp { left, op, right } => {
            let (Const::Num(a), Const::Num(b)) = (constant(left)?, constant(right)?) else {
                return None;
            };
            Some(Const::Num(match op {
                BinaryOperator::Plus => a + b,
                BinaryOperator::Minus => a - b,
                BinaryOperator::Multiply => a * b,
                BinaryOperator::Divide if b != 0.0 => a / b,
                _ => return None,
            }))
        }
        _ => None,
    }
}

fn as_num(c: &Const) -> Option<f64> {
    match c {
        Const::Num(n) => Some(*n),
        Const::Bool(b) => Some(f64::from(u8::from(*b))),
        Const::Str(s) => s.trim().parse().ok(),
        Const::Null => None,
    }
}

fn compare(a: &Const, op: &BinaryOperator, b: &Const) -> Truth {
    use std::cmp::Ordering;
    if matches!(a, Const::Null) || matches!(b, Const::Null) {
        return Truth::False;
    }
    let ord = match (a, b) {
        (Const::Str(x), Const::Str(y)) => Some(x.cmp(y)),
        _ => as_num(a)
            .zip(as_num(b))
            .and_then(|(x, y)| x.partial_cmp(&y)),
    };
    let Some(ord) = ord else {
        return Truth::Unknown;
    };
    let t = match op {
        BinaryOperator::Eq | BinaryOperator::Spaceship => ord == Ordering::Equal,
        BinaryOperator::NotEq => ord != Ordering::Equal,
        BinaryOperator::Lt => ord == Ordering::Less,
        BinaryOperator::LtEq => ord != Ordering::Greater,
        BinaryOperator::Gt => ord == Ordering::Greater,
        BinaryOperator::GtEq => ord != Ordering::Less,
        _ => return Truth::Unknown,
    };
    if t {
        Truth::True
    } else {
        Truth::False
    }
}

fn is_comparison(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
            | BinaryOperator::Spaceship
    )
}

/// The last identifier of a column reference, as written ([`column_name`] lower-cases it).
pub(crate) fn column_name_ref(e: &Expr) -> Option<&str> {
    match e {
        Expr::Identifier(i) if is_variable(&i.value) => None,
        Expr::Identifier(i) => Some(&i.value),
        Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.as_str()),
        Expr::Nested(x) => column_name_ref(x),
        _ => None,
    }
}

/// The lower-case name of a column reference, borrowed when it is lower-case already.
pub(crate) fn column_name(e: &Expr) -> Option<std::borrow::Cow<'_, str>> {
    column_name_ref(e).map(super::names::lower)
}

fn is_or(op: &BinaryOperator, dialect: Dialect) -> bool {
    matches!(op, BinaryOperator::Or)
        || (matches!(op, BinaryOperator::StringConcat) && matches!(dialect, Dialect::Mysql))
}

/// T-SQL/MySQL variables and bind names (`@id`, `:id`).
fn is_variable(name: &str) -> bool {
    name.starts_with('@') || name.starts_with(':')
}

/// Whether a value side of a comparison is a parameter or literal (what a key lookup compares to).
fn is_value(e: &Expr) -> bool {
    match e {
        Expr::Identifier(i) => is_variable(&i.value),
        // A scalar subquery compared with `=` returns at most one row (or the statement fails).
        Expr::Subquery(_) => true,
        Expr::Value(v) => !matches!(v.value, Value::Null),
        Expr::Nested(x) | Expr::Cast { expr: x, .. } => is_value(x),
        Expr::UnaryOp { expr, .. } => is_value(expr),
        Expr::Function(f) => {
            // uuid('...'), lower($1), unhex(?) ...
            let args = f.args.to_string();
            !args.to_ascii_lowercase().contains("select")
        }
        Expr::TypedString(_) => true,
        _ => false,
    }
}

/// Columns that identify one row, or one parent's children.
fn is_key_column(name: &str) -> bool {
    const BROAD_PARENTS: &[&str] = &[
        "tenant",
        "account",
        "org",
        "organization",
        "organisation",
        "workspace",
        "company",
        "team",
        "merchant",
        "shop",
        "store",
        "site",
        "domain",
        "region",
        "country",
        "status",
        "type",
        "kind",
        "category",
        "group",
        "role",
        "plan",
        "state",
    ];
    const KEYS: &[&str] = &[
        "id",
        "uuid",
        "guid",
        "pk",
        "key",
        "token",
        "token_hash",
        "email",
        "username",
        "user_name",
        "login",
        "slug",
        "sku",
        "handle",
        "code",
        "ssn",
        "isbn",
        "hash",
        "name_key",
        "jti",
        "nonce",
        "rowid",
        "oid",
        "_id",
        "path",
        "filename",
        "idempotency_key",
        "session",
        "phone",
        "ctid",
    ];
    if KEYS.contains(&name) {
        return true;
    }
    for suffix in [
        "_id", "_uuid", "_key", "_hash", "_token", "_guid", "_no", "_number", "_ref", "_code",
    ] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return !BROAD_PARENTS.contains(&stem) && !stem.is_empty();
        }
    }
    // camelCase ids: userId, orderID
    if name.len() > 2 && name.ends_with("id") && !name.ends_with("_id") {
        let stem = name.trim_end_matches("id");
        return !BROAD_PARENTS.contains(&stem)
            && stem.chars().last().is_some_and(|c| c.is_ascii_alphabetic());
    }
    false
}

fn is_serial_key(name: &str) -> bool {
    matches!(name, "id" | "rowid" | "_rowid_" | "oid")
}

fn is_now(e: &Expr) -> bool {
    match e {
        Expr::Function(f) => {
            let n = f.name.to_string().to_ascii_lowercase();
            matches!(
                n.as_str(),
                "now"
                    | "current_timestamp"
                    | "getdate"
                    | "sysdate"
                    | "getutcdate"
                    | "sysdatetime"
                    | "current_date"
                    | "localtimestamp"
                    | "utc_timestamp"
                    | "datetime"
                    | "date"
            ) && (f
                .args
                .to_string()
                .trim_matches(|c| c == '(' || c == ')')
                .is_empty()
                || f.args.to_string().to_ascii_lowercase().contains("'now'"))
        }
        Expr::Nested(x) => is_now(x),
        Expr::Identifier(i) => {
            matches!(
                i.value.to_ascii_lowercase().as_str(),
                "current_timestamp" | "current_date" | "localtimestamp" | "sysdate"
            )
        }
        _ => false,
    }
}

fn is_creation_time(name: &str) -> bool {
    matches!(
        name,
        "created_at"
            | "created"
            | "creation_date"
            | "created_on"
            | "inserted_at"
            | "createdat"
            | "create_time"
            | "created_time"
    )
}

fn textual_column(name: &str) -> bool {
    matches!(
        name,
        "name"
            | "username"
            | "user_name"
            | "email"
            | "login"
            | "password"
            | "title"
            | "slug"
            | "first_name"
            | "last_name"
            | "user"
            | "handle"
            | "code"
            | "token"
            | "description"
    )
}

/// Folds an expression to a truth value where it is constant.
fn truth(e: &Expr, t: &Target<'_>) -> Truth {
    match e {
        Expr::Nested(x) => truth(x, t),
        Expr::Value(v) => match value_const(&v.value) {
            Some(Const::Bool(b)) => to_truth(b),
            Some(Const::Num(n)) => to_truth(n != 0.0),
            Some(Const::Null) => Truth::False,
            Some(Const::Str(s)) if matches!(t.dialect, Dialect::Mysql | Dialect::Sqlite) => {
                to_truth(s.trim().parse::<f64>().is_ok_and(|n| n != 0.0))
            }
            _ => Truth::Unknown,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr,
        } => match truth(expr, t) {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        },
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => match (truth(left, t), truth(right, t)) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        },
        Expr::BinaryOp { left, op, right } if is_or(op, t.dialect) => {
            match (truth(left, t), truth(right, t)) {
                (Truth::True, _) | (_, Truth::True) => Truth::True,
                (Truth::False, Truth::False) => Truth::False,
                _ => Truth::Unknown,
            }
        }
        Expr::BinaryOp { left, op, right } if is_comparison(op) => {
            if let (Some(a), Some(b)) = (constant(left), constant(right)) {
                return compare(&a, op, &b);
            }
            if matches!(
                op,
                BinaryOperator::Eq | BinaryOperator::GtEq | BinaryOperator::LtEq
            ) && same_column(left, right)
            {
                return Truth::True;
            }
            Truth::Unknown
        }
        Expr::In {
            expr,
            target: InTarget::List(list),
            negated,
            ..
        } => {
            if list.is_empty() {
                return to_truth(*negated);
            }
            let Some(x) = constant(expr) else {
                return Truth::Unknown;
            };
            let consts: Option<Vec<Const>> = list.iter().map(constant).collect();
            let Some(consts) = consts else {
                return Truth::Unknown;
            };
            let found = consts
                .iter()
                .any(|c| compare(&x, &BinaryOperator::Eq, c) == Truth::True);
            to_truth(found != *negated)
        }
        Expr::Between {
            expr,
            negated,
            low,
            high,
        } => {
            let (Some(x), Some(l), Some(h)) = (constant(expr), constant(low), constant(high))
            else {
                return Truth::Unknown;
            };
            let inside = compare(&x, &BinaryOperator::GtEq, &l) == Truth::True
                && compare(&x, &BinaryOperator::LtEq, &h) == Truth::True;
            to_truth(inside != *negated)
        }
        Expr::Like {
            negated,
            expr,
            pattern,
            ..
        }
        | Expr::ILike {
            negated,
            expr,
            pattern,
            ..
        } => {
            let all = matches!(constant(pattern), Some(Const::Str(p)) if !p.is_empty() && p.chars().all(|c| c == '%'));
            if all && (!matches!(**expr, Expr::Value(_)) || constant(expr).is_some()) {
                return to_truth(!*negated);
            }
            match (constant(expr), constant(pattern)) {
                (Some(Const::Str(a)), Some(Const::Str(p))) if !p.contains(['%', '_']) => {
                    to_truth((a == p) != *negated)
                }
                _ => Truth::Unknown,
            }
        }
        Expr::IsNull(x) => match constant(x) {
            Some(Const::Null) => Truth::True,
            Some(_) => Truth::False,
            None => Truth::Unknown,
        },
        Expr::IsNotNull(x) => match constant(x) {
            Some(Const::Null) => Truth::False,
            Some(_) => Truth::True,
            None => Truth::Unknown,
        },
        Expr::IsTrue(x) => truth(x, t),
        Expr::In {
            target: InTarget::Subquery(q),
            negated,
            ..
        } if query_is_empty(q, t) => to_truth(*negated),
        Expr::Exists { subquery, negated } if query_is_constant_row(subquery) => {
            to_truth(!*negated)
        }
        _ => Truth::Unknown,
    }
}

fn to_truth(b: bool) -> Truth {
    if b {
        Truth::True
    } else {
        Truth::False
    }
}

fn same_column(a: &Expr, b: &Expr) -> bool {
    // The identifier parts, compared case-insensitively in place (no lower-case copies).
    fn parts(e: &Expr) -> Option<&[sqlparser::ast::Ident]> {
        match e {
            Expr::Identifier(i) => Some(std::slice::from_ref(i)),
            Expr::CompoundIdentifier(p) => Some(p),
            Expr::Nested(x) => match &**x {
                Expr::Identifier(i) => Some(std::slice::from_ref(i)),
                Expr::CompoundIdentifier(p) => Some(p),
                _ => None,
            },
            _ => None,
        }
    }
    let same = |p: &sqlparser::ast::Ident, q: &sqlparser::ast::Ident| {
        p.value.eq_ignore_ascii_case(&q.value)
    };
    match (parts(a), parts(b)) {
        (Some(x), Some(y)) => {
            let all = x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q));
            let last = match (x.last(), y.last()) {
                (Some(p), Some(q)) => same(p, q),
                (None, None) => true,
                _ => false,
            };
            all || (last && (x.len() == 1 || y.len() == 1))
        }
        _ => false,
    }
}

/// A subquery whose WHERE is constant false: it returns no row.
fn query_is_empty(q: &Query, t: &Target<'_>) -> bool {
    match &*q.body {
        SetExpr::Select(s) => s
            .selection
            .as_ref()
            .is_some_and(|w| truth(w, t) == Truth::False),
        _ => false,
    }
}

/// `SELECT 1` with no FROM: a subquery that always returns a row.
fn query_is_constant_row(q: &Query) -> bool {
    match &*q.body {
        SetExpr::Select(s) => s.from.is_empty() && s.selection.is_none(),
        SetExpr::Values(_) => true,
        _ => false,
    }
}

/// MySQL reads `a = b || c` as `(a = b) OR c`; sqlparser's MySQL dialect parses `||` as
/// concatenation binding tighter than `=`. Re-associate to MySQL's own meaning.
fn mysql_or(e: &Expr) -> Option<Expr> {
    match e {
        Expr::BinaryOp { left, op, right } if is_comparison(op) => match &**right {
            Expr::BinaryOp {
                left: rl,
                op: BinaryOperator::StringConcat,
                right: rr,
            } => Some(Expr::BinaryOp {
                left: Box::new(Expr::BinaryOp {
                    left: left.clone(),
                    op: op.clone(),
                    right: rl.clone(),
                }),
                op: BinaryOperator::Or,
                right: rr.clone(),
            }),
            _ => None,
        },
        Expr::BinaryOp { left, op, right } => {
            let l = mysql_or(left);
            let r = mysql_or(right);
            (l.is_some() || r.is_some()).then(|| Expr::BinaryOp {
                left: Box::new(l.unwrap_or_else(|| (**left).clone())),
                op: op.clone(),
                right: Box::new(r.unwrap_or_else(|| (**right).clone())),
            })
        }
        Expr::Nested(x) => mysql_or(x).map(|x| Expr::Nested(Box::new(x))),
        _ => None,
    }
}

/// Judges a predicate's scope.
pub(crate) fn scope(e: &Expr, t: &Target<'_>) -> Scope {
    if t.dialect == Dialect::Mysql {
        if let Some(fixed) = mysql_or(e) {
            return scope_of(&fixed, t);
        }
    }
    scope_of(e, t)
}

fn scope_of(e: &Expr, t: &Target<'_>) -> Scope {
    // AND/OR nodes combine their children's scopes (each child folds its own constants), so a
    // long chain is folded once, not once per level.
    let connective = matches!(e, Expr::Nested(_))
        || matches!(e, Expr::BinaryOp { op, .. } if matches!(op, BinaryOperator::And) || is_or(op, t.dialect));
    if !connective {
        match truth(e, t) {
            Truth::True => return Scope::All(["`", &short(e), "` is true for every row"].concat()),
            Truth::False => return Scope::Nothing,
            Truth::Unknown => {}
        }
    }
    match e {
        Expr::Nested(x) => scope_of(x, t),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => match (scope_of(left, t), scope_of(right, t)) {
            (Scope::Nothing, _) | (_, Scope::Nothing) => Scope::Nothing,
            (Scope::Key, _) | (_, Scope::Key) => Scope::Key,
            (Scope::All(a), Scope::All(_)) => Scope::All(a),
            _ if composite_key(e, t) => Scope::Key,
            _ => Scope::Broad,
        },
        Expr::BinaryOp { left, op, right }
            if is_or(op, t.dialect) && null_or_not_null(left, right) =>
        {
            Scope::All(["`", &short(e), "` holds for every row"].concat())
        }
        Expr::BinaryOp { left, op, right } if is_or(op, t.dialect) => {
            match (scope_of(left, t), scope_of(right, t)) {
                (Scope::All(a), _) | (_, Scope::All(a)) => Scope::All(a),
                (Scope::Nothing, Scope::Nothing) => Scope::Nothing,
                (Scope::Key | Scope::Nothing, Scope::Key | Scope::Nothing) => Scope::Key,
                _ => Scope::Broad,
            }
        }
        Expr::BinaryOp { left, op, right } if is_comparison(op) => {
            comparison_scope(left, op, right, t)
        }
        Expr::In {
            expr,
            target: InTarget::List(list),
            negated: false,
            ..
        } => match column_name(expr) {
            Some(c) if is_key_column(&c) && list.len() <= 1000 && list.iter().all(is_value) => {
                Scope::Key
            }
            _ => Scope::Broad,
        },
        Expr::In {
            expr,
            target: InTarget::Subquery(subquery),
            negated: false,
            ..
        } => {
            if let Some(col) = column_name(expr) {
                if subquery_selects_all_of_target(subquery, &col, t) {
                    return Scope::All(
                        ["`", &short(e), "` selects every row of the target"].concat(),
                    );
                }
            }
            Scope::Broad
        }
        Expr::AnyOp {
            left,
            compare_op: BinaryOperator::Eq,
            right,
            ..
        } => match (column_name(left), &**right) {
            (Some(c), r) if is_key_column(&c) && is_value(r) => Scope::Key,
            _ => Scope::Broad,
        },
        Expr::IsNotNull(x) => match column_name(x) {
            Some(c) if is_serial_key(&c) => {
                Scope::All(["`", &short(e), "` holds for every row"].concat())
            }
            _ => Scope::Broad,
        },
        _ => Scope::Broad,
    }
}

/// `x IS NULL OR x IS NOT NULL` (either order).
fn null_or_not_null(left: &Expr, right: &Expr) -> bool {
    fn strip(mut e: &Expr) -> &Expr {
        while let Expr::Nested(x) = e {
            e = x;
        }
        e
    }
    match (strip(left), strip(right)) {
        (Expr::IsNull(a), Expr::IsNotNull(b)) | (Expr::IsNotNull(a), Expr::IsNull(b)) => {
            same_column(a, b)
        }
        _ => false,
    }
}

fn comparison_scope(left: &Expr, op: &BinaryOperator, right: &Expr, t: &Target<'_>) -> Scope {
    let all = |why: &str| Scope::All(why.to_owned());
    // Nested comparisons compared to a literal: MySQL coercion (`name = '' = ''`).
    if matches!(
        t.dialect,
        Dialect::Mysql | Dialect::Generic | Dialect::Sqlite
    ) {
        let nested_cmp = |e: &Expr| matches!(e, Expr::BinaryOp { op, .. } if is_comparison(op));
        if (nested_cmp(left) && constant(right).is_some())
            || (nested_cmp(right) && constant(left).is_some())
        {
            return all(
                "a comparison compared to a literal is true for every row under MySQL coercion",
            );
        }
    }
    if !belongs_to_target(left, t) || !belongs_to_target(right, t) {
        return Scope::Broad;
    }
    let (col, other, op) = match (column_name(left), column_name(right)) {
        (Some(c), None) => (c, right, op.clone()),
        (None, Some(c)) => (c, left, flip(op)),
        (Some(_), Some(_)) => return Scope::Broad,
        (None, None) => return Scope::Broad,
    };
    if matches!(t.dialect, Dialect::Mysql)
        && matches!(op, BinaryOperator::Eq)
        && textual_column(&col)
    {
        if let Some(Const::Num(n)) = constant(other) {
            if n == 0.0 {
                return all(
                    "comparing a text column to `0` is true for every row under MySQL coercion",
                );
            }
        }
    }
    match op {
        BinaryOperator::Eq if is_value(other) => {
            if is_key_column(&col) {
                Scope::Key
            } else {
                Scope::Broad
            }
        }
        BinaryOperator::Gt | BinaryOperator::GtEq if is_serial_key(&col) => match constant(other) {
            Some(Const::Num(n)) if n <= 1.0 && !(matches!(op, BinaryOperator::Gt) && n >= 1.0) => {
                all("a serial key is positive in every row")
            }
            _ => Scope::Broad,
        },
        BinaryOperator::Lt | BinaryOperator::LtEq if is_creation_time(&col) && is_now(other) => {
            all("every existing row was created in the past")
        }
        _ => Scope::Broad,
    }
}

/// Two or more equalities of target columns to values, at least one of them on a column that is
/// not a grouping column (tenant, status, type): a composite key (`city = 'x' AND date = 'y'`).
fn composite_key(e: &Expr, t: &Target<'_>) -> bool {
    let mut eqs = Vec::new();
    if !collect_equalities(e, t, &mut eqs) || eqs.len() < 2 {
        return false;
    }
    eqs.iter().any(|c| !is_grouping_column(c))
}

fn collect_equalities(e: &Expr, t: &Target<'_>, out: &mut Vec<String>) -> bool {
    match e {
        Expr::Nested(x) => collect_equalities(x, t, out),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => collect_equalities(left, t, out) && collect_equalities(right, t, out),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } if belongs_to_target(left, t) => match (column_name(left), is_value(right)) {
            (Some(c), true) => {
                out.push(c.into_owned());
                true
            }
            _ => false,
        },
        _ => false,
    }
}

fn is_grouping_column(name: &str) -> bool {
    const GROUPS: &[&str] = &[
        "tenant",
        "account",
        "org",
        "organization",
        "organisation",
        "workspace",
        "company",
        "team",
        "status",
        "state",
        "type",
        "kind",
        "category",
        "role",
        "plan",
        "region",
        "country",
        "active",
        "enabled",
        "deleted",
        "archived",
        "level",
        "tier",
        "group",
        "flag",
        "is_active",
        "is_deleted",
    ];
    let stem = name.strip_suffix("_id").unwrap_or(name);
    GROUPS.contains(&stem) || name.starts_with("is_") || name.starts_with("has_")
}

/// A column qualified by another table than the target does not scope the target's rows.
fn belongs_to_target(e: &Expr, t: &Target<'_>) -> bool {
    match e {
        Expr::CompoundIdentifier(parts) if parts.len() >= 2 && !t.names.is_empty() => {
            let q = parts
                .iter()
                .rev()
                .nth(1)
                .map(|i| i.value.to_ascii_lowercase())
                .unwrap_or_default();
            t.names
                .iter()
                .any(|n| n == &q || n.rsplit('.').next() == Some(q.as_str()))
        }
        Expr::Nested(x) => belongs_to_target(x, t),
        _ => true,
    }
}

fn flip(op: &BinaryOperator) -> BinaryOperator {
    match op {
        BinaryOperator::Lt => BinaryOperator::Gt,
        BinaryOperator::LtEq => BinaryOperator::GtEq,
        BinaryOperator::Gt => BinaryOperator::Lt,
        BinaryOperator::GtEq => BinaryOperator::LtEq,
        other => other.clone(),
    }
}

fn subquery_selects_all_of_target(q: &Query, col: &str, t: &Target<'_>) -> bool {
    let SetExpr::Select(s) = &*q.body else {
        return false;
    };
    if s.selection.is_some() || q.limit_clause.is_some() || s.from.len() != 1 {
        return false;
    }
    let Some(from) = s.from.first() else {
        return false;
    };
    if !from.joins.is_empty() {
        return false;
    }
    let TableFactor::Table { name, .. } = &from.relation else {
        return false;
    };
    let table = name.0.last().map(|p| {
        p.to_string()
            .trim_matches(['"', '`', '[', ']'])
            .to_ascii_lowercase()
    });
    let same_table = table.is_some_and(|tb| {
        t.names
            .iter()
            .any(|n| n.rsplit('.').next() == Some(tb.as_str()))
    });
    let selects_col = s.projection.first().is_some_and(|p| {
        matches!(p, sqlparser::ast::SelectItem::UnnamedExpr(e) if column_name(e).as_deref() == Some(col))
    });
    same_table && selects_col
}
