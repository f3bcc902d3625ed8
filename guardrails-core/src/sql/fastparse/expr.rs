//! Expressions of the subset, climbing precedence as sqlparser does, with the dialect's own
//! precedence values.

use sqlparser::ast::{
    BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList,
    FunctionArguments, ObjectName, ObjectNamePart, Value,
};
use sqlparser::dialect::Precedence;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Word};

use super::{words, Parser};
use crate::action::Dialect;

/// Parentheses and calls the subset nests; deeper expressions go to sqlparser, whose recursion
/// limit is then the one that applies.
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
                let inner = self.nested(|p| p.expr(0))?;
                self.expect(&Token::RParen)?;
                return Some(Expr::Nested(Box::new(inner)));
            }
            _ => return None,
        };
        self.at += 1;
        Some(Expr::Value(value.with_empty_span()))
    }

    /// Runs `f` one level deeper, when the subset allows it.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
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
        if self.peek_nth(1) == Some(&Token::LParen) {
            if !words::is_function_name(w) {
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
        if self.peek() == Some(&Token::Mul) && self.peek_nth(1) == Some(&Token::RParen) {
            self.at += 1;
            args.push(FunctionArg::Unnamed(FunctionArgExpr::Wildcard));
        } else if self.peek() != Some(&Token::RParen) {
            loop {
                let e = self.nested(|p| p.expr(0))?;
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
                duplicate_treatment: None,
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

/// Keywords sqlparser may read as an infix operator (by its precedence table) other than the
/// subset's `AND`, `OR` and `IS`.
fn is_operator_word(k: Keyword) -> bool {
    matches!(
        k,
        Keyword::XOR
            | Keyword::AT
            | Keyword::NOT
            | Keyword::NOTNULL
            | Keyword::GLOBAL
            | Keyword::IN
            | Keyword::BETWEEN
            | Keyword::OVERLAPS
            | Keyword::LIKE
            | Keyword::ILIKE
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
