//! Which words the fast parser may read as identifiers, and how they become identifiers.

use sqlparser::ast::{Ident, ObjectNamePart};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Span, Token, Word};

use crate::action::Dialect;

/// Keywords that sqlparser reads as a plain identifier wherever the subset takes a name (a
/// column in an expression, a table, a column list, an alias after `AS`), in every dialect.
/// Common column names (`name`, `status`, `type`, `date`…) are keywords to sqlparser; without
/// these, a `SELECT id, name …` would always take the slow path. The test
/// `fastparse::tests::identifier_keywords_parse_as_identifiers` tries each one in each position
/// and dialect against sqlparser.
pub(crate) const IDENT_KEYWORDS: &[Keyword] = &[
    Keyword::ACCOUNT,
    Keyword::ACTION,
    Keyword::CATEGORY,
    Keyword::COMMENT,
    Keyword::DATA,
    Keyword::DATABASE,
    Keyword::DATE,
    Keyword::DAY,
    Keyword::EVENT,
    Keyword::FILE,
    Keyword::FIRST,
    Keyword::FORMAT,
    Keyword::HOUR,
    Keyword::ID,
    Keyword::JSON,
    Keyword::KEY,
    Keyword::LANGUAGE,
    Keyword::LAST,
    Keyword::LEVEL,
    Keyword::LOCATION,
    Keyword::MESSAGE,
    Keyword::METADATA,
    Keyword::MINUTE,
    Keyword::MODE,
    Keyword::MONTH,
    Keyword::NAME,
    Keyword::NUMBER,
    Keyword::OWNER,
    Keyword::PASSWORD,
    Keyword::PATH,
    Keyword::POSITION,
    Keyword::QUARTER,
    Keyword::RANK,
    Keyword::REGION,
    Keyword::RESULT,
    Keyword::ROLE,
    Keyword::SCHEMA,
    Keyword::SECOND,
    Keyword::SEQUENCE,
    Keyword::SESSION,
    Keyword::SIZE,
    Keyword::SOURCE,
    Keyword::STATUS,
    Keyword::TAG,
    Keyword::TARGET,
    Keyword::TEXT,
    Keyword::TIME,
    Keyword::TIMESTAMP,
    Keyword::TIMEZONE,
    Keyword::TYPE,
    Keyword::URL,
    Keyword::UUID,
    Keyword::VALUE,
    Keyword::VERSION,
    Keyword::WEEK,
    Keyword::YEAR,
    Keyword::ZONE,
];

/// Keywords that sqlparser reads as a plain function name when called with plain arguments,
/// in every dialect (`count(*)`, `lower(email)`, `coalesce(a, b)`). The same test tries each.
pub(crate) const FUNCTION_KEYWORDS: &[Keyword] = &[
    Keyword::ABS,
    Keyword::AVG,
    Keyword::CHAR_LENGTH,
    Keyword::COALESCE,
    Keyword::COUNT,
    Keyword::EXP,
    Keyword::LEAST,
    Keyword::LN,
    Keyword::LOG,
    Keyword::LOWER,
    Keyword::MAX,
    Keyword::MIN,
    Keyword::MOD,
    Keyword::NULLIF,
    Keyword::POWER,
    Keyword::SQRT,
    Keyword::SUM,
    Keyword::UPPER,
];

/// Whether `w` can be read as an identifier where the subset takes a name.
pub(super) fn is_identifier(w: &Word, dialect: Dialect) -> bool {
    match w.quote_style {
        Some('"' | '`') => true,
        Some('[') => dialect == Dialect::Mssql,
        Some(_) => false,
        None => w.keyword == Keyword::NoKeyword || IDENT_KEYWORDS.contains(&w.keyword),
    }
}

/// Whether the subset has any use for `token`: a cheap look over the whole statement before
/// parsing, so that a long statement with one foreign token (`INTERVAL`, `CASE`, `::`) is left
/// to sqlparser before any tree is built.
pub(super) fn may_appear(token: &Token) -> bool {
    match token {
        Token::Word(w) => w.quote_style.is_some() || may_appear_keyword(w.keyword),
        Token::Number(..)
        | Token::SingleQuotedString(_)
        | Token::Placeholder(_)
        | Token::Eq
        | Token::Neq
        | Token::Lt
        | Token::Gt
        | Token::LtEq
        | Token::GtEq
        | Token::Plus
        | Token::Minus
        | Token::Mul
        | Token::Div
        | Token::Mod
        | Token::LParen
        | Token::RParen
        | Token::Comma
        | Token::Period
        | Token::SemiColon => true,
        _ => false,
    }
}

