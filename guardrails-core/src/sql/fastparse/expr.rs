//! Expressions of the subset, climbing precedence as sqlparser does, with the dialect's own
//! precedence values.

use sqlparser::ast::{
    BinaryOperator, DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArgumentList, FunctionArguments, InTarget, Interval, ObjectName, ObjectNamePart,
    UnaryOperator, Value,
};
use sqlparser::dialect::Precedence;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Word};

use super::{words, Parser};
use crate::action::Dialect;

/// Parentheses, calls, subqueries and unary operators the subset nests; deeper expressions go
/// to sqlparser, whose recursion limit is then the one that applies. (Binary operators loop, and
/// their right-hand sides recurse only as far as precedence climbs: a few levels.)
const MAX_NESTING: u8 = 16;

impl Parser<'_> {
    /// An expression whose operators all bind tighter than `precedence`.
    pub(super) fn expr(&mut self, precedence: u8) -> Option<Expr> {
        let mut left = self.prefix()?;
        loop {
            let next = self.next_precedence()?;
            if precedence >= next {
                return Some(left);
            }
            left = self.infix(left, next)?;
        }
    }

    /// The precedence of the operator at the cursor, the dialect's "unknown" (which ends an
    /// expression) for what cannot continue one, and `None` for an operator outside the subset.
    fn next_precedence(&self) -> Option<u8> {
        let d = self.d;
        let p = match self.peek() {
            None | Some(Token::Comma | Token::RParen | Token::SemiColon) => d.prec_unknown(),
            Some(Token::Eq | Token::Neq) => d.prec_value(Precedence::Eq),
            // SQLite ranks `<` and `>` one above `=` (its `COMPARISON_PREC`, which it does not
            // export; the differential tests hold the value to sqlparser's).
            Some(Token::Lt | Token::Gt | Token::LtEq | Token::GtEq) => {
                d.prec_value(Precedence::Eq) + u8::from(self.dialect == Dialect::Sqlite)
            }
            Some(Token::Plus | Token::Minus) => d.prec_value(Precedence::PlusMinus),
            Some(Token::Mul | Token::Div | Token::Mod) => d.prec_value(Precedence::MulDivModOp),
            Some(Token::Word(w)) => match w.keyword {
                Keyword::AND => d.prec_value(Precedence::And),
                Keyword::OR => d.prec_value(Precedence::Or),
                Keyword::IS => d.prec_value(Precedence::Is),
                Keyword::IN | Keyword::BETWEEN => d.prec_value(Precedence::Between),
                Keyword::LIKE | Keyword::ILIKE => d.prec_value(Precedence::Like),
                Keyword::NOT => match self.peek_nth(1) {
                    Some(Token::Word(n)) => match n.keyword {
                        Keyword::IN | Keyword::BETWEEN => d.prec_value(Precedence::Between),
                        Keyword::LIKE | Keyword::ILIKE => d.prec_value(Precedence::Like),
                        _ => return None,
                    },
                    _ => return None,
                },
                k if is_operator_word(k) => return None,
                _ => d.prec_unknown(),
            },
            Some(_) => return None,
        };
        Some(p)
    }

    fn infix(&mut self, left: Expr, precedence: u8) -> Option<Expr> {
        let op = match self.bump()? {
            Token::Eq => BinaryOperator::Eq,
            Token::Neq => BinaryOperator::NotEq,
            Token::Lt => BinaryOperator::Lt,
            Token::Gt => BinaryOperator::Gt,
            Token::LtEq => BinaryOperator::LtEq,
            Token::GtEq => BinaryOperator::GtEq,
            Token::Plus => BinaryOperator::Plus,
            Token::Minus => BinaryOperator::Minus,
            Token::Mul => BinaryOperator::Multiply,
            Token::Div => BinaryOperator::Divide,
            Token::Mod => BinaryOperator::Modulo,
            Token::Word(w) if w.keyword == Keyword::AND => BinaryOperator::And,
            Token::Word(w) if w.keyword == Keyword::OR => BinaryOperator::Or,
            Token::Word(w)
                if matches!(
                    w.keyword,
                    Keyword::NOT | Keyword::IN | Keyword::BETWEEN | Keyword::LIKE | Keyword::ILIKE
                ) =>
            {
                self.at -= 1;
                return self.predicate(left);
            }
            Token::Word(w) if w.keyword == Keyword::IS => {
                let not = self.eat_keyword(Keyword::NOT);
                self.expect_keyword(Keyword::NULL)?;
                let inner = Box::new(left);
                return Some(if not {
                    Expr::IsNotNull(inner)
                } else {
                    Expr::IsNull(inner)
                });
            }
            _ => return None,
        };
        let right = self.expr(precedence)?;
        Some(Expr::BinaryOp {
            left: Box::new(left),
            op,
            right: Box::new(right),
        })
    }

    fn prefix(&mut self) -> Option<Expr> {
        let value = match self.peek()? {
            Token::Word(w) => return self.word(w),
            Token::Number(n, long) => Value::Number(n.clone(), *long),
            Token::SingleQuotedString(s) => Value::SingleQuotedString(s.clone()),
            Token::Placeholder(s) => Value::Placeholder(s.clone()),
            Token::LParen => {
                self.at += 1;
                let inner = self.nested(Self::parenthesized)?;
                self.expect(&Token::RParen)?;
                return Some(inner);
            }
            Token::Minus | Token::Plus => {
                let op = if self.bump()? == &Token::Minus {
                    UnaryOperator::Minus
                } else {
                    UnaryOperator::Plus
                };
                // Nested like parentheses: `- - - … x` must not recurse without bound.
                let operand = self.nested(|p| p.expr(p.d.prec_value(Precedence::MulDivModOp)))?;
                return Some(Expr::UnaryOp {
                    op,
                    expr: Box::new(operand),
                });
            }
            _ => return None,
        };
        self.at += 1;
        Some(Expr::Value(value.with_empty_span()))
    }

    /// Runs `f` one level deeper, when the subset allows it.
    pub(super) fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if self.depth >= MAX_NESTING {
            return None;
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    /// A literal keyword, a column (`a`, `t.a`) or a call `f(…)`.
    fn word(&mut self, w: &Word) -> Option<Expr> {
        let literal = match w.keyword {
            Keyword::NULL => Some(Value::Null),
            Keyword::TRUE if self.d.supports_boolean_literals() => Some(Value::Boolean(true)),
            Keyword::FALSE if self.d.supports_boolean_literals() => Some(Value::Boolean(false)),
            _ => None,
        };
        if let Some(v) = literal {
            self.at += 1;
            return Some(Expr::Value(v.with_empty_span()));
        }
        match w.keyword {
            Keyword::NOT => {
                self.at += 1;
                if self.eat_keyword(Keyword::EXISTS) {
                    return self.exists(true);
                }
                let operand = self.nested(|p| p.expr(p.d.prec_value(Precedence::UnaryNot)))?;
                return Some(Expr::UnaryOp {
                    op: UnaryOperator::Not,
                    expr: Box::new(operand),
                });
            }
            Keyword::EXISTS => {
                self.at += 1;
                return self.exists(false);
            }
            Keyword::INTERVAL => return self.interval(),
            _ => {}
        }
        if self.peek_nth(1) == Some(&Token::LParen) {
            if !words::is_function_name(w, self.d.supports_xml_expressions()) {
                return None;
            }
            self.at += 1;
            return self.call(ObjectName(vec![ObjectNamePart::Identifier(words::ident(
                w,
            ))]));
        }
        let first = self.ident()?;
        match self.peek() {
            Some(Token::Period) => {
                let mut parts = vec![first];
                while self.eat(&Token::Period) {
                    parts.push(self.ident()?);
                }
                (self.peek() != Some(&Token::LParen)).then_some(Expr::CompoundIdentifier(parts))
            }
            _ => Some(Expr::Identifier(first)),
        }
    }

    /// `name(e, …)`, `name()` or `name(*)`.
    fn call(&mut self, name: ObjectName) -> Option<Expr> {
        self.expect(&Token::LParen)?;
        let mut args = vec![];
        let duplicate_treatment = if self.eat_keyword(Keyword::DISTINCT) {
            Some(DuplicateTreatment::Distinct)
        } else {
            None
        };
        if duplicate_treatment.is_none()
            && self.peek() == Some(&Token::Mul)
            && self.peek_nth(1) == Some(&Token::RParen)
        {
            self.at += 1;
            args.push(FunctionArg::Unnamed(FunctionArgExpr::Wildcard));
        } else if duplicate_treatment.is_some() || self.peek() != Some(&Token::RParen) {
            // `f(DISTINCT)` names no argument: sqlparser rejects it, so must this.
            loop {
                let e = self.nested(|p| p.expr(p.d.prec_unknown()))?;
                args.push(FunctionArg::Unnamed(FunctionArgExpr::Expr(e)));
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
        }
        self.expect(&Token::RParen)?;
        Some(Expr::Function(Function {
            name,
            uses_odbc_syntax: false,
            parameters: FunctionArguments::None,
            args: FunctionArguments::List(FunctionArgumentList {
                duplicate_treatment,
                args,
                clauses: vec![],
            }),
            filter: None,
            null_treatment: None,
            over: None,
            within_group: vec![],
        }))
    }
}

impl Parser<'_> {
    /// After `(`: a subquery, a tuple or a parenthesized expression (the `)` is the caller's).
    fn parenthesized(&mut self) -> Option<Expr> {
        if matches!(self.keyword(), Some(Keyword::SELECT | Keyword::WITH)) {
            return Some(Expr::Subquery(self.query(false)?));
        }
        let first = self.expr(self.d.prec_unknown())?;
        if !self.eat(&Token::Comma) {
            return Some(Expr::Nested(Box::new(first)));
        }
        let mut items = vec![first];
        loop {
            items.push(self.expr(self.d.prec_unknown())?);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        Some(Expr::Tuple(items))
    }

    /// `INTERVAL '…'` without a unit after it, where the dialect does not require one
    /// (Postgres' `now() - interval '30 days'`).
    fn interval(&mut self) -> Option<Expr> {
        if self.d.require_interval_qualifier() {
            return None;
        }
        let Some(Token::SingleQuotedString(s)) = self.peek_nth(1) else {
            return None;
        };
        // A unit (`'1' DAY`) or a precision (`'1' (3)`) is left to sqlparser.
        match self.peek_nth(2) {
            Some(Token::Word(w)) if self.d.is_interval_qualifier(w.keyword) => return None,
            Some(Token::LParen) => return None,
            _ => {}
        }
        self.at += 2;
        Some(Expr::Interval(Interval {
            value: Box::new(Expr::Value(
                Value::SingleQuotedString(s.clone()).with_empty_span(),
            )),
            leading_field: None,
            leading_precision: None,
            last_field: None,
            fractional_seconds_precision: None,
        }))
    }

    /// `EXISTS (query)`, after `EXISTS`.
    fn exists(&mut self, negated: bool) -> Option<Expr> {
        self.expect(&Token::LParen)?;
        let subquery = self.nested(|p| p.query(false))?;
        self.expect(&Token::RParen)?;
        Some(Expr::Exists { subquery, negated })
    }

    /// `[NOT] IN (…)`, `[NOT] BETWEEN a AND b`, `[NOT] LIKE p`, `[NOT] ILIKE p`.
    fn predicate(&mut self, left: Expr) -> Option<Expr> {
        let negated = self.eat_keyword(Keyword::NOT);
        let expr = Box::new(left);
        let d = self.d;
        match self.keyword()? {
            Keyword::IN => {
                self.at += 1;
                self.expect(&Token::LParen)?;
                // `IN ((SELECT …))` is a subquery to sqlparser, `IN ((SELECT …), 2)` a list.
                if self.peek() == Some(&Token::LParen) {
                    return None;
                }
                let target = if matches!(self.keyword(), Some(Keyword::SELECT | Keyword::WITH)) {
                    InTarget::Subquery(self.nested(|p| p.query(false))?)
                } else {
                    let mut list = vec![];
                    loop {
                        list.push(self.nested(|p| p.expr(p.d.prec_unknown()))?);
                        if !self.eat(&Token::Comma) {
                            break;
                        }
                    }
                    InTarget::List(list)
                };
                self.expect(&Token::RParen)?;
                Some(Expr::In {
                    expr,
                    target,
                    negated,
                    global: false,
                })
            }
            Keyword::BETWEEN => {
                self.at += 1;
                let low = self.expr(d.between_low_bound_precedence())?;
                if d.supports_comparison_in_between_low_bound()
                    && matches!(
                        self.peek(),
                        Some(
                            Token::Eq
                                | Token::Neq
                                | Token::Lt
                                | Token::Gt
                                | Token::LtEq
                                | Token::GtEq
                        )
                    )
                {
                    return None;
                }
                self.expect_keyword(Keyword::AND)?;
                let high = self.expr(d.prec_value(Precedence::Between))?;
                Some(Expr::Between {
                    expr,
                    negated,
                    low: Box::new(low),
                    high: Box::new(high),
                })
            }
            k @ (Keyword::LIKE | Keyword::ILIKE) => {
                self.at += 1;
                if self.keyword() == Some(Keyword::ANY) {
                    return None;
                }
                let pattern = Box::new(self.expr(d.prec_value(Precedence::Like))?);
                if self.keyword() == Some(Keyword::ESCAPE) {
                    return None;
                }
                Some(if k == Keyword::LIKE {
                    Expr::Like {
                        negated,
                        any: false,
                        expr,
                        pattern,
                        escape_char: None,
                    }
                } else {
                    Expr::ILike {
                        negated,
                        any: false,
                        expr,
                        pattern,
                        escape_char: None,
                    }
                })
            }
            _ => None,
        }
    }
}

/// Keywords sqlparser may read as an infix operator (by its precedence table) other than the
/// subset's `AND`, `OR`, `IS`, `[NOT] IN`, `[NOT] BETWEEN` and `[NOT] LIKE`/`ILIKE`.
fn is_operator_word(k: Keyword) -> bool {
    matches!(
        k,
        Keyword::XOR
            | Keyword::AT
            | Keyword::NOTNULL
            | Keyword::GLOBAL
            | Keyword::OVERLAPS
            | Keyword::RLIKE
            | Keyword::REGEXP
            | Keyword::MATCH
            | Keyword::GLOB
            | Keyword::SIMILAR
            | Keyword::MEMBER
            | Keyword::OPERATOR
            | Keyword::DIV
            | Keyword::COLLATE
    )
}
