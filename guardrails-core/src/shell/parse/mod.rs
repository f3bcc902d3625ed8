//! A focused bash/POSIX parser: lists, pipelines, compounds, substitutions, here-documents,
//! redirections and every quoting form. Linear in the input, nesting bounded by a counter (never
//! by the stack), no global state. It only builds the tree the analysis needs; it does not
//! expand anything.

use super::ast::{
    Assign, Command, Compound, Conn, HereDoc, Item, Parsed, Part, Pipeline, Quote, Redir, Script,
    Simple, Word,
};
use crate::finding::Span;

mod compound;
mod words;

pub(crate) use words::lit_text;

/// Nesting (subshells, groups, substitutions, compounds, quotes inside substitutions) deeper
/// than this is not parsed.
pub(crate) const MAX_NESTING: usize = 64;

/// Why a text could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub message: String,
    pub at: usize,
}

struct Pending {
    id: usize,
    delim: String,
    strip_tabs: bool,
    quoted: bool,
}

pub(crate) struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    end: usize,
    depth: usize,
    clamp: Option<Span>,
    base: usize,
    heredocs: Vec<HereDoc>,
    pending: Vec<Pending>,
}

type R<T> = Result<T, ParseError>;

fn is_meta(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
    )
}

const RESERVED_STOPS: &[&str] = &["then", "else", "elif", "fi", "do", "done", "esac", "}"];

