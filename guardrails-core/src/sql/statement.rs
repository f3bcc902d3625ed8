//! One statement: dangerous calls, the parser's tree for DML and queries, the token classifier
//! for everything else, and the rules that look at the whole input.

use sqlparser::ast::Statement;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::functions::dangerous_calls;
use super::{parse, Cx, SqlAnalysis, MAX_JOINS};
use crate::finding::{Detection, Grade};
use crate::intent::Operation;

/// Whether the parser may have read a function call from `toks`: there is a `(`, or a keyword
/// sqlparser reads as a call without parentheses (`CURRENT_USER`, `CURRENT_DATE`...). When not,
/// the tree holds no call (tests check this over every keyword and the corpora).
pub(crate) fn may_call_functions(toks: &[super::lex::Tok]) -> bool {
    toks.iter().any(|t| match &t.token {
        Token::LParen => true,
        Token::Word(w) => CALLS_WITHOUT_PARENTHESES.contains(&w.keyword),
        _ => false,
    })
}

/// The keywords sqlparser 0.64 reads as a function call with no parentheses.
const CALLS_WITHOUT_PARENTHESES: &[Keyword] = &[
    Keyword::CURRENT_CATALOG,
    Keyword::CURRENT_USER,
    Keyword::SESSION_USER,
    Keyword::USER,
    Keyword::CURRENT_TIMESTAMP,
    Keyword::CURRENT_TIME,
    Keyword::CURRENT_DATE,
    Keyword::LOCALTIME,
    Keyword::LOCALTIMESTAMP,
];

/// Whether [`Cx::statement`] will surely run the parser on these tokens: not past the join
/// limit, nothing a client meta-command starts with (a backslash, a leading `.`). The caller may
/// then parse first, lending the tokens (`parse::with_statement`); parsing has no other effect, so
/// the findings are the same. When this says no, `statement` decides and parses by itself.
pub(crate) fn wants_parse(toks: &[super::lex::Tok]) -> bool {
    toks.iter().filter(|t| t.is("JOIN")).count() <= MAX_JOINS
        && toks
            .first()
            .is_some_and(|t| !matches!(t.token, Token::Period))
        && !toks
            .iter()
            .any(|t| matches!(t.token, Token::Backslash | Token::Char('\\')))
}

