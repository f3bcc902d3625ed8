//! Word expansion as far as it is knowable statically: quotes removed, variables assigned
//! earlier in the line resolved, substitutions run through the walker (their commands are
//! judged, their output becomes a flow), brace expansion applied.

use super::ast::{Part, Quote, Word};
use super::flow::{self, Flow};
use super::walk::{Cx, State, Walker};
use crate::finding::Span;

/// Words a brace expansion may produce before it is left unexpanded.
const MAX_BRACE: usize = 64;

/// An expanded word.
#[derive(Clone, Debug, Default)]
pub(crate) struct Arg {
    /// The value; parts not known statically are written as in the source (`$DIR`, `$(…)`).
    pub value: String,
    /// Whether `value` is exact.
    pub known: bool,
    /// Unquoted glob characters.
    pub glob: bool,
    pub span: Span,
    /// What flowed in through substitutions and variables.
    pub flow: Flow,
    /// A command substitution or process substitution supplied part of it.
    pub subst: bool,
    /// A process substitution (`<(...)`): the value is a pipe path.
    pub proc: bool,
    /// A variable supplied part of it.
    pub var: bool,
    /// The first variable that was not known.
    pub unknown_var: Option<String>,
    /// Quotes or escapes in the middle of an otherwise plain word (`r''m`, `r\m`, `"r"m`).
    pub spliced: bool,
    /// `$'...'` with numeric escapes.
    pub ansi: bool,
    /// Produced by brace expansion.
    pub brace: bool,
    /// Uses `$IFS`.
    pub ifs: bool,
    /// Any quoting at all.
    pub quoted: bool,
    /// Comes from `mktemp`.
    pub temp: bool,
    /// Stands for the files a `find` (or a list) produced: many files across a tree.
    pub listed: bool,
}

impl Arg {
    /// A plain known word (for argv of exec actions and synthesized commands).
    pub(crate) fn plain(value: impl Into<String>, span: Span) -> Arg {
        Arg {
            value: value.into(),
            known: true,
            span,
            ..Arg::default()
        }
    }

    pub(crate) fn is(&self, s: &str) -> bool {
        self.value == s
    }
}

/// Pieces of a word before brace expansion: text and whether it was unquoted.
struct Piece {
    text: String,
    unquoted: bool,
}