/// Parses a command line. `depth` is the nesting already used by the caller (a string handed
/// to `sh -c` inside another command).
pub(crate) fn parse(text: &str, depth: usize) -> R<Parsed> {
    let mut p = Parser::new(text, depth, None, 0);
    let script = p.top()?;
    Ok(Parsed {
        script,
        heredocs: p.heredocs,
    })
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, depth: usize, clamp: Option<Span>, base: usize) -> Self {
        Parser {
            src: text.as_bytes(),
            text,
            pos: 0,
            end: text.len(),
            depth,
            clamp,
            base,
            heredocs: Vec::new(),
            pending: Vec::new(),
        }
    }

    fn top(&mut self) -> R<Script> {
        let script = self.list()?;
        self.blanks();
        if self.pos < self.end {
            return Err(self.unexpected());
        }
        if let Some(p) = self.pending.first() {
            return Err(self.err(format!("here-document without end marker `{}`", p.delim)));
        }
        Ok(script)
    }

    fn err(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            message: message.into(),
            at: self.pos,
        }
    }

    fn unexpected(&self) -> ParseError {
        let rest = self.text.get(self.pos..).unwrap_or("");
        let tok: String = if let Some(w) = RESERVED_STOPS.iter().find(|w| self.at_word(w)) {
            (*w).to_owned()
        } else if [";;", "&&", "||"].iter().any(|t| rest.starts_with(t)) {
            rest.chars().take(2).collect()
        } else {
            rest.chars().take(1).collect()
        };
        match tok.as_str() {
            ")" => self.err("unbalanced `)`"),
            "" => self.err("unexpected end of input"),
            t => self.err(format!("unexpected `{t}`")),
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        self.clamp.unwrap_or((start, end))
    }

    fn peek(&self) -> Option<u8> {
        if self.pos < self.end {
            self.src.get(self.pos).copied()
        } else {
            None
        }
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        let i = self.pos + k;
        if i < self.end {
            self.src.get(i).copied()
        } else {
            None
        }
    }

    fn starts(&self, s: &str) -> bool {
        self.pos + s.len() <= self.end
            && self.src.get(self.pos..self.pos + s.len()) == Some(s.as_bytes())
    }

    /// Whether a reserved word `w` starts here (followed by a delimiter).
    fn at_word(&self, w: &str) -> bool {
        self.starts(w) && self.peek_at(w.len()).is_none_or(is_meta)
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.err(format!("nesting deeper than {MAX_NESTING} levels")));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Skips blanks, line continuations and comments (not newlines).
    fn blanks(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                b'#' => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
    }

    /// Consumes one newline and reads the here-document bodies that start after it.
    fn newline(&mut self) -> R<()> {
        self.pos += 1;
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        for p in pending {
            let body_start = self.pos;
            let mut found = None;
            let mut line_start = self.pos;
            while line_start < self.end || line_start == body_start {
                let line_end = self
                    .src
                    .get(line_start..self.end)
                    .and_then(|s| memchr::memchr(b'\n', s))
                    .map_or(self.end, |i| line_start + i);
                let line = self.text.get(line_start..line_end).unwrap_or("");
                let line = line.strip_suffix('\r').unwrap_or(line);
                let cmp = if p.strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if cmp == p.delim {
                    found = Some((line_start, (line_end + 1).min(self.end)));
                    break;
                }
                if line_end >= self.end {
                    break;
                }
                line_start = line_end + 1;
            }
            let Some((body_end, next)) = found else {
                return Err(ParseError {
                    message: format!("here-document without end marker `{}`", p.delim),
                    at: self.end,
                });
            };
            let body = if p.quoted {
                let text = self.text.get(body_start..body_end).unwrap_or("").to_owned();
                Word {
                    parts: vec![Part::Quoted(text, Quote::Single)],
                    span: self.span(body_start, body_end),
                }
            } else {
                let saved_end = self.end;
                self.pos = body_start;
                self.end = body_end;
                let parts = self.dq_parts(None);
                self.end = saved_end;
                Word {
                    parts: parts?,
                    span: self.span(body_start, body_end),
                }
            };
            if let Some(slot) = self.heredocs.get_mut(p.id - self.base) {
                slot.body = body;
            }
            self.pos = next;
        }
        Ok(())
    }

    /// Skips blanks, comments and newlines.
    fn linebreaks(&mut self) -> R<()> {
        loop {
            self.blanks();
            if self.peek() == Some(b'\n') {
                self.newline()?;
            } else {
                return Ok(());
            }
        }
    }

    fn at_stop(&self) -> bool {
        match self.peek() {
            None | Some(b')') => true,
            Some(b';') => self.peek_at(1) == Some(b';') || self.peek_at(1) == Some(b'&'),
            _ => RESERVED_STOPS.iter().any(|w| self.at_word(w)),
        }
    }

    /// A list, up to a terminator the caller checks.
    fn list(&mut self) -> R<Script> {
        let mut items = Vec::new();
        loop {
            self.linebreaks()?;
            if self.at_stop() {
                break;
            }
            let chain = self.and_or()?;
            self.blanks();
            let mut item = Item {
                chain,
                background: false,
            };
            match self.peek() {
                Some(b';') if self.peek_at(1) != Some(b';') && self.peek_at(1) != Some(b'&') => {
                    self.pos += 1
                }
                Some(b'&') if self.peek_at(1) != Some(b'&') && self.peek_at(1) != Some(b'>') => {
                    self.pos += 1;
                    item.background = true;
                }
                Some(b'\n') => self.newline()?,
                _ => {
                    items.push(item);
                    break;
                }
            }
            items.push(item);
        }
        Ok(Script { items })
    }

    fn and_or(&mut self) -> R<Vec<(Conn, Pipeline)>> {
        let mut chain = vec![(Conn::First, self.pipeline()?)];
        loop {
            self.blanks();
            let conn = if self.starts("&&") {
                Conn::And
            } else if self.starts("||") {
                Conn::Or
            } else {
                return Ok(chain);
            };
            let op = if conn == Conn::And { "&&" } else { "||" };
            self.pos += 2;
            self.linebreaks()?;
            if self.at_stop() || matches!(self.peek(), Some(b';' | b'&' | b'|')) {
                return Err(self.err(format!("`{op}` without a command after it")));
            }
            chain.push((conn, self.pipeline()?));
        }
    }

    fn pipeline(&mut self) -> R<Pipeline> {
        self.blanks();
        if self.peek() == Some(b'!') && self.peek_at(1).is_none_or(is_meta) {
            self.pos += 1;
            self.blanks();
        }
        let mut cmds = vec![self.command()?];
        loop {
            self.blanks();
            if self.peek() == Some(b'|') && self.peek_at(1) != Some(b'|') {
                self.pos += if self.peek_at(1) == Some(b'&') { 2 } else { 1 };
                self.linebreaks()?;
                if self.at_stop() || matches!(self.peek(), Some(b';' | b'&' | b'|')) {
                    return Err(self.err("`|` without a command after it"));
                }
                cmds.push(self.command()?);
            } else {
                return Ok(Pipeline { cmds });
            }
        }
    }

    fn expect_word(&mut self, w: &str, what: &str) -> R<()> {
        self.linebreaks()?;
        if self.at_word(w) {
            self.pos += w.len();
            Ok(())
        } else {
            Err(self.err(format!("{what} without `{w}`")))
        }
    }

    fn command(&mut self) -> R<Command> {
        self.blanks();
        let start = self.pos;
        if self.starts("((") {
            let end = self.balanced(2, 2, b'(', b')', "((")?;
            let parts = self.arith_parts(start + 2, end - 2)?;
            self.pos = end;
            return Ok(Command::Arith { parts });
        }
        if self.peek() == Some(b'(') {
            self.pos += 1;
            return self.compound(Compound::Subshell, start, |p| {
                let body = p.list()?;
                p.linebreaks()?;
                if p.peek() == Some(b')') {
                    p.pos += 1;
                    Ok(vec![body])
                } else {
                    Err(p.err("unbalanced `(`"))
                }
            });
        }
        if self.at_word("{") {
            self.pos += 1;
            return self.compound(Compound::Group, start, |p| {
                let body = p.list()?;
                p.expect_word("}", "`{`")
                    .map_err(|_| p.err("unbalanced `{`"))?;
                Ok(vec![body])
            });
        }
        if self.at_word("if") {
            self.pos += 2;
            return self.compound(Compound::If, start, |p| {
                let mut bodies = vec![p.list()?];
                p.expect_word("then", "`if`")?;
                bodies.push(p.list()?);
                loop {
                    p.linebreaks()?;
                    if p.at_word("elif") {
                        p.pos += 4;
                        bodies.push(p.list()?);
                        p.expect_word("then", "`elif`")?;
                        bodies.push(p.list()?);
                    } else if p.at_word("else") {
                        p.pos += 4;
                        bodies.push(p.list()?);
                    } else {
                        break;
                    }
                }
                p.expect_word("fi", "`if`")?;
                Ok(bodies)
            });
        }
        if self.at_word("while") || self.at_word("until") {
            self.pos += 5;
            return self.compound(Compound::Loop, start, |p| {
                let cond = p.list()?;
                p.expect_word("do", "loop")?;
                let body = p.list()?;
                p.expect_word("done", "loop")?;
                Ok(vec![cond, body])
            });
        }
        if self.at_word("for") || self.at_word("select") {
            self.pos += if self.at_word("for") { 3 } else { 6 };
            return self.for_loop(start);
        }
        if self.at_word("case") {
            self.pos += 4;
            return self.case(start);
        }
        if self.at_word("function") {
            self.pos += 8;
            self.blanks();
            let name = self.word()?.map(|w| lit_text(&w)).unwrap_or_default();
            self.blanks();
            if self.starts("()") {
                self.pos += 2;
            }
            self.linebreaks()?;
            self.enter()?;
            let body = self.command();
            self.leave();
            return Ok(Command::Func {
                name,
                body: Box::new(body?),
                span: self.span(start, self.pos),
            });
        }
        if self.at_word("[[") {
            return self.cond(start);
        }
        self.simple(start)
    }

    fn compound(
        &mut self,
        kind: Compound,
        start: usize,
        body: impl FnOnce(&mut Self) -> R<Vec<Script>>,
    ) -> R<Command> {
        self.enter()?;
        let bodies = body(self);
        self.leave();
        let bodies = bodies?;
        let redirs = self.trailing_redirs()?;
        Ok(Command::Compound {
            kind,
            bodies,
            redirs,
            span: self.span(start, self.pos),
        })
    }

    fn trailing_redirs(&mut self) -> R<Vec<Redir>> {
        let mut redirs = Vec::new();
        loop {
            self.blanks();
            if !self.redir_start() {
                return Ok(redirs);
            }
            redirs.push(self.redir()?);
        }
    }

    fn simple(&mut self, start: usize) -> R<Command> {
        let mut s = Simple::default();
        loop {
            self.blanks();
            let Some(b) = self.peek() else { break };
            if self.redir_start() {
                s.redirs.push(self.redir()?);
                continue;
            }
            if matches!(b, b';' | b'&' | b'|' | b'\n' | b')') {
                break;
            }
            if b == b'(' {
                if s.words.len() == 1 && s.assigns.is_empty() {
                    return self.func_def(start, &s);
                }
                return Err(self.err("unexpected `(`"));
            }
            let Some(w) = self.word()? else {
                return Err(self.unexpected());
            };
            if s.words.is_empty() {
                if let Some((name, value)) = split_assign(&w) {
                    let array = if value.parts.is_empty() && self.peek() == Some(b'(') {
                        Some(self.array()?)
                    } else {
                        None
                    };
                    s.assigns.push(Assign { name, value, array });
                    continue;
                }
            }
            s.words.push(w);
        }
        if s.words.is_empty() && s.assigns.is_empty() && s.redirs.is_empty() {
            return Err(self.unexpected());
        }
        s.span = self.span(start, self.pos);
        Ok(Command::Simple(s))
    }

    /// Scans from `pos + skip` to the matching close of an `open` already counted `skip` times;
    /// returns the position after the closing run.
    fn balanced(&self, skip: usize, depth: usize, open: u8, close: u8, what: &str) -> R<usize> {
        let mut depth = depth;
        let mut i = self.pos + skip;
        let mut quote: Option<u8> = None;
        while i < self.end {
            let b = self.src.get(i).copied().unwrap_or(0);
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'\'' || b == b'"' => quote = Some(b),
                None if b == open => depth += 1,
                None if b == close => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(i + 1);
                    }
                }
                None => {}
            }
            i += 1;
        }
        Err(ParseError {
            message: format!("unbalanced `{what}`"),
            at: self.end,
        })
    }
}

/// Splits `NAME=value` (or `NAME+=value`, `NAME[i]=value`) at the start of a word.
fn split_assign(w: &Word) -> Option<(String, Word)> {
    let Some(Part::Lit(first)) = w.parts.first() else {
        return None;
    };
    let eq = first.find('=')?;
    let name_part = first.get(..eq)?;
    let name_part = name_part.strip_suffix('+').unwrap_or(name_part);
    let name = name_part.split('[').next().unwrap_or("");
    let mut chars = name.chars();
    let ok_start = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !ok_start || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    if name.len() != name_part.len() && !name_part.ends_with(']') {
        return None;
    }
    let rest = first.get(eq + 1..).unwrap_or("");
    let mut parts = Vec::new();
    if !rest.is_empty() {
        parts.push(Part::Lit(rest.to_owned()));
    }
    parts.extend(w.parts.iter().skip(1).cloned());
    Some((
        name.to_owned(),
        Word {
            parts,
            span: w.span,
        },
    ))
}