impl Cx<'_> {
    /// Analyses the statement whose tokens are `self.toks`. `parsed` is the parser's result
    /// when the caller already ran it (see [`wants_parse`]); otherwise it runs here.
    pub(crate) fn statement(&mut self, parsed: Option<Result<&Statement, String>>) {
        let joins = self.toks.iter().filter(|t| t.is("JOIN")).count();
        if joins > MAX_JOINS {
            self.hit(
                "sql.too-deep",
                Grade::Deny,
                format!("{joins} joins in one statement, over the limit of {MAX_JOINS}"),
            );
            return;
        }
        self.calls();
        if self.meta_command() {
            return;
        }
        if self.has_seq(&["INTO", "OUTFILE"]) || self.has_seq(&["INTO", "DUMPFILE"]) {
            self.hit(
                "sql.file-access",
                Grade::Deny,
                "`SELECT ... INTO OUTFILE` writes a file on the database server".into(),
            );
        }
        let here;
        let first = match parsed {
            Some(parsed) => parsed,
            None => {
                here = parse::parse_one(parse::parser_tokens(self.toks), self.dialect);
                here.as_deref().map_err(Clone::clone)
            }
        };
        let repaired;
        let parsed = match first {
            Ok(s) => Ok((s, None)),
            Err(e) => match parse::repair(&parse::parser_tokens(self.toks)) {
                Some((fixed, top)) => {
                    repaired = parse::parse_one(fixed, self.dialect);
                    match &repaired {
                        Ok(s) => Ok((&**s, top)),
                        Err(_) => Err(e),
                    }
                }
                None => Err(e),
            },
        };
        match parsed {
            Ok((stmt, top)) => {
                self.intent.parsed = true;
                self.statement_ast(stmt);
                if let Some(n) = top {
                    self.intent.limit = Some(n);
                }
            }
            Err(message) => {
                self.intent.parsed = false;
                let judged = self.by_tokens(0);
                if !judged && !self.dets.iter().any(|d| d.grade == Grade::Deny) {
                    let head = self
                        .toks
                        .first()
                        .map(|t| self.text.get(t.span.0..t.span.1).unwrap_or(""))
                        .unwrap_or("");
                    self.intent.kind = "unknown".into();
                    self.hit(
                        "sql.unparseable",
                        Grade::Deny,
                        format!(
                            "cannot parse statement starting `{head}` as {}: {message}",
                            self.dialect.as_str()
                        ),
                    );
                }
            }
        }
    }

    /// Judges a parsed statement. DML and queries are read from the tree; other kinds from the
    /// tokens of this statement.
    pub(crate) fn statement_ast(&mut self, s: &Statement) {
        // Every function the tree calls, including those named by keywords (`count`, `lower`).
        // Walking the whole tree is ~5% of a short statement's cost: skipped when the tokens
        // hold no call.
        if may_call_functions(self.toks) {
            self.collect_functions(s);
        }
        self.judge_tree(s);
    }

    /// Records in the intent every function `s` calls, lower-cased, each once.
    fn collect_functions(&mut self, s: &Statement) {
        let _ = sqlparser::ast::visit_expressions(s, |e| {
            if let sqlparser::ast::Expr::Function(f) = e {
                let name = f
                    .name
                    .0
                    .last()
                    .map(|p| p.to_string().trim_matches(['"', '`']).to_ascii_lowercase())
                    .unwrap_or_default();
                if !name.is_empty() && !self.intent.functions.contains(&name) {
                    self.intent.functions.push(name);
                }
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
    }

    /// Judges a parsed statement by its kind: DML and queries from the tree, the rest from
    /// the tokens.
    fn judge_tree(&mut self, s: &Statement) {
        match s {
            Statement::Query(q) => self.query(q),
            Statement::ShowVariable { variable } if variable.len() > 3 => {
                self.intent.kind = "unknown".into();
                self.hit(
                    "sql.unparseable",
                    Grade::Deny,
                    format!(
                        "`SHOW` followed by {} words reads as prose, not SQL",
                        variable.len()
                    ),
                );
            }
            Statement::Insert(i) => self.insert(i),
            Statement::Update(u) => self.update(u),
            Statement::Delete(d) => self.delete(d),
            Statement::Merge(m) => self.merge(m),
            Statement::Explain {
                analyze, statement, ..
            } => {
                if *analyze && !self.explain_analyze_off() {
                    self.intent.kind = "explain analyze".into();
                    self.nested_statement(statement);
                    let inner_op = self
                        .intent
                        .nested
                        .last()
                        .map(|n| n.operation)
                        .unwrap_or_default();
                    self.intent.operation = inner_op;
                } else {
                    self.intent.kind = "explain".into();
                    self.intent.operation = Operation::Read;
                }
            }
            _ => {
                if !self.by_tokens(0) {
                    self.intent.kind = "unknown".into();
                    self.hit(
                        "sql.unknown-statement",
                        Grade::Review,
                        format!(
                            "the statement kind `{}` is not known to the analysis",
                            head_words(self)
                        ),
                    );
                }
            }
        }
    }

    fn explain_analyze_off(&self) -> bool {
        self.has_seq(&["ANALYZE", "FALSE"])
            || self.has_seq(&["ANALYZE", "OFF"])
            || self.has_seq(&["ANALYZE", "0"])
    }

    fn calls(&mut self) {
        for c in dangerous_calls(self.toks) {
            let what = match c.effect {
                super::functions::Effect::File => "reads or writes files on the database server",
                super::functions::Effect::Program => {
                    "runs programs or native code on the database server"
                }
                super::functions::Effect::Exfiltration => "sends data to another host",
                super::functions::Effect::HiddenLoopback => {
                    "runs SQL text through a loopback connection"
                }
                super::functions::Effect::Maintenance => "resets database state",
                super::functions::Effect::KillSession => "terminates other sessions",
                super::functions::Effect::Shutdown => "changes the server's running state",
            };
            let name = c.name.to_ascii_lowercase();
            self.hit_at(
                c.effect.rule(),
                c.effect.grade(),
                format!("`{name}` {what}"),
                c.span,
            );
        }
        let mut fns: Vec<String> = Vec::new();
        for (i, t) in self.toks.iter().enumerate() {
            if let (Some(name), Some(next)) = (t.ident(), self.toks.get(i + 1)) {
                if matches!(next.token, Token::LParen)
                    && matches!(&t.token, Token::Word(w) if w.keyword == sqlparser::keywords::Keyword::NoKeyword || w.quote_style.is_some())
                {
                    let n = name.to_ascii_lowercase();
                    if !fns.contains(&n) {
                        fns.push(n);
                    }
                }
            }
        }
        // Long sleeps tie up a connection (and its locks).
        for (i, t) in self.toks.iter().enumerate() {
            // Compared in place: only a sleep call's name is copied (lower-cased).
            let Some(raw) = t.ident() else {
                continue;
            };
            if !["pg_sleep", "sleep", "pg_sleep_for", "benchmark"]
                .iter()
                .any(|k| raw.eq_ignore_ascii_case(k))
                || self
                    .toks
                    .get(i + 1)
                    .is_none_or(|n| !matches!(n.token, Token::LParen))
            {
                continue;
            }
            let name = raw.to_ascii_lowercase();
            let seconds = self.toks.get(i + 2).and_then(|n| match &n.token {
                Token::Number(v, _) => v.parse::<f64>().ok(),
                _ => None,
            });
            if seconds.is_none_or(|s| s >= 5.0) || name == "benchmark" {
                self.hit_at(
                    "sql.lock-or-maintenance",
                    Grade::Review,
                    format!("`{name}` holds a connection idle for a long or unknown time"),
                    t.span,
                );
            }
        }
        // set_config('session_replication_role', 'replica', ...)
        for (i, t) in self.toks.iter().enumerate() {
            if t.ident()
                .is_some_and(|n| n.eq_ignore_ascii_case("set_config"))
            {
                let args: Vec<String> = self
                    .toks
                    .iter()
                    .skip(i + 1)
                    .take(8)
                    .filter_map(|t| t.string().map(str::to_ascii_lowercase))
                    .collect();
                if args
                    .first()
                    .is_some_and(|a| a == "session_replication_role")
                    && args.get(1).is_some_and(|v| v == "replica")
                {
                    self.hit_at("sql.disable-safety", Grade::Deny, "`set_config` turns off triggers and foreign keys (`session_replication_role = replica`)".into(), t.span);
                }
            }
        }
        self.intent.functions = fns;
    }

    /// psql meta-commands (`\gexec`, `\!`) and sqlite dot-commands (`.shell`, `.system`).
    fn meta_command(&mut self) -> bool {
        for (i, t) in self.toks.iter().enumerate() {
            if matches!(t.token, Token::Backslash | Token::Char('\\')) {
                let next = self.toks.get(i + 1);
                let word = next.and_then(|n| n.ident()).map(str::to_ascii_lowercase);
                let bang = next.is_some_and(|n| {
                    matches!(n.token, Token::ExclamationMark | Token::Char('!'))
                        || n.token.to_string().starts_with('!')
                });
                if bang {
                    self.hit_at(
                        "sql.program-execution",
                        Grade::Deny,
                        "psql `\\!` runs a shell command".into(),
                        t.span,
                    );
                    return true;
                }
                if word.as_deref() == Some("gexec") {
                    self.hit_at(
                        "sql.hidden-code",
                        Grade::Deny,
                        "psql `\\gexec` executes every value the query returns as SQL".into(),
                        t.span,
                    );
                    return true;
                }
                if matches!(
                    word.as_deref(),
                    Some("copy" | "o" | "out" | "w" | "i" | "ir" | "include")
                ) {
                    self.hit_at(
                        "sql.file-access",
                        Grade::Deny,
                        format!(
                            "psql `\\{}` reads or writes a client file",
                            word.unwrap_or_default()
                        ),
                        t.span,
                    );
                    return true;
                }
            }
        }
        if self
            .toks
            .first()
            .is_some_and(|t| matches!(t.token, Token::Period))
        {
            let word = self
                .toks
                .get(1)
                .and_then(|n| n.ident())
                .map(str::to_ascii_lowercase)
                .unwrap_or_default();
            match word.as_str() {
                "shell" | "system" => self.hit(
                    "sql.program-execution",
                    Grade::Deny,
                    format!("sqlite3 `.{word}` runs a shell command"),
                ),
                "output" | "once" | "read" | "import" | "backup" | "save" | "restore" | "load" => {
                    self.hit(
                        "sql.file-access",
                        Grade::Deny,
                        format!("sqlite3 `.{word}` reads or writes a file"),
                    )
                }
                _ => return false,
            }
            return true;
        }
        false
    }
}

fn head_words(cx: &Cx<'_>) -> String {
    cx.toks
        .iter()
        .take(2)
        .map(|t| cx.text.get(t.span.0..t.span.1).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Rules over the whole input: stacked statements, client-side toggles combined with the
/// writes they guard.
pub(crate) fn whole_input_rules(out: &mut SqlAnalysis) {
    let grade_of = |i: usize, dets: &[Detection]| {
        dets.iter()
            .filter(|d| d.statement == Some(i))
            .map(|d| d.grade)
            .max()
    };
    if out.statements.len() > 1 {
        let first_benign = grade_of(0, &out.detections).is_none_or(|g| g < Grade::Review);
        if first_benign {
            let mut extra = Vec::new();
            for s in out.statements.iter().skip(1) {
                if grade_of(s.index, &out.detections) == Some(Grade::Deny) {
                    extra.push(
                        Detection::new(
                            "sql.stacked-statements",
                            Grade::Deny,
                            format!(
                                "statement {} is destructive and follows a benign statement",
                                s.index + 1
                            ),
                        )
                        .at(s.index, Some(s.span)),
                    );
                }
            }
            out.detections.extend(extra.into_iter().take(1));
        }
    }
    // A client-side safety toggle in the same input as a write it would have blocked: deny.
    let toggled = out
        .detections
        .iter()
        .any(|d| d.rule == "sql.disable-safety" && d.grade == Grade::Review);
    let guarded_write = out.detections.iter().any(|d| {
        matches!(
            d.rule.as_str(),
            "sql.delete-without-where"
                | "sql.update-without-where"
                | "sql.tautological-where"
                | "sql.broad-write"
        )
    });
    if toggled && guarded_write {
        for d in &mut out.detections {
            if d.rule == "sql.disable-safety" && d.grade == Grade::Review {
                d.grade = Grade::Deny;
                d.message
                    .push_str(", combined with a write it would have blocked");
            }
        }
    }
}

#[cfg(test)]
mod tests;