impl Walker<'_> {
    /// Expands a word into zero or more arguments.
    pub(crate) fn expand(&mut self, w: &Word, st: &mut State, cx: &Cx) -> Vec<Arg> {
        let mut arg = Arg {
            known: true,
            span: cx.clamp.unwrap_or(w.span),
            ..Arg::default()
        };
        let mut pieces: Vec<Piece> = Vec::new();
        let n = w.parts.len();
        for (i, p) in w.parts.iter().enumerate() {
            self.part(p, st, cx, &mut arg, &mut pieces, false);
            let quoted = match p {
                Part::Quoted(t, q) => Some((t.clone(), i == 0 && *q == Quote::Escape)),
                Part::Double(inner) => Some((
                    inner
                        .iter()
                        .map(|q| {
                            if let Part::Quoted(t, _) = q {
                                t.as_str()
                            } else {
                                "$"
                            }
                        })
                        .collect(),
                    false,
                )),
                _ => None,
            };
            if let Some((t, leading_escape)) = quoted {
                if n > 1
                    && !leading_escape
                    && t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    arg.spliced = true;
                }
            }
        }
        arg.value = pieces.iter().map(|p| p.text.as_str()).collect();
        if let Some(expanded) = brace_expand(&pieces) {
            return expanded
                .into_iter()
                .map(|v| Arg {
                    value: v,
                    brace: true,
                    ..arg.clone()
                })
                .collect();
        }
        // An unquoted, unknown `$@`-like expansion that is empty: still one word for our purposes.
        vec![arg]
    }

    /// Expands a word into one argument (redirection targets, assignment values).
    pub(crate) fn expand_one(&mut self, w: &Word, st: &mut State, cx: &Cx) -> Arg {
        let mut args = self.expand(w, st, cx);
        if args.len() == 1 {
            return args.pop().unwrap_or_default();
        }
        let mut first = args.into_iter().next().unwrap_or_default();
        first.known = false;
        first
    }

    fn part(
        &mut self,
        p: &Part,
        st: &mut State,
        cx: &Cx,
        arg: &mut Arg,
        pieces: &mut Vec<Piece>,
        in_dq: bool,
    ) {
        match p {
            Part::Lit(t) => {
                if t.contains(['*', '?', '[']) && !in_dq {
                    arg.glob = true;
                }
                pieces.push(Piece {
                    text: t.clone(),
                    unquoted: !in_dq,
                });
            }
            Part::Quoted(t, q) => {
                arg.quoted = true;
                if let Quote::Ansi(true) = q {
                    arg.ansi = true;
                }
                pieces.push(Piece {
                    text: t.clone(),
                    unquoted: false,
                });
            }
            Part::Double(inner) => {
                arg.quoted = true;
                if inner.is_empty() {
                    pieces.push(Piece {
                        text: String::new(),
                        unquoted: false,
                    });
                }
                for q in inner {
                    self.part(q, st, cx, arg, pieces, true);
                }
            }
            Part::Param(param) => {
                arg.var = true;
                if param.name == "IFS" {
                    arg.ifs = true;
                }
                // Substitutions inside a default value run too.
                let mut sub = Arg::default();
                let mut sub_pieces = Vec::new();
                for q in &param.operand {
                    self.part(q, st, cx, &mut sub, &mut sub_pieces, true);
                }
                arg.flow.merge(&sub.flow.opaque());
                let var = if param.indirect {
                    None
                } else {
                    st.vars.get(&param.name)
                };
                let value = var.and_then(|v| v.value.clone());
                match (value, param.op.as_str()) {
                    (Some(v), "") => {
                        if let Some(var) = var {
                            arg.flow.merge(&var.flow.opaque());
                            arg.temp |= var.temp;
                        }
                        pieces.push(Piece {
                            text: v,
                            unquoted: false,
                        });
                    }
                    (Some(v), op)
                        if op.starts_with(":-")
                            || op.starts_with(":=")
                            || (op.starts_with('-') && !v.is_empty()) =>
                    {
                        if let Some(var) = var {
                            arg.flow.merge(&var.flow.opaque());
                            arg.temp |= var.temp;
                        }
                        if v.is_empty() && op.starts_with(':') {
                            let d: String = sub_pieces.iter().map(|p| p.text.as_str()).collect();
                            pieces.push(Piece {
                                text: d,
                                unquoted: false,
                            });
                        } else {
                            pieces.push(Piece {
                                text: v,
                                unquoted: false,
                            });
                        }
                    }
                    _ => {
                        arg.known = false;
                        if arg.unknown_var.is_none() {
                            arg.unknown_var = Some(param.name.clone());
                        }
                        if let Some(var) = var {
                            arg.flow.merge(&var.flow.opaque());
                        }
                        pieces.push(Piece {
                            text: format!("${}", param.name),
                            unquoted: false,
                        });
                    }
                }
            }
            Part::Subst(script) => {
                arg.subst = true;
                let out = self.substitution(script, st, cx);
                arg.flow.merge(&out.opaque());
                match out.content {
                    Some(c) if out.bits & flow::OPAQUE == 0 => {
                        let c = c.trim_end_matches('\n').to_owned();
                        arg.temp |= out.paths.as_deref() == Some("mktemp");
                        pieces.push(Piece {
                            text: c,
                            unquoted: false,
                        });
                    }
                    _ => match out.paths {
                        Some(p) if p != "mktemp" => {
                            arg.glob = true;
                            pieces.push(Piece {
                                text: p,
                                unquoted: false,
                            });
                        }
                        _ => {
                            arg.known = false;
                            pieces.push(Piece {
                                text: "$(…)".to_owned(),
                                unquoted: false,
                            });
                        }
                    },
                }
            }
            Part::Proc(script, input) => {
                arg.subst = true;
                arg.proc = true;
                let mut sub_st = st.clone();
                let mut sub_cx = cx.clone();
                sub_cx.stdin = Flow::default();
                let out = self.walk_script_with(script, &[], &mut sub_st, &sub_cx);
                if *input {
                    arg.flow.merge(&out.opaque());
                }
                pieces.push(Piece {
                    text: "/dev/fd/63".to_owned(),
                    unquoted: false,
                });
            }
            Part::Arith(inner) => {
                let mut sub = Arg::default();
                let mut sub_pieces = Vec::new();
                for q in inner {
                    self.part(q, st, cx, &mut sub, &mut sub_pieces, true);
                }
                arg.known = false;
                pieces.push(Piece {
                    text: "$((…))".to_owned(),
                    unquoted: false,
                });
            }
        }
    }

    /// Runs a command substitution: its commands are judged; its output is returned.
    fn substitution(&mut self, script: &super::ast::Script, st: &mut State, cx: &Cx) -> Flow {
        let mut sub_st = st.clone();
        let mut sub_cx = cx.clone();
        sub_cx.stdin = Flow::default();
        sub_cx.in_subst = true;
        let out = self.walk_script_with(script, &[], &mut sub_st, &sub_cx);
        // Downloaded files recorded inside a substitution still exist afterwards.
        st.downloaded = sub_st.downloaded;
        out
    }
}

