//! Loops, `case`, `[[ ]]`, function definitions, arrays and redirections.

use super::super::ast::{Command, HereDoc, Part, Redir, RedirOp, Script, Simple, Word};
use super::{lit_text, Parser, Pending, R};

impl Parser<'_> {
    pub(super) fn for_loop(&mut self, start: usize) -> R<Command> {
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
        let var = self
            .word()?
            .map(|w| lit_text(&w))
            .ok_or_else(|| self.err("`for` without a variable"))?;
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

    pub(super) fn loop_body(
        &mut self,
        start: usize,
        var: String,
        words: Option<Vec<Word>>,
    ) -> R<Command> {
        self.linebreaks()?;
        let (open, close) = if self.at_word("{") {
            ("{", "}")
        } else {
            ("do", "done")
        };
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
        Ok(Command::For {
            var,
            words,
            body,
            redirs,
            span: self.span(start, self.pos),
        })
    }

    pub(super) fn case(&mut self, start: usize) -> R<Command> {
        self.blanks();
        let word = self
            .word()?
            .ok_or_else(|| self.err("`case` without a word"))?;
        self.expect_word("in", "`case`")?;
        self.enter()?;
        let arms = self.case_arms();
        self.leave();
        let arms = arms?;
        let redirs = self.trailing_redirs()?;
        Ok(Command::Case {
            word,
            arms,
            redirs,
            span: self.span(start, self.pos),
        })
    }

    pub(super) fn case_arms(&mut self) -> R<Vec<Script>> {
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
    pub(super) fn cond(&mut self, start: usize) -> R<Command> {
        let mut words = Vec::new();
        loop {
            self.blanks();
            if self.peek() == Some(b'\n') {
                self.newline()?;
                continue;
            }
            let Some(b) = self.peek() else {
                return Err(self.err("`[[` without `]]`"));
            };
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
                words.push(Word {
                    parts: vec![Part::Lit(t)],
                    span: self.span(s, self.pos),
                });
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
        Ok(Command::Simple(Simple {
            assigns: Vec::new(),
            words,
            redirs,
            span: self.span(start, self.pos),
        }))
    }

    pub(super) fn redir_start(&self) -> bool {
        let mut k = 0;
        while self.peek_at(k).is_some_and(|b| b.is_ascii_digit()) {
            k += 1;
        }
        if k == 0 && self.peek() == Some(b'{') {
            // `{var}>file`
            let mut j = 1;
            while self
                .peek_at(j)
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                j += 1;
            }
            if j > 1
                && self.peek_at(j) == Some(b'}')
                && matches!(self.peek_at(j + 1), Some(b'<' | b'>'))
            {
                return true;
            }
        }
        match self.peek_at(k) {
            Some(b'<') | Some(b'>') => self.peek_at(k + 1) != Some(b'('),
            Some(b'&') => k == 0 && self.peek_at(1) == Some(b'>'),
            _ => false,
        }
    }

    pub(super) fn redir(&mut self) -> R<Redir> {
        let start = self.pos;
        let mut fd = None;
        let digits_start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos > digits_start {
            fd = self
                .text
                .get(digits_start..self.pos)
                .and_then(|d| d.parse().ok());
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
            self.pending.push(Pending {
                id,
                delim: lit_text(&target),
                strip_tabs,
                quoted,
            });
            heredoc = Some(id);
        }
        Ok(Redir {
            fd,
            op,
            target,
            heredoc,
            span: self.span(start, self.pos),
        })
    }

    pub(super) fn func_def(&mut self, start: usize, s: &Simple) -> R<Command> {
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
        Ok(Command::Func {
            name,
            body: Box::new(body?),
            span: self.span(start, self.pos),
        })
    }

    pub(super) fn array(&mut self) -> R<Vec<Word>> {
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
}
