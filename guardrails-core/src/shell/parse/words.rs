//! Words: quoting, parameter expansions, command and arithmetic substitutions.

use super::super::ast::{Param, Part, Quote, Script, Word};
use super::{is_meta, ParseError, Parser, R};

impl Parser<'_> {
    /// A word, or `None` when the next byte cannot start one.
    pub(crate) fn word(&mut self) -> R<Option<Word>> {
        let start = self.pos;
        let mut parts: Vec<Part> = Vec::new();
        let mut lit = String::new();
        while let Some(b) = self.peek() {
            if (b == b'<' || b == b'>') && self.peek_at(1) == Some(b'(') {
                flush(&mut lit, &mut parts);
                let input = b == b'<';
                self.pos += 2;
                let script = self.sub_script("unbalanced `<(`")?;
                parts.push(Part::Proc(Box::new(script), input));
                continue;
            }
            if is_meta(b) {
                break;
            }
            match b {
                b'\\' => {
                    if self.peek_at(1) == Some(b'\n') {
                        self.pos += 2;
                        continue;
                    }
                    flush(&mut lit, &mut parts);
                    self.pos += 1;
                    let ch = self.next_char();
                    match ch {
                        Some(c) => parts.push(Part::Quoted(c.to_string(), Quote::Escape)),
                        None => lit.push('\\'),
                    }
                }
                b'\'' => {
                    flush(&mut lit, &mut parts);
                    self.pos += 1;
                    let s = self.pos;
                    let Some(i) = self
                        .src
                        .get(s..self.end)
                        .and_then(|r| memchr::memchr(b'\'', r))
                    else {
                        return Err(self.err("unterminated single quote"));
                    };
                    parts.push(Part::Quoted(
                        self.text.get(s..s + i).unwrap_or("").to_owned(),
                        Quote::Single,
                    ));
                    self.pos = s + i + 1;
                }
                b'"' => {
                    flush(&mut lit, &mut parts);
                    self.pos += 1;
                    let inner = self.dq_parts(Some(b'"'))?;
                    parts.push(Part::Double(inner));
                }
                b'$' if self.peek_at(1) == Some(b'\'') => {
                    flush(&mut lit, &mut parts);
                    self.pos += 2;
                    let (s, numeric) = self.ansi()?;
                    parts.push(Part::Quoted(s, Quote::Ansi(numeric)));
                }
                b'$' if self.peek_at(1) == Some(b'"') => {
                    flush(&mut lit, &mut parts);
                    self.pos += 2;
                    let inner = self.dq_parts(Some(b'"'))?;
                    parts.push(Part::Double(inner));
                }
                b'$' | b'`' => match self.dollar_or_backtick()? {
                    Some(p) => {
                        flush(&mut lit, &mut parts);
                        parts.push(p);
                    }
                    None => {
                        lit.push('$');
                        self.pos += 1;
                    }
                },
                _ => {
                    if let Some(c) = self.next_char() {
                        lit.push(c);
                    }
                }
            }
        }
        flush(&mut lit, &mut parts);
        if self.pos == start {
            return Ok(None);
        }
        Ok(Some(Word {
            parts,
            span: self.span(start, self.pos),
        }))
    }

    pub(super) fn next_char(&mut self) -> Option<char> {
        let c = self.text.get(self.pos..self.end)?.chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Parts of a double-quoted string (terminated by `close`) or of a here-document body
    /// (`close` = None: up to `end`).
    pub(super) fn dq_parts(&mut self, close: Option<u8>) -> R<Vec<Part>> {
        self.enter()?;
        let r = self.dq_inner(close);
        self.leave();
        r
    }

    pub(super) fn dq_inner(&mut self, close: Option<u8>) -> R<Vec<Part>> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            let Some(b) = self.peek() else {
                if close.is_some() {
                    return Err(self.err("unterminated double quote"));
                }
                break;
            };
            if Some(b) == close {
                self.pos += 1;
                break;
            }
            match b {
                b'\\' => {
                    let next = self.peek_at(1);
                    let special = matches!(next, Some(b'$' | b'`' | b'\\' | b'\n'))
                        || (close.is_some() && next == Some(b'"'));
                    if next == Some(b'\n') {
                        self.pos += 2;
                    } else if special {
                        self.pos += 1;
                        if let Some(c) = self.next_char() {
                            lit.push(c);
                        }
                    } else {
                        lit.push('\\');
                        self.pos += 1;
                    }
                }
                b'$' | b'`' => match self.dollar_or_backtick()? {
                    Some(p) => {
                        flush(&mut lit, &mut parts);
                        parts.push(p);
                    }
                    None => {
                        lit.push('$');
                        self.pos += 1;
                    }
                },
                _ => {
                    if let Some(c) = self.next_char() {
                        lit.push(c);
                    }
                }
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Quoted(lit, Quote::Single));
        }
        Ok(parts)
    }

    /// `$...` or a backtick substitution at `pos`; `None` for a lone `$`.
    pub(super) fn dollar_or_backtick(&mut self) -> R<Option<Part>> {
        if self.peek() == Some(b'`') {
            return self.backtick().map(Some);
        }
        match self.peek_at(1) {
            Some(b'(') if self.peek_at(2) == Some(b'(') => {
                let s = self.pos;
                let end = self.balanced(3, 2, b'(', b')', "$((")?;
                // `$((` that closes with a single `)` is a substitution of a subshell.
                if self.src.get(end.saturating_sub(2)) == Some(&b')') {
                    let parts = self.arith_parts(s + 3, end - 2)?;
                    self.pos = end;
                    return Ok(Some(Part::Arith(parts)));
                }
                self.pos += 2;
                let script = self.sub_script("unbalanced `$(`")?;
                Ok(Some(Part::Subst(Box::new(script))))
            }
            Some(b'(') => {
                self.pos += 2;
                let script = self.sub_script("unbalanced `$(`")?;
                Ok(Some(Part::Subst(Box::new(script))))
            }
            Some(b'[') => {
                let end = self.balanced(2, 1, b'[', b']', "$[")?;
                let parts = self.arith_parts(self.pos + 2, end - 1)?;
                self.pos = end;
                Ok(Some(Part::Arith(parts)))
            }
            Some(b'{') => {
                self.pos += 2;
                self.enter()?;
                let r = self.braced_param();
                self.leave();
                r.map(Some)
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                self.pos += 1;
                let s = self.pos;
                while self
                    .peek()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    self.pos += 1;
                }
                let name = self.text.get(s..self.pos).unwrap_or("").to_owned();
                Ok(Some(Part::Param(Param {
                    name,
                    op: String::new(),
                    operand: Vec::new(),
                    indirect: false,
                })))
            }
            Some(c)
                if c.is_ascii_digit()
                    || matches!(c, b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-') =>
            {
                self.pos += 2;
                Ok(Some(Part::Param(Param {
                    name: (c as char).to_string(),
                    op: String::new(),
                    operand: Vec::new(),
                    indirect: false,
                })))
            }
            _ => Ok(None),
        }
    }

    /// Substitutions inside arithmetic text `[from, to)` (they run).
    pub(super) fn arith_parts(&mut self, from: usize, to: usize) -> R<Vec<Part>> {
        let inner = self.src.get(from..to).unwrap_or(&[]);
        if !inner.contains(&b'$') && !inner.contains(&b'`') {
            return Ok(Vec::new());
        }
        let (saved_pos, saved_end) = (self.pos, self.end);
        self.pos = from;
        self.end = to;
        let parts = self.dq_parts(None);
        self.pos = saved_pos;
        self.end = saved_end;
        parts
    }

    pub(super) fn sub_script(&mut self, unbalanced: &str) -> R<Script> {
        self.enter()?;
        let r = self.list();
        self.leave();
        let script = r?;
        self.linebreaks()?;
        if self.peek() != Some(b')') {
            return Err(self.err(unbalanced.to_owned()));
        }
        self.pos += 1;
        Ok(script)
    }

    pub(super) fn braced_param(&mut self) -> R<Part> {
        let mut indirect = false;
        if matches!(self.peek(), Some(b'!' | b'#')) && self.peek_at(1).is_some_and(|b| b != b'}') {
            indirect = true;
            self.pos += 1;
        }
        let s = self.pos;
        if self
            .peek()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        {
            while self
                .peek()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                self.pos += 1;
            }
        } else if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        } else if self
            .peek()
            .is_some_and(|b| matches!(b, b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-'))
        {
            self.pos += 1;
        }
        let name = self.text.get(s..self.pos).unwrap_or("").to_owned();
        let op_start = self.pos;
        let mut operand = Vec::new();
        let mut lit = String::new();
        let mut depth = 0usize;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err("unbalanced `${`"));
            };
            match b {
                b'}' if depth == 0 => break,
                b'}' => {
                    depth -= 1;
                    lit.push('}');
                    self.pos += 1;
                }
                b'{' => {
                    depth += 1;
                    lit.push('{');
                    self.pos += 1;
                }
                b'\\' => {
                    self.pos += 1;
                    if let Some(c) = self.next_char() {
                        lit.push(c);
                    }
                }
                b'\'' => {
                    self.pos += 1;
                    let st = self.pos;
                    let Some(i) = self
                        .src
                        .get(st..self.end)
                        .and_then(|r| memchr::memchr(b'\'', r))
                    else {
                        return Err(self.err("unterminated single quote"));
                    };
                    lit.push_str(self.text.get(st..st + i).unwrap_or(""));
                    self.pos = st + i + 1;
                }
                b'"' => {
                    self.pos += 1;
                    flush(&mut lit, &mut operand);
                    let inner = self.dq_parts(Some(b'"'))?;
                    operand.push(Part::Double(inner));
                }
                b'$' | b'`' => match self.dollar_or_backtick()? {
                    Some(p) => {
                        flush(&mut lit, &mut operand);
                        operand.push(p);
                    }
                    None => {
                        lit.push('$');
                        self.pos += 1;
                    }
                },
                _ => {
                    if let Some(c) = self.next_char() {
                        lit.push(c);
                    }
                }
            }
        }
        let op = self.text.get(op_start..self.pos).unwrap_or("").to_owned();
        self.pos += 1;
        flush(&mut lit, &mut operand);
        if name.is_empty() && !indirect {
            return Err(self.err("bad substitution `${`"));
        }
        Ok(Part::Param(Param {
            name,
            op,
            operand,
            indirect,
        }))
    }

    pub(super) fn backtick(&mut self) -> R<Part> {
        let start = self.pos;
        self.pos += 1;
        let mut inner = String::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err("unterminated backtick"));
            };
            match b {
                b'`' => {
                    self.pos += 1;
                    break;
                }
                b'\\' if matches!(self.peek_at(1), Some(b'`' | b'$' | b'\\')) => {
                    self.pos += 1;
                    if let Some(c) = self.next_char() {
                        inner.push(c);
                    }
                }
                _ => {
                    if let Some(c) = self.next_char() {
                        inner.push(c);
                    }
                }
            }
        }
        let clamp = self.clamp.unwrap_or((start, self.pos));
        let base = self.base + self.heredocs.len();
        let mut sub = Parser::new(&inner, self.depth, Some(clamp), base);
        sub.enter().map_err(|e| ParseError { at: start, ..e })?;
        let script = sub.top().map_err(|e| ParseError {
            message: e.message,
            at: start,
        })?;
        self.heredocs.append(&mut sub.heredocs);
        Ok(Part::Subst(Box::new(script)))
    }

    /// The body of `$'...'` after the opening quote; whether a numeric escape was used.
    pub(super) fn ansi(&mut self) -> R<(String, bool)> {
        let mut out = String::new();
        let mut numeric = false;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err("unterminated `$'` quote"));
            };
            self.pos += 1;
            match b {
                b'\'' => return Ok((out, numeric)),
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return Err(self.err("unterminated `$'` quote"));
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'a' => out.push('\u{7}'),
                        b'b' => out.push('\u{8}'),
                        b'e' | b'E' => out.push('\u{1b}'),
                        b'f' => out.push('\u{c}'),
                        b'v' => out.push('\u{b}'),
                        b'x' | b'u' | b'U' => {
                            let max = match e {
                                b'x' => 2,
                                b'u' => 4,
                                _ => 8,
                            };
                            let v = self.digits(16, max);
                            match v.and_then(char::from_u32) {
                                Some(c) => {
                                    numeric = true;
                                    out.push(c);
                                }
                                None => {
                                    out.push('\\');
                                    out.push(e as char);
                                }
                            }
                        }
                        b'0'..=b'7' => {
                            self.pos -= 1;
                            if let Some(c) = self.digits(8, 3).and_then(char::from_u32) {
                                numeric = true;
                                out.push(c);
                            }
                        }
                        b'c' => {
                            if let Some(c) = self.next_char() {
                                out.push(char::from_u32((c as u32) & 0x1f).unwrap_or('?'));
                            }
                        }
                        other => {
                            if !matches!(other, b'\\' | b'\'' | b'"' | b'?') {
                                out.push('\\');
                            }
                            self.pos -= 1;
                            if let Some(c) = self.next_char() {
                                out.push(c);
                            }
                        }
                    }
                }
                _ => {
                    self.pos -= 1;
                    if let Some(c) = self.next_char() {
                        out.push(c);
                    }
                }
            }
        }
    }

    pub(super) fn digits(&mut self, radix: u32, max: usize) -> Option<u32> {
        let mut v: u32 = 0;
        let mut n = 0;
        while n < max {
            let Some(d) = self.peek().and_then(|b| (b as char).to_digit(radix)) else {
                break;
            };
            v = v.saturating_mul(radix).saturating_add(d);
            self.pos += 1;
            n += 1;
        }
        (n > 0).then_some(v)
    }
}

pub(super) fn flush(lit: &mut String, parts: &mut Vec<Part>) {
    if !lit.is_empty() {
        parts.push(Part::Lit(std::mem::take(lit)));
    }
}

/// The literal text of a word with quotes removed and expansions left as written.
pub(crate) fn lit_text(w: &Word) -> String {
    let mut s = String::new();
    for p in &w.parts {
        push_lit(p, &mut s);
    }
    s
}

fn push_lit(p: &Part, s: &mut String) {
    match p {
        Part::Lit(t) | Part::Quoted(t, _) => s.push_str(t),
        Part::Double(inner) => inner.iter().for_each(|q| push_lit(q, s)),
        Part::Param(p) => {
            s.push('$');
            s.push_str(&p.name);
        }
        Part::Subst(_) | Part::Proc(..) | Part::Arith(_) => s.push_str("$(…)"),
    }
}
