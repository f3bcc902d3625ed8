//! A focused bash/POSIX parser: lists, pipelines, compounds, substitutions, here-documents,
//! redirections and every quoting form. Linear in the input, nesting bounded by a counter (never
//! by the stack), no global state. It only builds the tree the analysis needs; it does not
//! expand anything.

use super::ast::{Assign, Command, Compound, Conn, HereDoc, Item, Param, Parsed, Part, Pipeline, Quote, Redir, RedirOp, Script, Simple, Word};
use crate::finding::Span;

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
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')')
}

const RESERVED_STOPS: &[&str] = &["then", "else", "elif", "fi", "do", "done", "esac", "}"];

/// Parses a command line. `depth` is the nesting already used by the caller (a string handed
/// to `sh -c` inside another command).
pub(crate) fn parse(text: &str, depth: usize) -> R<Parsed> {
    let mut p = Parser::new(text, depth, None, 0);
    let script = p.top()?;
    Ok(Parsed { script, heredocs: p.heredocs })
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, depth: usize, clamp: Option<Span>, base: usize) -> Self {
        Parser { src: text.as_bytes(), text, pos: 0, end: text.len(), depth, clamp, base, heredocs: Vec::new(), pending: Vec::new() }
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
        ParseError { message: message.into(), at: self.pos }
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
        self.pos + s.len() <= self.end && self.src.get(self.pos..self.pos + s.len()) == Some(s.as_bytes())
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
                let line_end = self.src.get(line_start..self.end).and_then(|s| memchr::memchr(b'\n', s)).map_or(self.end, |i| line_start + i);
                let line = self.text.get(line_start..line_end).unwrap_or("");
                let line = line.strip_suffix('\r').unwrap_or(line);
                let cmp = if p.strip_tabs { line.trim_start_matches('\t') } else { line };
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
                return Err(ParseError { message: format!("here-document without end marker `{}`", p.delim), at: self.end });
            };
            let body = if p.quoted {
                let text = self.text.get(body_start..body_end).unwrap_or("").to_owned();
                Word { parts: vec![Part::Quoted(text, Quote::Single)], span: self.span(body_start, body_end) }
            } else {
                let saved_end = self.end;
                self.pos = body_start;
                self.end = body_end;
                let parts = self.dq_parts(None);
                self.end = saved_end;
                Word { parts: parts?, span: self.span(body_start, body_end) }
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
            let mut item = Item { chain, background: false };
            match self.peek() {
                Some(b';') if self.peek_at(1) != Some(b';') && self.peek_at(1) != Some(b'&') => self.pos += 1,
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
                p.expect_word("}", "`{`").map_err(|_| p.err("unbalanced `{`"))?;
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
            return Ok(Command::Func { name, body: Box::new(body?), span: self.span(start, self.pos) });
        }
        if self.at_word("[[") {
            return self.cond(start);
        }
        self.simple(start)
    }

    fn compound(&mut self, kind: Compound, start: usize, body: impl FnOnce(&mut Self) -> R<Vec<Script>>) -> R<Command> {
        self.enter()?;
        let bodies = body(self);
        self.leave();
        let bodies = bodies?;
        let redirs = self.trailing_redirs()?;
        Ok(Command::Compound { kind, bodies, redirs, span: self.span(start, self.pos) })
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

    fn for_loop(&mut self, start: usize) -> R<Command> {
        self.blanks();
        if self.starts("((") {
            let end = self.balanced(2, 2, b'(', b')', "((")?;
            self.pos = end;
            self.blanks();
            if self.peek() == Some(b';') {
                self.pos += 1;
            }
            return self.loop_body(start, String::new(), None);
        }
        let var = self.word()?.map(|w| lit_text(&w)).ok_or_else(|| self.err("`for` without a variable"))?;
        self.linebreaks()?;
        let mut words = None;
        if self.at_word("in") {
            self.pos += 2;
            let mut list = Vec::new();
            loop {
                self.blanks();
                match self.peek() {
                    Some(b';') | Some(b'\n') => {
                        if self.peek() == Some(b';') {
                            self.pos += 1;
                        }
                        break;
                    }
                    None => return Err(self.err("`for` without `do`")),
                    _ => match self.word()? {
                        Some(w) => list.push(w),
                        None => return Err(self.unexpected()),
                    },
                }
            }
            words = Some(list);
        } else if self.peek() == Some(b';') {
            self.pos += 1;
        }
        self.loop_body(start, var, words)
    }

    fn loop_body(&mut self, start: usize, var: String, words: Option<Vec<Word>>) -> R<Command> {
        self.linebreaks()?;
        let (open, close) = if self.at_word("{") { ("{", "}") } else { ("do", "done") };
        if !self.at_word(open) {
            return Err(self.err("`for` without `do`"));
        }
        self.pos += open.len();
        self.enter()?;
        let body = self.list();
        self.leave();
        let body = body?;
        self.expect_word(close, "`for`")?;
        let redirs = self.trailing_redirs()?;
        Ok(Command::For { var, words, body, redirs, span: self.span(start, self.pos) })
    }

    fn case(&mut self, start: usize) -> R<Command> {
        self.blanks();
        let word = self.word()?.ok_or_else(|| self.err("`case` without a word"))?;
        self.expect_word("in", "`case`")?;
        self.enter()?;
        let arms = self.case_arms();
        self.leave();
        let arms = arms?;
        let redirs = self.trailing_redirs()?;
        Ok(Command::Case { word, arms, redirs, span: self.span(start, self.pos) })
    }

    fn case_arms(&mut self) -> R<Vec<Script>> {
        let mut arms = Vec::new();
        loop {
            self.linebreaks()?;
            if self.at_word("esac") {
                self.pos += 4;
                return Ok(arms);
            }
            if self.peek() == Some(b'(') {
                self.pos += 1;
            }
            loop {
                self.blanks();
                if self.word()?.is_none() {
                    return Err(self.err("`case` pattern without `)`"));
                }
                self.blanks();
                match self.peek() {
                    Some(b'|') => self.pos += 1,
                    Some(b')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.err("`case` pattern without `)`")),
                }
            }
            arms.push(self.list()?);
            self.linebreaks()?;
            if self.starts(";;&") {
                self.pos += 3;
            } else if self.starts(";;") || self.starts(";&") {
                self.pos += 2;
            } else if !self.at_word("esac") {
                return Err(self.err("`case` without `esac`"));
            }
        }
    }

    /// `[[ ... ]]`: words up to `]]`, with `&&`, `||`, `<`, `>`, `(`, `)` taken as words.
    fn cond(&mut self, start: usize) -> R<Command> {
        let mut words = Vec::new();
        loop {
            self.blanks();
            if self.peek() == Some(b'\n') {
                self.newline()?;
                continue;
            }
            let Some(b) = self.peek() else { return Err(self.err("`[[` without `]]`")) };
            let op_len = if self.starts("&&") || self.starts("||") {
                2
            } else if matches!(b, b'<' | b'>' | b'(' | b')' | b'!') && !self.starts("<(") {
                1
            } else {
                0
            };
            if op_len > 0 {
                let s = self.pos;
                self.pos += op_len;
                let t = self.text.get(s..self.pos).unwrap_or("").to_owned();
                words.push(Word { parts: vec![Part::Lit(t)], span: self.span(s, self.pos) });
                continue;
            }
            match self.word()? {
                Some(w) => {
                    let done = lit_text(&w) == "]]";
                    words.push(w);
                    if done {
                        break;
                    }
                }
                None => return Err(self.unexpected()),
            }
        }
        let redirs = self.trailing_redirs()?;
        Ok(Command::Simple(Simple { assigns: Vec::new(), words, redirs, span: self.span(start, self.pos) }))
    }

    fn redir_start(&self) -> bool {
        let mut k = 0;
        while self.peek_at(k).is_some_and(|b| b.is_ascii_digit()) {
            k += 1;
        }
        if k == 0 && self.peek() == Some(b'{') {
            // `{var}>file`
            let mut j = 1;
            while self.peek_at(j).is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
                j += 1;
            }
            if j > 1 && self.peek_at(j) == Some(b'}') && matches!(self.peek_at(j + 1), Some(b'<' | b'>')) {
                return true;
            }
        }
        match self.peek_at(k) {
            Some(b'<') | Some(b'>') => self.peek_at(k + 1) != Some(b'('),
            Some(b'&') => k == 0 && self.peek_at(1) == Some(b'>'),
            _ => false,
        }
    }

    fn redir(&mut self) -> R<Redir> {
        let start = self.pos;
        let mut fd = None;
        let digits_start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos > digits_start {
            fd = self.text.get(digits_start..self.pos).and_then(|d| d.parse().ok());
        } else if self.peek() == Some(b'{') {
            while self.peek().is_some_and(|b| b != b'}') {
                self.pos += 1;
            }
            self.pos += 1;
        }
        let ops: &[(&str, RedirOp)] = &[
            ("<<<", RedirOp::HereString),
            ("<<-", RedirOp::HereDoc),
            ("<<", RedirOp::HereDoc),
            ("<>", RedirOp::ReadWrite),
            ("<&", RedirOp::DupIn),
            ("<", RedirOp::In),
            ("&>>", RedirOp::AppendErr),
            ("&>", RedirOp::OutErr),
            (">>", RedirOp::Append),
            (">|", RedirOp::Clobber),
            (">&", RedirOp::DupOut),
            (">", RedirOp::Out),
        ];
        let Some((text, op)) = ops.iter().find(|(t, _)| self.starts(t)).copied() else {
            return Err(self.unexpected());
        };
        let strip_tabs = text == "<<-";
        self.pos += text.len();
        self.blanks();
        let Some(target) = self.word()? else {
            return Err(self.err(format!("redirection `{text}` without a target")));
        };
        let mut heredoc = None;
        if op == RedirOp::HereDoc {
            let id = self.base + self.heredocs.len();
            self.heredocs.push(HereDoc::default());
            let quoted = target.parts.iter().any(|p| !matches!(p, Part::Lit(_)));
            self.pending.push(Pending { id, delim: lit_text(&target), strip_tabs, quoted });
            heredoc = Some(id);
        }
        Ok(Redir { fd, op, target, heredoc, span: self.span(start, self.pos) })
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
            let wstart = self.pos;
            let Some(w) = self.word()? else { return Err(self.unexpected()) };
            if s.words.is_empty() {
                if let Some((name, value)) = split_assign(&w) {
                    let array = if value.parts.is_empty() && self.peek() == Some(b'(') { Some(self.array()?) } else { None };
                    s.assigns.push(Assign { name, value, array, span: self.span(wstart, self.pos) });
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

    fn func_def(&mut self, start: usize, s: &Simple) -> R<Command> {
        self.pos += 1;
        self.blanks();
        if self.peek() != Some(b')') {
            return Err(self.err("unexpected `(`"));
        }
        self.pos += 1;
        self.linebreaks()?;
        let name = s.words.first().map(lit_text).unwrap_or_default();
        self.enter()?;
        let body = self.command();
        self.leave();
        Ok(Command::Func { name, body: Box::new(body?), span: self.span(start, self.pos) })
    }

    fn array(&mut self) -> R<Vec<Word>> {
        self.pos += 1;
        let mut words = Vec::new();
        loop {
            self.linebreaks()?;
            match self.peek() {
                Some(b')') => {
                    self.pos += 1;
                    return Ok(words);
                }
                None => return Err(self.err("unbalanced `(`")),
                _ => match self.word()? {
                    Some(w) => words.push(w),
                    None => return Err(self.unexpected()),
                },
            }
        }
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
        Err(ParseError { message: format!("unbalanced `{what}`"), at: self.end })
    }

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
                    let Some(i) = self.src.get(s..self.end).and_then(|r| memchr::memchr(b'\'', r)) else {
                        return Err(self.err("unterminated single quote"));
                    };
                    parts.push(Part::Quoted(self.text.get(s..s + i).unwrap_or("").to_owned(), Quote::Single));
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
                b'$' | b'`' => {
                    match self.dollar_or_backtick()? {
                        Some(p) => {
                            flush(&mut lit, &mut parts);
                            parts.push(p);
                        }
                        None => {
                            lit.push('$');
                            self.pos += 1;
                        }
                    }
                }
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
        Ok(Some(Word { parts, span: self.span(start, self.pos) }))
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.text.get(self.pos..self.end)?.chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Parts of a double-quoted string (terminated by `close`) or of a here-document body
    /// (`close` = None: up to `end`).
    fn dq_parts(&mut self, close: Option<u8>) -> R<Vec<Part>> {
        self.enter()?;
        let r = self.dq_inner(close);
        self.leave();
        r
    }

    fn dq_inner(&mut self, close: Option<u8>) -> R<Vec<Part>> {
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
                    let special = matches!(next, Some(b'$' | b'`' | b'\\' | b'\n')) || (close.is_some() && next == Some(b'"'));
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
    fn dollar_or_backtick(&mut self) -> R<Option<Part>> {
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
                while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    self.pos += 1;
                }
                let name = self.text.get(s..self.pos).unwrap_or("").to_owned();
                Ok(Some(Part::Param(Param { name, op: String::new(), operand: Vec::new(), indirect: false })))
            }
            Some(c) if c.is_ascii_digit() || matches!(c, b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-') => {
                self.pos += 2;
                Ok(Some(Part::Param(Param { name: (c as char).to_string(), op: String::new(), operand: Vec::new(), indirect: false })))
            }
            _ => Ok(None),
        }
    }

    /// Substitutions inside arithmetic text `[from, to)` (they run).
    fn arith_parts(&mut self, from: usize, to: usize) -> R<Vec<Part>> {
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

    fn sub_script(&mut self, unbalanced: &str) -> R<Script> {
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

    fn braced_param(&mut self) -> R<Part> {
        let mut indirect = false;
        if matches!(self.peek(), Some(b'!' | b'#')) && self.peek_at(1).is_some_and(|b| b != b'}') {
            indirect = true;
            self.pos += 1;
        }
        let s = self.pos;
        if self.peek().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_') {
            while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
                self.pos += 1;
            }
        } else if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        } else if self.peek().is_some_and(|b| matches!(b, b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-')) {
            self.pos += 1;
        }
        let name = self.text.get(s..self.pos).unwrap_or("").to_owned();
        let op_start = self.pos;
        let mut operand = Vec::new();
        let mut lit = String::new();
        let mut depth = 0usize;
        loop {
            let Some(b) = self.peek() else { return Err(self.err("unbalanced `${`")) };
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
                    let Some(i) = self.src.get(st..self.end).and_then(|r| memchr::memchr(b'\'', r)) else {
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
        Ok(Part::Param(Param { name, op, operand, indirect }))
    }

    fn backtick(&mut self) -> R<Part> {
        let start = self.pos;
        self.pos += 1;
        let mut inner = String::new();
        loop {
            let Some(b) = self.peek() else { return Err(self.err("unterminated backtick")) };
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
        let script = sub.top().map_err(|e| ParseError { message: e.message, at: start })?;
        self.heredocs.append(&mut sub.heredocs);
        Ok(Part::Subst(Box::new(script)))
    }

    /// The body of `$'...'` after the opening quote; whether a numeric escape was used.
    fn ansi(&mut self) -> R<(String, bool)> {
        let mut out = String::new();
        let mut numeric = false;
        loop {
            let Some(b) = self.peek() else { return Err(self.err("unterminated `$'` quote")) };
            self.pos += 1;
            match b {
                b'\'' => return Ok((out, numeric)),
                b'\\' => {
                    let Some(e) = self.peek() else { return Err(self.err("unterminated `$'` quote")) };
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

    fn digits(&mut self, radix: u32, max: usize) -> Option<u32> {
        let mut v: u32 = 0;
        let mut n = 0;
        while n < max {
            let Some(d) = self.peek().and_then(|b| (b as char).to_digit(radix)) else { break };
            v = v.saturating_mul(radix).saturating_add(d);
            self.pos += 1;
            n += 1;
        }
        (n > 0).then_some(v)
    }
}

fn flush(lit: &mut String, parts: &mut Vec<Part>) {
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

/// Splits `NAME=value` (or `NAME+=value`, `NAME[i]=value`) at the start of a word.
fn split_assign(w: &Word) -> Option<(String, Word)> {
    let Some(Part::Lit(first)) = w.parts.first() else { return None };
    let eq = first.find('=')?;
    let name_part = first.get(..eq)?;
    let name_part = name_part.strip_suffix('+').unwrap_or(name_part);
    let name = name_part.split('[').next().unwrap_or("");
    let mut chars = name.chars();
    let ok_start = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
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
    Some((name.to_owned(), Word { parts, span: w.span }))
}
