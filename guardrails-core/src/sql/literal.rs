//! Evaluating string expressions that build SQL text at run time, when every part is known:
//! literals, concatenation (`||`, `+`, `CONCAT`), `CHAR(n)`, `REVERSE`, `format()` with `%I`/`%L`/
//! `%s`, and decoding (`decode(x, 'base64'|'hex'|'escape')`, `convert_from`, `FROM_BASE64`,
//! `UNHEX`). What cannot be known returns `None`: the caller treats that text as unknowable.

use std::collections::HashMap;

use sqlparser::tokenizer::Token;

use super::lex::Tok;

/// Variables known in the input (`SET @q = '...'`), lower-case name to value.
pub(crate) type Vars = HashMap<String, String>;

/// Evaluates the expression in `toks` (the whole slice). `None` when any part is unknowable.
pub(crate) fn eval(toks: &[Tok], vars: &Vars) -> Option<String> {
    let mut p = P {
        toks,
        at: 0,
        vars,
        depth: 0,
    };
    let v = p.concat()?;
    (p.at == toks.len()).then_some(v)
}

/// Evaluates the longest expression at the start of `toks`; returns the value and tokens used.
pub(crate) fn eval_prefix(toks: &[Tok], vars: &Vars) -> Option<(String, usize)> {
    let mut p = P {
        toks,
        at: 0,
        vars,
        depth: 0,
    };
    let v = p.concat()?;
    Some((v, p.at))
}

struct P<'a> {
    toks: &'a [Tok],
    at: usize,
    vars: &'a Vars,
    depth: usize,
}

impl P<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn eat(&mut self, t: &Token) -> bool {
        if self.peek().is_some_and(|x| &x.token == t) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn concat(&mut self) -> Option<String> {
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        let mut out = self.atom()?;
        while self
            .peek()
            .is_some_and(|t| matches!(t.token, Token::StringConcat | Token::Plus))
        {
            self.at += 1;
            out.push_str(&self.atom()?);
        }
        self.depth -= 1;
        Some(out)
    }

    fn args(&mut self) -> Option<Vec<String>> {
        if !self.eat(&Token::LParen) {
            return None;
        }
        let mut out = Vec::new();
        if self.eat(&Token::RParen) {
            return Some(out);
        }
        loop {
            out.push(self.concat()?);
            // `x::type` casts and `USING enc` are ignored
            while self.eat(&Token::DoubleColon) {
                self.at += 1;
            }
            if self.peek().is_some_and(|t| t.is("USING")) {
                self.at += 2;
            }
            if self.eat(&Token::Comma) {
                continue;
            }
            if self.eat(&Token::RParen) {
                return Some(out);
            }
            return None;
        }
    }

    /// `CHAR(68, 82)` -> `DR`.
    fn char_codes(&mut self) -> Option<String> {
        if !self.eat(&Token::LParen) {
            return None;
        }
        let mut out = String::new();
        loop {
            let t = self.peek()?.clone();
            self.at += 1;
            match &t.token {
                Token::Number(n, _) => out.push(char::from_u32(n.parse().ok()?)?),
                Token::Comma => {}
                Token::RParen => return Some(out),
                _ => return None,
            }
        }
    }

    fn atom(&mut self) -> Option<String> {
        let t = self.peek()?.clone();
        if let Some(s) = t.string() {
            self.at += 1;
            return Some(s.to_owned());
        }
        match &t.token {
            Token::LParen => {
                self.at += 1;
                let v = self.concat()?;
                self.eat(&Token::RParen).then_some(v)
            }
            Token::HexStringLiteral(h) => {
                self.at += 1;
                String::from_utf8(hex(h)?).ok()
            }
            Token::Word(w) if w.value.starts_with('@') || w.value.starts_with(':') => {
                self.at += 1;
                self.vars.get(&w.value.to_ascii_lowercase()).cloned()
            }
            Token::Number(n, _) if n.starts_with("0x") || n.starts_with("0X") => {
                self.at += 1;
                String::from_utf8(hex(n.get(2..)?)?).ok()
            }
            Token::Word(w)
                if matches!(
                    w.value.to_ascii_lowercase().as_str(),
                    "char" | "chr" | "nchar"
                ) =>
            {
                self.at += 1;
                self.char_codes()
            }
            Token::Word(w) => {
                let name = w.value.to_ascii_lowercase();
                self.at += 1;
                let args = self.args()?;
                let first = args.first().cloned();
                match name.as_str() {
                    "concat" | "concat_ws" if name == "concat" => Some(args.concat()),
                    "concat_ws" => {
                        let (sep, rest) = args.split_first()?;
                        Some(rest.join(sep))
                    }
                    "reverse" => Some(first?.chars().rev().collect()),
                    "lower" | "lcase" => Some(first?.to_lowercase()),
                    "upper" | "ucase" => Some(first?.to_uppercase()),
                    "trim" | "btrim" => Some(first?.trim().to_owned()),
                    "replace" => Some(first?.replace(args.get(1)?.as_str(), args.get(2)?.as_str())),
                    "from_base64" => String::from_utf8(base64(&first?)?).ok(),
                    "unhex" => String::from_utf8(hex(&first?)?).ok(),
                    "decode" => {
                        let enc = args.get(1)?.to_ascii_lowercase();
                        let bytes = match enc.as_str() {
                            "base64" => base64(&first?)?,
                            "hex" => hex(&first?)?,
                            "escape" => first?.into_bytes(),
                            _ => return None,
                        };
                        String::from_utf8(bytes).ok()
                    }
                    "convert_from" | "convert" | "cast" => first,
                    "format" => format(&first?, args.get(1..).unwrap_or(&[])),
                    "quote_ident" | "quote_literal" | "quotename" => first,
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// PostgreSQL `format()` with `%s`, `%I`, `%L`, `%%`.
fn format(fmt: &str, args: &[String]) -> Option<String> {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'I' => out.push_str(it.next()?),
            'L' => {
                out.push('\'');
                out.push_str(&it.next()?.replace('\'', "''"));
                out.push('\'');
            }
            _ => return None,
        }
    }
    Some(out)
}

fn hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) || s.len() > (1 << 20) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0u32;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buf >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Dialect;

    fn ev(s: &str) -> Option<String> {
        let lexed = crate::sql::lex::lex(s, Dialect::Postgres).ok()?;
        eval(&lexed.toks, &Vars::new())
    }

    #[test]
    fn folds_known_text() {
        assert_eq!(
            ev("'DR' || 'OP TABLE ' || 'orders'").as_deref(),
            Some("DROP TABLE orders")
        );
        assert_eq!(
            ev("convert_from(decode('VFJVTkNBVEUgcGF5bWVudHM=', 'base64'), 'UTF8')").as_deref(),
            Some("TRUNCATE payments")
        );
        assert_eq!(
            ev("format('UPDATE %I SET s = %L', 'orders', 'x')").as_deref(),
            Some("UPDATE orders SET s = 'x'")
        );
        assert_eq!(ev("reverse('elbat pord')").as_deref(), Some("drop table"));
        assert_eq!(ev("'a' || some_column"), None);
    }
}
