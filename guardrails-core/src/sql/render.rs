//! Expressions written back as text for messages, as sqlparser's `Display` writes them, without
//! its formatting machinery for the plain shapes most `WHERE` clauses have.

use sqlparser::ast::{BinaryOperator, Expr, Value};

/// A short rendering of an expression for messages: sqlparser's text, cut at 60 bytes.
pub(crate) fn short(e: &Expr) -> String {
    let mut s = String::new();
    if !plain(e, &mut s) {
        s = e.to_string();
    }
    if s.len() > 60 {
        let cut = (0..=57).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
        format!("{}...", s.get(..cut).unwrap_or(""))
    } else {
        s
    }
}

/// Writes `e` as sqlparser's `Display` does when it is made of unquoted names, plain numbers,
/// placeholders and the common binary operators; `false` (with `out` partly written) otherwise.
fn plain(e: &Expr, out: &mut String) -> bool {
    match e {
        Expr::Identifier(i) if i.quote_style.is_none() => out.push_str(&i.value),
        Expr::Value(v) => match &v.value {
            Value::Number(n, false) => out.push_str(n),
            Value::Placeholder(p) => out.push_str(p),
            _ => return false,
        },
        Expr::BinaryOp { left, op, right } => {
            let Some(op) = operator(op) else {
                return false;
            };
            if !plain(left, out) {
                return false;
            }
            out.push(' ');
            out.push_str(op);
            out.push(' ');
            return plain(right, out);
        }
        _ => return false,
    }
    true
}

/// How `Display` writes the operators [`plain`] takes.
fn operator(op: &BinaryOperator) -> Option<&'static str> {
    Some(match op {
        BinaryOperator::Eq => "=",
        BinaryOperator::NotEq => "<>",
        BinaryOperator::Lt => "<",
        BinaryOperator::Gt => ">",
        BinaryOperator::LtEq => "<=",
        BinaryOperator::GtEq => ">=",
        BinaryOperator::Plus => "+",
        BinaryOperator::Minus => "-",
        BinaryOperator::Multiply => "*",
        BinaryOperator::Divide => "/",
        BinaryOperator::Modulo => "%",
        BinaryOperator::And => "AND",
        BinaryOperator::Or => "OR",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    use super::{plain, short};
    use crate::testrng::Rng;

    /// Every plain rendering is `Display`'s, over generated expressions of the shapes it takes
    /// and of some it refuses.
    #[test]
    fn plain_rendering_is_displays() {
        let atoms = [
            "1", "0", "42", "1.5", "a", "users.id", "$1", "'x'", "\"Q\"", "NULL", "TRUE",
        ];
        let ops = [
            "=", "<>", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "AND", "OR", "||",
        ];
        let mut rng = Rng::new(3);
        let mut plain_count = 0;
        for _ in 0..3000 {
            let mut text = rng.pick(&atoms).to_string();
            for _ in 0..rng.below(4) {
                text = format!("{text} {} {}", rng.pick(&ops), rng.pick(&atoms));
            }
            let Ok(e) = Parser::new(&PostgreSqlDialect {})
                .try_with_sql(&text)
                .and_then(|mut p| p.parse_expr())
            else {
                continue;
            };
            let mut out = String::new();
            if plain(&e, &mut out) {
                plain_count += 1;
                assert_eq!(out, e.to_string(), "{text}");
            }
            let full = e.to_string();
            let expected = if full.len() > 60 {
                format!("{}...", &full[..57])
            } else {
                full
            };
            assert_eq!(short(&e), expected, "{text}");
        }
        assert!(plain_count > 500, "only {plain_count} plain expressions");
    }
}