fn may_appear_keyword(k: Keyword) -> bool {
    matches!(
        k,
        Keyword::NoKeyword
            | Keyword::SELECT
            | Keyword::FROM
            | Keyword::WHERE
            | Keyword::AND
            | Keyword::OR
            | Keyword::NOT
            | Keyword::IN
            | Keyword::IS
            | Keyword::NULL
            | Keyword::TRUE
            | Keyword::FALSE
            | Keyword::BETWEEN
            | Keyword::LIKE
            | Keyword::ILIKE
            | Keyword::EXISTS
            | Keyword::INTERVAL
            | Keyword::AS
            | Keyword::DISTINCT
            | Keyword::JOIN
            | Keyword::INNER
            | Keyword::LEFT
            | Keyword::RIGHT
            | Keyword::FULL
            | Keyword::OUTER
            | Keyword::ON
            | Keyword::GROUP
            | Keyword::BY
            | Keyword::HAVING
            | Keyword::ORDER
            | Keyword::ASC
            | Keyword::DESC
            | Keyword::LIMIT
            | Keyword::OFFSET
            | Keyword::WITH
            | Keyword::INSERT
            | Keyword::INTO
            | Keyword::VALUES
            | Keyword::UPDATE
            | Keyword::SET
            | Keyword::DELETE
            | Keyword::DROP
            | Keyword::TABLE
            | Keyword::IF
            | Keyword::CASCADE
            | Keyword::RESTRICT
            | Keyword::TRUNCATE
    ) || IDENT_KEYWORDS.contains(&k)
        || FUNCTION_KEYWORDS.contains(&k)
}

/// Whether `w` can be read as a function name before `(`: not `xmlparse`, whose arguments
/// sqlparser reads in their own form where the dialect has XML expressions (`xml`).
pub(super) fn is_function_name(w: &Word, xml: bool) -> bool {
    if w.quote_style.is_some() {
        return true;
    }
    (w.keyword == Keyword::NoKeyword && !(xml && w.value.eq_ignore_ascii_case("xmlparse")))
        || FUNCTION_KEYWORDS.contains(&w.keyword)
}

/// Whether `w` right after a table name is read as the table's alias (`FROM users u`): only a
/// plain word that is no keyword at all, since every clause that can follow starts with one.
pub(super) fn is_implicit_alias(w: &Word) -> bool {
    w.quote_style.is_none() && w.keyword == Keyword::NoKeyword
}

/// Whether an object name is taken as the parser takes it: BigQuery splits a quoted
/// `` `project.dataset.table` `` at its dots, and Snowflake reads an unquoted `identifier` as
/// the start of `IDENTIFIER('name')`; both are left to sqlparser.
pub(super) fn plain_name(parts: &[ObjectNamePart], dialect: Dialect) -> bool {
    parts.iter().all(|p| match p {
        ObjectNamePart::Identifier(i) => match dialect {
            Dialect::Bigquery => i.quote_style.is_none() || !i.value.contains('.'),
            Dialect::Snowflake => {
                i.quote_style.is_some() || !i.value.eq_ignore_ascii_case("identifier")
            }
            _ => true,
        },
        _ => false,
    })
}

/// Whether `token` is a count Snowflake reads after `LIMIT` (its `peek_for_limit_options`).
pub(super) fn is_limit_option(token: Option<&Token>) -> bool {
    match token {
        Some(Token::Number(..) | Token::Placeholder(_)) => true,
        Some(Token::SingleQuotedString(s)) => s.is_empty(),
        Some(Token::Word(w)) => w.keyword == Keyword::NULL,
        _ => false,
    }
}

/// The identifier a word stands for, as the parser builds it.
pub(super) fn ident(w: &Word) -> Ident {
    w.to_ident(Span::empty())
}