/// Brace expansion of unquoted `{a,b}` and `{1..3}` within one unquoted piece.
fn brace_expand(pieces: &[Piece]) -> Option<Vec<String>> {
    let idx = pieces
        .iter()
        .position(|p| p.unquoted && has_brace(&p.text))?;
    let piece = pieces.get(idx)?;
    let prefix: String = pieces.get(..idx)?.iter().map(|p| p.text.as_str()).collect();
    let suffix: String = pieces
        .get(idx + 1..)?
        .iter()
        .map(|p| p.text.as_str())
        .collect();
    let words = expand_text(&piece.text, 0)?;
    if words.len() > MAX_BRACE {
        return None;
    }
    Some(
        words
            .into_iter()
            .map(|w| format!("{prefix}{w}{suffix}"))
            .collect(),
    )
}

fn has_brace(t: &str) -> bool {
    t.contains('{') && t.contains('}') && (t.contains(',') || t.contains(".."))
}

/// Expands the first top-level brace group of `t` (recursively for the rest).
fn expand_text(t: &str, depth: usize) -> Option<Vec<String>> {
    if depth > 8 {
        return None;
    }
    let open = t.find('{')?;
    let bytes = t.as_bytes();
    let mut level = 0usize;
    let mut commas = Vec::new();
    let mut close = None;
    for (i, b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' => level += 1,
            b'}' => {
                level -= 1;
                if level == 0 {
                    close = Some(i);
                    break;
                }
            }
            b',' if level == 1 => commas.push(i),
            _ => {}
        }
    }
    let close = close?;
    let pre = t.get(..open)?;
    let body = t.get(open + 1..close)?;
    let post = t.get(close + 1..)?;
    let alts: Vec<String> = if commas.is_empty() {
        let (a, b) = body.split_once("..")?;
        let (a, b): (i64, i64) = (a.parse().ok()?, b.parse().ok()?);
        if (a - b).abs() > MAX_BRACE as i64 {
            return None;
        }
        if a <= b {
            (a..=b).map(|x| x.to_string()).collect()
        } else {
            (b..=a).rev().map(|x| x.to_string()).collect()
        }
    } else {
        let mut alts = Vec::new();
        let mut last = open + 1;
        for c in commas.iter().copied().chain(std::iter::once(close)) {
            alts.push(t.get(last..c)?.to_owned());
            last = c + 1;
        }
        alts
    };
    let mut out = Vec::new();
    let tails = if has_brace(post) {
        expand_text(post, depth + 1).unwrap_or_else(|| vec![post.to_owned()])
    } else {
        vec![post.to_owned()]
    };
    for a in alts {
        let heads = if has_brace(&a) {
            expand_text(&a, depth + 1).unwrap_or_else(|| vec![a.clone()])
        } else {
            vec![a]
        };
        for h in &heads {
            for tail in &tails {
                out.push(format!("{pre}{h}{tail}"));
                if out.len() > MAX_BRACE {
                    return Some(out);
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::expand_text;

    #[test]
    fn braces() {
        assert_eq!(
            expand_text("{rm,-rf,/data}", 0).unwrap(),
            vec!["rm", "-rf", "/data"]
        );
        assert_eq!(
            expand_text("/{etc,usr}/x", 0).unwrap(),
            vec!["/etc/x", "/usr/x"]
        );
        assert_eq!(expand_text("a{1..3}", 0).unwrap(), vec!["a1", "a2", "a3"]);
    }
}
