//! A small glob matcher for names, paths and hosts: `*` (any run of characters; in paths, not
//! across `/`), `**` (anything, `/` included), `?` (one character) and `[abc]`, `[a-z]`,
//! `[!x]` classes. Matching is case-insensitive except for paths.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Char(char),
    One,
    Star,
    DoubleStar,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A compiled glob.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    source: String,
    tokens: Vec<Token>,
    /// `Some('/')` for paths: `*` and `?` stop there.
    separator: Option<char>,
    case_insensitive: bool,
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Glob({:?})", self.source)
    }
}

/// Why a glob does not compile; lowercase, no input quoted (the caller names the field).
pub(crate) type GlobError = String;

impl Glob {
    /// A case-insensitive glob where `*` matches anything.
    pub(crate) fn name(pattern: &str) -> Result<Glob, GlobError> {
        Glob::compile(pattern, None, true)
    }

    /// A case-sensitive path glob: `*` stays within one path segment, `**` crosses them.
    pub(crate) fn path(pattern: &str) -> Result<Glob, GlobError> {
        Glob::compile(pattern, Some('/'), false)
    }

    fn compile(
        pattern: &str,
        separator: Option<char>,
        case_insensitive: bool,
    ) -> Result<Glob, GlobError> {
        if pattern.is_empty() {
            return Err("an empty pattern matches nothing".into());
        }
        let fold = |c: char| {
            if case_insensitive {
                c.to_ascii_lowercase()
            } else {
                c
            }
        };
        let mut tokens = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => {
                    let mut n = 1;
                    while chars.peek() == Some(&'*') {
                        chars.next();
                        n += 1;
                    }
                    if n > 2 {
                        return Err("`***` is not a pattern: use `*` or `**`".into());
                    }
                    tokens.push(if n == 2 {
                        Token::DoubleStar
                    } else {
                        Token::Star
                    });
                }
                '?' => tokens.push(Token::One),
                '\\' => match chars.next() {
                    Some(e) => tokens.push(Token::Char(fold(e))),
                    None => return Err("a pattern cannot end with `\\`".into()),
                },
                '[' => {
                    let negated = chars.peek() == Some(&'!');
                    if negated {
                        chars.next();
                    }
                    let mut ranges = Vec::new();
                    let mut closed = false;
                    while let Some(c) = chars.next() {
                        if c == ']' {
                            closed = true;
                            break;
                        }
                        if chars.peek() == Some(&'-') {
                            chars.next();
                            match chars.next() {
                                Some(']') => {
                                    ranges.push((fold(c), fold(c)));
                                    ranges.push(('-', '-'));
                                    closed = true;
                                    break;
                                }
                                Some(hi) if hi >= c => ranges.push((fold(c), fold(hi))),
                                Some(hi) => {
                                    return Err(format!("the range `{c}-{hi}` is reversed"))
                                }
                                None => break,
                            }
                        } else {
                            ranges.push((fold(c), fold(c)));
                        }
                    }
                    if !closed {
                        return Err("`[` is not closed by `]`".into());
                    }
                    if ranges.is_empty() {
                        return Err("`[]` is an empty class".into());
                    }
                    tokens.push(Token::Class { negated, ranges });
                }
                c => tokens.push(Token::Char(fold(c))),
            }
        }
        Ok(Glob {
            source: pattern.to_owned(),
            tokens,
            separator,
            case_insensitive,
        })
    }

    /// The pattern as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern has no wildcard at all.
    pub(crate) fn is_literal(&self) -> bool {
        self.tokens.iter().all(|t| matches!(t, Token::Char(_)))
    }

    /// Whether `text` matches the whole pattern.
    pub(crate) fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = if self.case_insensitive {
            text.chars().map(|c| c.to_ascii_lowercase()).collect()
        } else {
            text.chars().collect()
        };
        let n = text.len();
        // reach[j]: the tokens consumed so far can match exactly text[..j].
        let mut reach = vec![false; n + 1];
        if let Some(r) = reach.first_mut() {
            *r = true;
        }
        for token in &self.tokens {
            let mut next = vec![false; n + 1];
            match token {
                Token::Star | Token::DoubleStar => {
                    let crosses = matches!(token, Token::DoubleStar) || self.separator.is_none();
                    let mut open = false;
                    for j in 0..=n {
                        if reach.get(j).copied().unwrap_or(false) {
                            open = true;
                        }
                        if let Some(slot) = next.get_mut(j) {
                            *slot = open;
                        }
                        let c = text.get(j).copied();
                        if !crosses && c.is_some() && c == self.separator {
                            open = false;
                        }
                    }
                }
                _ => {
                    for j in 0..n {
                        if !reach.get(j).copied().unwrap_or(false) {
                            continue;
                        }
                        let Some(&c) = text.get(j) else { continue };
                        if self.single(token, c) {
                            if let Some(slot) = next.get_mut(j + 1) {
                                *slot = true;
                            }
                        }
                    }
                }
            }
            reach = next;
        }
        reach.get(n).copied().unwrap_or(false)
    }

    fn single(&self, token: &Token, c: char) -> bool {
        match token {
            Token::Char(x) => *x == c,
            Token::One => Some(c) != self.separator,
            Token::Class { negated, ranges } => {
                let inside = ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi);
                inside != *negated && Some(c) != self.separator
            }
            Token::Star | Token::DoubleStar => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    #[test]
    fn names() {
        let g = Glob::name("*.audit_*").unwrap();
        assert!(g.matches("public.audit_log"));
        assert!(g.matches("PUBLIC.AUDIT_LOG"));
        assert!(!g.matches("public.users"));
        assert!(Glob::name("deploy-?").unwrap().matches("deploy-1"));
        assert!(Glob::name("[a-c]x").unwrap().matches("bx"));
        assert!(!Glob::name("[!a-c]x").unwrap().matches("bx"));
        assert!(Glob::name("*").unwrap().matches(""));
    }

    #[test]
    fn paths() {
        let g = Glob::path("/etc/*").unwrap();
        assert!(g.matches("/etc/passwd"));
        assert!(!g.matches("/etc/ssh/sshd_config"));
        assert!(Glob::path("/etc/**")
            .unwrap()
            .matches("/etc/ssh/sshd_config"));
        assert!(Glob::path("**/.env").unwrap().matches("app/config/.env"));
        assert!(!Glob::path("*.TXT").unwrap().matches("a.txt"));
    }

    #[test]
    fn bad() {
        assert!(Glob::name("").is_err());
        assert!(Glob::name("[abc").is_err());
        assert!(Glob::name("[]").is_err());
        assert!(Glob::name("a***").is_err());
        assert!(Glob::name("[z-a]").is_err());
    }
}
