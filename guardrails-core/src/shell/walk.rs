//! Walks a parsed command line in execution order with the state a shell would have (variables
//! assigned earlier in the line, the current directory, files downloaded or written), feeding
//! every simple command, unwrapped, to the judges with what flows into it.

use std::collections::HashMap;

use super::ast::{Command, Conn, HereDoc, Parsed, Pipeline, Redir, RedirOp, Script, Simple};
use super::expand::Arg;
use super::flow::{self, Flow};
use super::CommandIntent;
use crate::finding::{Detection, Grade, Span};

/// Simple commands analysed per action, beyond which the rest is not analysed (a finding).
const MAX_COMMANDS: usize = 4096;
/// Units of work (words judged, bytes re-parsed) per action, beyond which the rest is not
/// analysed: keeps nested wrappers over huge argument lists linear.
pub(crate) const MAX_WORK: usize = 8 << 20;
/// Static words of a `for` list run through the body one by one, up to this many.
const MAX_FOR_VALUES: usize = 16;

/// A variable's value as far as known.
#[derive(Clone, Debug, Default)]
pub(crate) struct Var {
    pub value: Option<String>,
    pub flow: Flow,
    pub temp: bool,
}

/// Shell state along the line.
#[derive(Clone, Debug)]
pub(crate) struct State {
    pub vars: HashMap<String, Var>,
    /// The current directory: `.` is the project checkout; `None` is unknown.
    pub cwd: Option<String>,
    /// Paths written by downloads earlier in the line.
    pub downloaded: Vec<String>,
    /// Scripts written earlier in the line, with their content.
    pub scripts: Vec<(String, String)>,
    /// Directories created (empty) earlier in the line.
    pub empty_dirs: Vec<String>,
}

impl Default for State {
    fn default() -> Self {
        let mut vars = HashMap::new();
        for (k, v) in [
            ("HOME", "~"),
            ("TMPDIR", "/tmp"),
            ("PWD", "."),
            ("TMP", "/tmp"),
            ("TEMP", "/tmp"),
        ] {
            vars.insert(
                k.to_owned(),
                Var {
                    value: Some(v.to_owned()),
                    flow: Flow::default(),
                    temp: false,
                },
            );
        }
        State {
            vars,
            cwd: Some(".".to_owned()),
            downloaded: Vec::new(),
            scripts: Vec::new(),
            empty_dirs: Vec::new(),
        }
    }
}

impl State {
    pub(crate) fn set(&mut self, name: &str, arg: &Arg) {
        let value = arg.known.then(|| arg.value.clone());
        self.vars.insert(
            name.to_owned(),
            Var {
                value,
                flow: arg.flow.clone(),
                temp: arg.temp,
            },
        );
    }
}

/// Where a command sits: nesting, wrappers, where findings point.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cx {
    pub depth: usize,
    pub wrappers: Vec<String>,
    /// Findings inside re-parsed text point at this span of the original.
    pub clamp: Option<Span>,
    /// What flows into the command's standard input.
    pub stdin: Flow,
    /// Runs on another host (ssh): relative paths are in that host's home.
    pub remote: bool,
    /// Inside a command substitution (its output is captured, not shown).
    pub in_subst: bool,
    /// Container path mappings (container path, host path).
    pub mounts: Vec<(String, String)>,
}

/// An expanded redirection.
#[derive(Clone, Debug)]
pub(crate) struct RArg {
    pub fd: Option<u32>,
    pub op: RedirOp,
    pub target: Arg,
}

/// A simple command ready to judge.
#[derive(Clone, Debug, Default)]
pub(crate) struct Inv {
    pub argv: Vec<Arg>,
    pub redirs: Vec<RArg>,
    pub assigns: Vec<(String, Arg)>,
    pub span: Span,
    pub stdin: Flow,
    /// Index of its entry in the command list.
    pub index: usize,
}

impl Inv {
    /// The program's base name.
    pub(crate) fn program(&self) -> &str {
        self.argv.first().map_or("", |a| basename(&a.value))
    }

