//! The syntax tree of a parsed command line. Spans are byte ranges in the text the parser was
//! given (or, for text re-parsed from inside a word, the span of that word).

use crate::finding::Span;

/// A list of items separated by `;`, `&` or newlines.
#[derive(Debug, Default, Clone)]
pub(crate) struct Script {
    pub items: Vec<Item>,
}

/// How a pipeline is joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conn {
    First,
    And,
    Or,
}

/// An and-or list, possibly run in the background.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub chain: Vec<(Conn, Pipeline)>,
    pub background: bool,
}

/// Commands joined by `|`.
#[derive(Debug, Clone)]
pub(crate) struct Pipeline {
    pub cmds: Vec<Command>,
}

/// One command of a pipeline.
#[derive(Debug, Clone)]
pub(crate) enum Command {
    Simple(Simple),
    /// `( ... )`, `{ ...; }`, `if`, `while`, `until`, `case` and `[[ ]]`-free compounds: the
    /// scripts they run, in order (a loop body is listed once).
    Compound {
        kind: Compound,
        bodies: Vec<Script>,
        redirs: Vec<Redir>,
        span: Span,
    },
    For {
        var: String,
        words: Option<Vec<Word>>,
        body: Script,
        redirs: Vec<Redir>,
        span: Span,
    },
    Case {
        word: Word,
        arms: Vec<Script>,
        redirs: Vec<Redir>,
        span: Span,
    },
    /// `(( ... ))`, with the substitutions inside it.
    Arith {
        parts: Vec<Part>,
    },
    Func {
        name: String,
        body: Box<Command>,
        span: Span,
    },
}

/// The kind of a compound command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compound {
    Subshell,
    Group,
    If,
    Loop,
}

/// A simple command: assignments, words and redirections.
#[derive(Debug, Clone, Default)]
pub(crate) struct Simple {
    pub assigns: Vec<Assign>,
    pub words: Vec<Word>,
    pub redirs: Vec<Redir>,
    pub span: Span,
}

/// `NAME=value` or `NAME=(a b c)`.
#[derive(Debug, Clone)]
pub(crate) struct Assign {
    pub name: String,
    pub value: Word,
    pub array: Option<Vec<Word>>,
}

/// A redirection operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedirOp {
    In,
    Out,
    Append,
    Clobber,
    ReadWrite,
    DupIn,
    DupOut,
    OutErr,
    AppendErr,
    HereDoc,
    HereString,
}

impl RedirOp {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RedirOp::In => "<",
            RedirOp::Out => ">",
            RedirOp::Append => ">>",
            RedirOp::Clobber => ">|",
            RedirOp::ReadWrite => "<>",
            RedirOp::DupIn => "<&",
            RedirOp::DupOut => ">&",
            RedirOp::OutErr => "&>",
            RedirOp::AppendErr => "&>>",
            RedirOp::HereDoc => "<<",
            RedirOp::HereString => "<<<",
        }
    }

    /// Whether the target is written (truncated or appended to).
    pub(crate) fn writes(self) -> bool {
        matches!(
            self,
            RedirOp::Out
                | RedirOp::Append
                | RedirOp::Clobber
                | RedirOp::ReadWrite
                | RedirOp::OutErr
                | RedirOp::AppendErr
                | RedirOp::DupOut
        )
    }

    /// Whether the target is emptied first.
    pub(crate) fn truncates(self) -> bool {
        matches!(
            self,
            RedirOp::Out | RedirOp::Clobber | RedirOp::OutErr | RedirOp::DupOut
        )
    }
}

/// A redirection; here-documents point into the parse's here-document table.
#[derive(Debug, Clone)]
pub(crate) struct Redir {
    pub fd: Option<u32>,
    pub op: RedirOp,
    pub target: Word,
    pub heredoc: Option<usize>,
    pub span: Span,
}

/// A here-document body.
#[derive(Debug, Clone, Default)]
pub(crate) struct HereDoc {
    /// The body as a word (literal when the delimiter was quoted).
    pub body: Word,
}

/// A word: parts concatenated.
#[derive(Debug, Clone, Default)]
pub(crate) struct Word {
    pub parts: Vec<Part>,
    pub span: Span,
}

/// How a quoted piece was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quote {
    Single,
    /// A backslash-escaped character.
    Escape,
    /// `$'...'`; `true` when it used a numeric escape (`\x72`, `\162`, `\u0072`).
    Ansi(bool),
}

/// A piece of a word.
#[derive(Debug, Clone)]
pub(crate) enum Part {
    /// Unquoted text (globs, braces and `~` still meaningful).
    Lit(String),
    /// Quoted text, taken literally.
    Quoted(String, Quote),
    /// `"..."`.
    Double(Vec<Part>),
    /// `$NAME`, `${NAME...}`.
    Param(Param),
    /// `$( ... )` or backticks.
    Subst(Box<Script>),
    /// `<( ... )` (true) or `>( ... )` (false).
    Proc(Box<Script>, bool),
    /// `$(( ... ))`, with the substitutions inside it.
    Arith(Vec<Part>),
}

/// A parameter expansion.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub name: String,
    /// The operator and operand text after the name (`:-default`, `//a/b`), if any.
    pub op: String,
    /// Parts of the operand (for substitutions hidden in a default value).
    pub operand: Vec<Part>,
    /// `${!name}` or `${#name}`.
    pub indirect: bool,
}

/// A parsed command line with its here-document table.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub script: Script,
    pub heredocs: Vec<HereDoc>,
}