    /// Arguments after the program.
    pub(crate) fn args(&self) -> &[Arg] {
        self.argv.get(1..).unwrap_or(&[])
    }
}

/// `/usr/bin/rm` → `rm`.
pub(crate) fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// The walker: collects commands and detections.
#[derive(Debug)]
pub(crate) struct Walker<'t> {
    /// The original text (an argv joined by spaces for exec actions).
    pub text: &'t str,
    pub commands: Vec<CommandIntent>,
    pub detections: Vec<Detection>,
    pub budget: usize,
    pub work: usize,
    pub exhausted: bool,
}

impl<'t> Walker<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Walker {
            text,
            commands: Vec::new(),
            detections: Vec::new(),
            budget: MAX_COMMANDS,
            work: 0,
            exhausted: false,
        }
    }

    /// Records a detection against a command.
    pub(crate) fn hit(&mut self, rule: &str, grade: Grade, message: String, inv: &Inv) {
        let message = crate::redact::redact_message(&message);
        let d = Detection {
            rule: rule.to_owned(),
            grade,
            message,
            statement: Some(inv.index),
            span: Some(inv.span),
        };
        if !self.detections.contains(&d) {
            self.detections.push(d);
        }
    }

    /// Walks a parse result from the top.
    pub(crate) fn walk(&mut self, parsed: &Parsed, st: &mut State, cx: &Cx) -> Flow {
        self.walk_script_with(&parsed.script, &parsed.heredocs, st, cx)
    }

    pub(crate) fn walk_script_with(
        &mut self,
        script: &Script,
        hd: &[HereDoc],
        st: &mut State,
        cx: &Cx,
    ) -> Flow {
        let mut out = Flow::default();
        for item in &script.items {
            for (conn, pipeline) in &item.chain {
                let _ = conn == &Conn::First;
                let f = self.pipeline(pipeline, hd, st, cx);
                out.merge(&f);
            }
        }
        out
    }

    fn pipeline(&mut self, p: &Pipeline, hd: &[HereDoc], st: &mut State, cx: &Cx) -> Flow {
        let mut input = cx.stdin.clone();
        let n = p.cmds.len();
        let first_cmd = self.commands.len();
        let mut out = Flow::default();
        for (i, c) in p.cmds.iter().enumerate() {
            let mut sub_cx = cx.clone();
            sub_cx.stdin = input;
            let last = i + 1 == n;
            // Pipeline stages after the first run in subshells: their state does not persist.
            out = if n == 1 {
                self.command(c, hd, st, &sub_cx, last)
            } else {
                let mut sub_st = st.clone();
                let f = self.command(c, hd, &mut sub_st, &sub_cx, last);
                st.downloaded = sub_st.downloaded;
                st.scripts = sub_st.scripts;
                f
            };
            input = out.clone();
        }
        if n > 1 {
            super::judge::net::pipeline(self, first_cmd);
        }
        if !cx.in_subst {
            super::judge::net::shown(self, &out, first_cmd);
        }
        out
    }

    fn command(
        &mut self,
        c: &Command,
        hd: &[HereDoc],
        st: &mut State,
        cx: &Cx,
        last: bool,
    ) -> Flow {
        let _ = last;
        match c {
            Command::Simple(s) => self.simple(s, hd, st, cx),
            Command::Compound {
                kind,
                bodies,
                redirs,
                span,
            } => {
                let (redirs, stdin) = self.redirs(redirs, hd, st, cx);
                let mut sub_cx = cx.clone();
                if let Some(f) = stdin {
                    sub_cx.stdin = f;
                }
                self.judge_bare_redirs(&redirs, *span, st, cx);
                let mut out = Flow::default();
                if *kind == super::ast::Compound::Subshell {
                    let mut sub_st = st.clone();
                    for b in bodies {
                        out.merge(&self.walk_script_with(b, hd, &mut sub_st, &sub_cx));
                    }
                } else {
                    for b in bodies {
                        out.merge(&self.walk_script_with(b, hd, st, &sub_cx));
                    }
                }
                out
            }
            Command::For {
                var,
                words,
                body,
                redirs,
                span,
            } => {
                let (redirs, _) = self.redirs(redirs, hd, st, cx);
                self.judge_bare_redirs(&redirs, *span, st, cx);
                let mut values = Vec::new();
                if let Some(words) = words {
                    for w in words {
                        values.extend(self.expand(w, st, cx));
                    }
                }
                let mut out = Flow::default();
                let all_known = values.iter().all(|a| a.known) && !values.is_empty();
                if all_known && values.len() <= MAX_FOR_VALUES {
                    for v in &values {
                        st.set(var, v);
                        out.merge(&self.walk_script_with(body, hd, st, cx));
                    }
                } else {
                    let mut unknown = Arg::default();
                    for v in &values {
                        unknown.flow.merge(&v.flow.opaque());
                    }
                    unknown.flow.bits |= flow::OPAQUE;
                    st.set(var, &unknown);
                    out.merge(&self.walk_script_with(body, hd, st, cx));
                }
                out
            }
            Command::Case {
                word,
                arms,
                redirs,
                span,
            } => {
                let _ = self.expand(word, st, cx);
                let (redirs, _) = self.redirs(redirs, hd, st, cx);
                self.judge_bare_redirs(&redirs, *span, st, cx);
                let mut out = Flow::default();
                for a in arms {
                    out.merge(&self.walk_script_with(a, hd, st, cx));
                }
                out
            }
            Command::Arith { parts } => {
                let w = super::ast::Word {
                    parts: parts.clone(),
                    span: (0, 0),
                };
                let _ = self.expand(&w, st, cx);
                Flow::default()
            }
            Command::Func { name, body, span } => {
                super::judge::host::function(self, name, body, *span, cx);
                let mut sub_st = st.clone();
                self.command(body, hd, &mut sub_st, cx, true)
            }
        }
    }

    /// Expands redirections; returns them and the standard input they supply, if any.
    fn redirs(
        &mut self,
        redirs: &[Redir],
        hd: &[HereDoc],
        st: &mut State,
        cx: &Cx,
    ) -> (Vec<RArg>, Option<Flow>) {
        let mut out = Vec::new();
        let mut stdin = None;
        for r in redirs {
            let target = match r.heredoc.and_then(|id| hd.get(id)) {
                Some(h) => {
                    let mut a = self.expand_one(&h.body, st, cx);
                    a.span = cx.clamp.unwrap_or(r.span);
                    a
                }
                None => self.expand_one(&r.target, st, cx),
            };
            let reads_stdin = r.fd.is_none_or(|fd| fd == 0);
            match r.op {
                RedirOp::HereDoc | RedirOp::HereString if reads_stdin => {
                    let mut f = target.flow.opaque();
                    if target.known {
                        let mut c = target.value.clone();
                        if r.op == RedirOp::HereString {
                            c.push('\n');
                        }
                        f.content = Some(c);
                    } else {
                        f.bits |= flow::OPAQUE;
                    }
                    stdin = Some(f);
                }
                RedirOp::In | RedirOp::ReadWrite if reads_stdin => {
                    stdin = Some(super::judge::fs::file_flow(&target, st, cx));
                }
                _ => {}
            }
            out.push(RArg {
                fd: r.fd,
                op: r.op,
                target,
            });
        }
        (out, stdin)
    }

    fn judge_bare_redirs(&mut self, redirs: &[RArg], span: Span, st: &State, cx: &Cx) {
        if redirs.iter().any(|r| r.op.writes()) {
            let mut inv = Inv {
                redirs: redirs.to_vec(),
                span: cx.clamp.unwrap_or(span),
                ..Inv::default()
            };
            inv.index = self.record(&inv, cx);
            super::judge::write::redirections(self, &inv, st, cx);
        }
    }

    fn simple(&mut self, s: &Simple, hd: &[HereDoc], st: &mut State, cx: &Cx) -> Flow {
        // Words are expanded before the command's own assignments take effect.
        let mut argv = Vec::new();
        for w in &s.words {
            argv.extend(self.expand(w, st, cx));
        }
        let mut assigns = Vec::new();
        for a in &s.assigns {
            let mut value = self.expand_one(&a.value, st, cx);
            if let Some(items) = &a.array {
                let mut vals = Vec::new();
                for w in items {
                    vals.extend(self.expand(w, st, cx));
                }
                value.known = vals.iter().all(|v| v.known);
                value.value = vals
                    .iter()
                    .map(|v| v.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            assigns.push((a.name.clone(), value));
        }
        let (redirs, stdin) = self.redirs(&s.redirs, hd, st, cx);
        let span = cx.clamp.unwrap_or(s.span);
        if argv.is_empty() {
            for (name, value) in &assigns {
                st.set(name, value);
            }
            let inv = Inv {
                argv,
                redirs,
                assigns,
                span,
                stdin: stdin.unwrap_or_default(),
                index: 0,
            };
            let mut inv = inv;
            inv.index = self.record(&inv, cx);
            super::judge::host::assignments(self, &inv);
            super::judge::write::redirections(self, &inv, st, cx);
            return Flow::default();
        }
        let inv = Inv {
            argv,
            redirs,
            assigns,
            span,
            stdin: stdin.unwrap_or_else(|| cx.stdin.clone()),
            index: 0,
        };
        self.run(inv, st, cx)
    }

    /// Records a command, judges it (unwrapping wrappers), and returns its output.
    pub(crate) fn run(&mut self, mut inv: Inv, st: &mut State, cx: &Cx) -> Flow {
        if !self.spend(inv.argv.len() + 1, inv.span) {
            return Flow::bits(flow::OPAQUE);
        }
        inv.index = self.record(&inv, cx);
        super::judge::write::redirections(self, &inv, st, cx);
        super::judge::judge(self, &inv, st, cx)
    }

    /// Spends analysis work; false (and a fail-closed finding, once) when the budget is gone.
    pub(crate) fn spend(&mut self, units: usize, span: Span) -> bool {
        self.work = self.work.saturating_add(units);
        if self.budget > 0 && self.work <= MAX_WORK {
            self.budget -= 1;
            return true;
        }
        if !self.exhausted {
            self.exhausted = true;
            self.detections.push(
                Detection::new("shell.unparseable", Grade::Deny, format!("the command is too large or too complex to analyse (over {MAX_COMMANDS} commands or {MAX_WORK} units of work): fail closed"))
                    .at(self.commands.len().saturating_sub(1), Some(span)),
            );
        }
        false
    }

    /// Adds a command to the intent list; returns its index.
    pub(crate) fn record(&mut self, inv: &Inv, cx: &Cx) -> usize {
        let program = inv.argv.first();
        let path = program.map(|a| a.value.clone()).filter(|v| v.contains('/'));
        let intent = CommandIntent {
            program: inv.program().to_owned(),
            path,
            args: inv
                .args()
                .iter()
                .map(|a| crate::redact::redact_message(&a.value))
                .collect(),
            redirections: inv
                .redirs
                .iter()
                .map(|r| super::Redirection {
                    fd: r.fd,
                    op: r.op.as_str().to_owned(),
                    target: if r.op == RedirOp::HereDoc {
                        "<here-document>".to_owned()
                    } else {
                        r.target.value.clone()
                    },
                })
                .collect(),
            env: inv
                .assigns
                .iter()
                .map(|(n, v)| super::EnvAssignment {
                    name: n.clone(),
                    value: super::redact_env(n, &v.value),
                })
                .collect(),
            span: inv.span,
            depth: cx.depth,
            wrappers: cx.wrappers.clone(),
            static_words: inv.argv.iter().all(|a| a.known && !a.glob),
        };
        self.commands.push(intent);
        self.commands.len() - 1
    }
}
