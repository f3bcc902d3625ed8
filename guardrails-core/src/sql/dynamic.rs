//! Dynamic SQL and data movement: EXEC/EXECUTE/PREPARE/DO/CALL bodies are unpacked and
//! analysed when they are literal, flagged when they are not; COPY/UNLOAD/EXPORT/LOAD judged
//! by where data goes. Also the other lexings of generic-dialect text.

use sqlparser::tokenizer::Token;

use super::{analyze_at, Cx, SqlAnalysis, MAX_DYNAMIC_DEPTH};
use crate::action::Dialect;
use crate::finding::{Detection, Grade, Grade::Deny, Grade::Review};
use crate::intent::{Access, Operation};

const SAFE_PROCEDURES: &[&str] = &[
    "sp_help",
    "sp_helptext",
    "sp_helpindex",
    "sp_who",
    "sp_who2",
    "sp_columns",
    "sp_tables",
    "sp_spaceused",
    "sp_helpdb",
    "sp_lock",
    "sp_helpconstraint",
    "sp_depends",
    "sp_helprotect",
    "sp_stored_procedures",
    "sp_databases",
    "sp_server_info",
    "sp_statistics",
    "sp_pkeys",
    "sp_fkeys",
    "sp_describe_first_result_set",
    "bq.refresh_materialized_view",
    "system$clustering_information",
    "system$typeof",
    "sp_readerrorlog",
    "sp_blitz",
    "sp_whoisactive",
    "system$wait",
    "sp_helpuser",
    "sp_helplogins",
    "sp_helpfile",
];

impl Cx<'_> {
    /// Analyses literal SQL text carried by this statement; `span` is the literal's span.
    fn literal_body(&mut self, body: &str, span: (usize, usize), how: &str) {
        if self.depth >= MAX_DYNAMIC_DEPTH {
            self.hit_at(
                "sql.hidden-code",
                Review,
                format!("{how} nests dynamic SQL too deep to analyse"),
                span,
            );
            return;
        }
        let inner = analyze_at(body, self.dialect, self.depth + 1);
        let worst = inner.detections.iter().map(|d| d.grade).max();
        for mut d in inner.detections {
            d.statement = Some(self.index);
            d.span = Some(span);
            d.message = format!("{how}: {}", d.message);
            if d.rule == "sql.unparseable" {
                d.rule = "sql.hidden-code".into();
                d.grade = Review;
            }
            self.dets.push(d);
        }
        for mut s in inner.statements {
            s.index = self.index;
            s.span = span;
            self.intent.nested.push(s);
        }
        if worst == Some(Deny)
            && !self
                .dets
                .iter()
                .any(|d| d.rule == "sql.hidden-code" && d.grade == Deny)
        {
            self.hit_at(
                "sql.hidden-code",
                Deny,
                format!("{how} runs destructive SQL hidden in a string"),
                span,
            );
        }
    }

    /// The text of the expression starting at token `i`, when it is known; with its span and the
    /// index after it.
    fn known_text(&self, i: usize) -> Option<(String, (usize, usize), usize)> {
        let rest = self.toks.get(i..)?;
        let (text, used) = super::literal::eval_prefix(rest, &self.known.vars)?;
        let first = rest.first()?;
        let last = rest.get(used.checked_sub(1)?)?;
        Some((text, (first.span.0, last.span.1), i + used))
    }

    pub(crate) fn dynamic(&mut self, s: usize, head: &str) -> bool {
        self.set_kind(&head.to_ascii_lowercase(), Operation::Unknown);
        let mut i = s + 1;
        match head {
            "DEALLOCATE" => {
                self.intent.operation = Operation::Admin;
                return true;
            }
            "DO" => {
                let body = self
                    .toks
                    .iter()
                    .skip(i)
                    .find_map(|t| t.string().map(|b| (b.to_owned(), t.span)));
                let Some((body, span)) = body else {
                    return false;
                };
                self.procedural(&body, span, "the `DO` block");
                return true;
            }
            "PREPARE" => {
                // PREPARE name FROM '...' (MySQL) | PREPARE name [(types)] AS stmt (Postgres)
                let (name, _) = self.name_at(i);
                let from = self.find(i, "FROM");
                let as_ = self.find(i, "AS");
                if let Some(f) = from.filter(|f| as_.is_none_or(|a| *f < a)) {
                    match self.known_text(f + 1) {
                        Some((body, span, _)) => {
                            self.literal_body(&body, span, "`PREPARE` text");
                            self.learned.prepared.insert(name.to_ascii_lowercase());
                        }
                        None => self.hit("sql.hidden-code", Review, "`PREPARE ... FROM` a value that is not known: the statement text is unknowable".into()),
                    }
                    return true;
                }
                if let Some(a) = as_ {
                    let inner_span = (
                        self.toks.get(a + 1).map_or(self.span.1, |t| t.span.0),
                        self.span.1,
                    );
                    let body = self
                        .text
                        .get(inner_span.0..inner_span.1)
                        .unwrap_or("")
                        .to_owned();
                    self.literal_body(&body, inner_span, "`PREPARE ... AS`");
                    self.learned.prepared.insert(name.to_ascii_lowercase());
                    return true;
                }
                return false;
            }
            _ => {}
        }
        // EXEC/EXECUTE/CALL
        if self.is(i, "IMMEDIATE") {
            i += 1;
            match self.known_text(i) {
                Some((body, span, _)) => self.literal_body(&body, span, "`EXECUTE IMMEDIATE`"),
                None => self.hit("sql.hidden-code", Review, "`EXECUTE IMMEDIATE` of a value that is not known: the statement text is unknowable".into()),
            }
            return true;
        }
        // @ret = proc
        if self
            .toks
            .get(i)
            .is_some_and(|t| matches!(&t.token, Token::Word(w) if w.value.starts_with('@')))
            && matches!(self.toks.get(i + 1).map(|t| &t.token), Some(Token::Eq))
        {
            i += 2;
        }
        let parenthesised = matches!(self.toks.get(i).map(|t| &t.token), Some(Token::LParen));
        let starts_with_text =
            parenthesised || self.toks.get(i).is_some_and(|t| t.string().is_some());
        if starts_with_text {
            match self.known_text(i) {
                Some((body, span, _)) => self.literal_body(&body, span, &format!("`{head}` of a string")),
                None => self.hit("sql.hidden-code", Review, format!("`{head}` of an expression that is not known: the statement text is unknowable")),
            }
            return true;
        }
        let (proc, after) = self.name_at(i);
        let proc_l = proc.to_ascii_lowercase();
        let short = proc_l.rsplit('.').next().unwrap_or(&proc_l).to_owned();
        if proc.is_empty() {
            return false;
        }
        if head == "EXECUTE" && self.known.prepared.contains(&proc_l) {
            self.intent.operation = Operation::Read;
            return true;
        }
        match short.as_str() {
            "sp_executesql" => match self.known_text(after) {
                Some((body, span, _)) => self.literal_body(&body, span, "`sp_executesql`"),
                None => self.hit("sql.hidden-code", Review, "`sp_executesql` of a value that is not known: the statement text is unknowable".into()),
            },
            "sp_configure" => {
                let args: Vec<String> = self.toks.iter().skip(after).filter_map(|t| t.string().map(str::to_ascii_lowercase)).collect();
                if args.iter().any(|a| a.contains("xp_cmdshell") || a.contains("ole automation") || a.contains("external scripts") || a.contains("clr enabled")) {
                    self.hit("sql.program-execution", Deny, "`sp_configure` enables running programs from SQL".into());
                } else if args.iter().any(|a| a.contains("show advanced")) {
                    self.hit("sql.disable-safety", Review, "`sp_configure` exposes advanced server options".into());
                } else {
                    self.hit("sql.disable-safety", Deny, "`sp_configure` changes server configuration".into());
                }
            }
            "sp_addsrvrolemember" | "sp_addrolemember" | "sp_grantlogin" | "sp_addlogin" | "sp_password" | "sp_changedbowner" => {
                self.intent.operation = Operation::Dcl;
                let args: Vec<String> = self.toks.iter().skip(after).filter_map(|t| t.string().or_else(|| t.ident()).map(str::to_ascii_lowercase)).collect();
                if args.iter().any(|a| super::names::is_admin_role(a)) || short == "sp_changedbowner" {
                    self.hit("sql.privilege-change", Deny, format!("`{short}` grants admin-equivalent rights"));
                } else {
                    self.hit("sql.privilege-change", Review, format!("`{short}` changes privileges"));
                }
            }
            "sp_rename" => self.hit("sql.alter-schema", Review, "`sp_rename` renames an object".into()),
            "sp_msforeachtable" | "sp_msforeachdb" => {
                match self.known_text(after) {
                    Some((body, span, _)) => {
                        let body = body.replace('?', "t");
                        self.literal_body(&body, span, &format!("`{short}` (runs for every table)"));
                    }
                    None => self.hit("sql.hidden-code", Review, format!("`{short}` runs unknowable text for every table")),
                }
            }
            "sp_addlinkedserver" | "sp_addlinkedsrvlogin" => self.hit("sql.exfiltration", Review, "adds a linked server".into()),
            "sp_detach_db" | "sp_delete_database_backuphistory" => self.hit("sql.drop", Deny, format!("`{short}` removes a database or its history")),
            "sp_droplogin" | "sp_dropuser" | "sp_revokelogin" => self.hit("sql.privilege-change", Review, format!("`{short}` removes an account")),
            "xp_cmdshell" | "sp_oacreate" | "sp_oamethod" | "sp_execute_external_script" | "xp_regwrite" => {
                if !self.dets.iter().any(|d| d.rule == "sql.program-execution") {
                    self.hit("sql.program-execution", Deny, format!("`{short}` runs programs on the database server"));
                }
            }
            "xp_dirtree" | "xp_fileexist" | "xp_subdirs" => {
                if !self.dets.iter().any(|d| d.rule == "sql.exfiltration") {
                    self.hit("sql.exfiltration", Deny, format!("`{short}` reaches out to a file share"));
                }
            }
            "sp_who" | "sp_who2" => {}
            _ if SAFE_PROCEDURES.contains(&short.as_str()) || SAFE_PROCEDURES.contains(&proc_l.as_str()) => {
                self.intent.operation = Operation::Read;
            }
            _ if self.dets.iter().any(|d| d.grade == Deny) => {}
            _ if head == "EXECUTE" && self.dialect == Dialect::Postgres => {
                self.hit("sql.hidden-code", Review, format!("`EXECUTE {proc}` runs a prepared statement whose text is not in this input"));
            }
            _ => self.hit("sql.hidden-code", Review, format!("`{head} {proc}` runs a procedure whose body is not in this input")),
        }
        true
    }

    /// A procedural body (`DO $$ ... $$`, a function body): `EXECUTE` of known text is analysed,
    /// `EXECUTE` of unknowable text is review, other statements are analysed as statements.
    pub(crate) fn procedural(&mut self, body: &str, span: (usize, usize), how: &str) {
        for piece in procedural_pieces(body, self.dialect, &self.known.vars) {
            match piece {
                BodyPiece::Execute(Some(text)) => {
                    self.literal_body(&text, span, &format!("{how} `EXECUTE`"))
                }
                BodyPiece::Execute(None) => self.hit_at(
                    "sql.hidden-code",
                    Review,
                    format!("{how} executes SQL built at run time"),
                    span,
                ),
                BodyPiece::Statement(text) => self.literal_body(&text, span, how),
            }
        }
    }

    pub(crate) fn data_movement(&mut self, s: usize, head: &str) -> bool {
        let strings: Vec<String> = self
            .toks
            .iter()
            .skip(s)
            .filter_map(|t| t.string().map(str::to_owned))
            .collect();
        match head {
            "COPY" => {
                if self.is(s + 1, "INTO") {
                    return self.copy_into(s);
                }
                self.set_kind("copy", Operation::Read);
                let (table, _) = self.name_at(s + 1);
                let to = self.has("TO");
                if self.has("PROGRAM") {
                    self.hit(
                        "sql.program-execution",
                        Deny,
                        "`COPY ... PROGRAM` runs a shell command on the database server".into(),
                    );
                } else if self.has("STDIN") || self.has("STDOUT") {
                    if to {
                        self.object(&table, Access::Read);
                        if super::names::is_sensitive_table(&table) && !self.has("WHERE") {
                            self.hit("sql.sensitive-bulk-read", Review, format!("`COPY {table} TO STDOUT` dumps every row of a table of personal data"));
                        }
                    } else {
                        self.intent.operation = Operation::Write;
                        self.object(&table, Access::Write);
                    }
                } else if let Some(path) = strings.first() {
                    if path.contains("://")
                        && (path.starts_with("s3://")
                            || path.starts_with("gs://")
                            || path.starts_with("azure://"))
                        && !to
                    {
                        self.intent.operation = Operation::Write;
                    } else {
                        self.hit(
                            "sql.file-access",
                            Deny,
                            format!(
                                "`COPY` {} the server file `{path}`",
                                if to { "writes" } else { "reads" }
                            ),
                        );
                    }
                } else {
                    return false;
                }
                true
            }
            "UNLOAD" => {
                self.set_kind("unload", Operation::Read);
                self.hit(
                    "sql.exfiltration",
                    Deny,
                    "`UNLOAD` writes query results to external storage".into(),
                );
                true
            }
            "EXPORT" => {
                self.set_kind("export data", Operation::Read);
                self.hit(
                    "sql.exfiltration",
                    Deny,
                    "`EXPORT DATA` writes query results outside the database".into(),
                );
                true
            }
            "LOAD" => {
                self.set_kind("load data", Operation::Write);
                if self.has("INFILE") || self.has("LOCAL") {
                    self.hit(
                        "sql.file-access",
                        Deny,
                        "`LOAD DATA INFILE` reads a file from the server or the client".into(),
                    );
                } else if self.has("OVERWRITE") {
                    self.hit(
                        "sql.truncate",
                        Deny,
                        "`LOAD DATA OVERWRITE` replaces the table's rows".into(),
                    );
                } else if self.has("EXTENSION") {
                    self.hit("sql.program-execution", Deny, "loads native code".into());
                } else if self.toks.get(s + 1).is_some_and(|t| t.string().is_some()) {
                    self.hit(
                        "sql.program-execution",
                        Deny,
                        "`LOAD` loads a native library".into(),
                    );
                }
                true
            }
            "PUT" => {
                self.set_kind("put", Operation::Write);
                self.hit(
                    "sql.file-access",
                    Deny,
                    "`PUT` uploads a client file to a stage".into(),
                );
                true
            }
            "GET" => {
                self.set_kind("get", Operation::Read);
                self.hit(
                    "sql.file-access",
                    Deny,
                    "`GET` downloads staged files to the client file system".into(),
                );
                true
            }
            "REMOVE" | "RM" => {
                self.set_kind("remove", Operation::Write);
                self.hit("sql.drop", Review, "`REMOVE` deletes staged files".into());
                true
            }
            "BULK" => {
                self.set_kind("bulk insert", Operation::Write);
                self.hit(
                    "sql.file-access",
                    Deny,
                    "`BULK INSERT` reads a server file".into(),
                );
                true
            }
            _ => {
                self.set_kind("list", Operation::Read);
                true
            }
        }
    }

    /// Snowflake `COPY INTO <table> FROM @stage` (load: allowed) and `COPY INTO @stage|'url' FROM`
    /// (unload: exfiltration).
    fn copy_into(&mut self, s: usize) -> bool {
        let target = self.toks.get(s + 2);
        let at_stage = target.is_some_and(|t| {
            matches!(t.token, Token::AtSign)
                || self
                    .text
                    .get(t.span.0..t.span.1)
                    .is_some_and(|x| x.starts_with('@'))
        });
        let url = target.and_then(|t| t.string()).map(str::to_owned);
        if let Some(u) = url {
            self.set_kind("copy into location", Operation::Read);
            self.hit(
                "sql.exfiltration",
                Deny,
                format!("`COPY INTO '{u}'` unloads data to external storage"),
            );
            return true;
        }
        if at_stage {
            self.set_kind("copy into stage", Operation::Read);
            let stage_text = self
                .text
                .get(target.map_or(0, |t| t.span.0)..self.span.1)
                .unwrap_or("")
                .to_owned();
            let after_at = stage_text.trim_start_matches('@');
            if after_at.starts_with('~') || after_at.starts_with('%') {
                self.hit(
                    "sql.exfiltration",
                    Review,
                    "unloads data to a user or table stage".into(),
                );
            } else {
                self.hit(
                    "sql.exfiltration",
                    Deny,
                    "unloads data to a named stage, which may be external".into(),
                );
            }
            return true;
        }
        let (table, _) = self.name_at(s + 2);
        self.set_kind("copy into table", Operation::Write);
        self.object(&table, Access::Write);
        true
    }
}

/// For generic-dialect text, the readings of the other dialects' lexers: when one of them is
/// stricter (MySQL executable comments, backslash escapes, nested comments), the input is at
/// least as strict as that reading, under `sql.hidden-code`.
pub(crate) fn other_lexings(text: &str, a: &mut SqlAnalysis) {
    let sensitive = text.contains("/*!")
        || text.contains("/*M!")
        || text.contains('\\')
        || text.contains('#')
        || text.contains("--") && text.contains("/*");
    if !sensitive {
        return;
    }
    let current = a.detections.iter().map(|d| d.grade).max();
    for d in [Dialect::Mysql, Dialect::Postgres] {
        let other = analyze_at(text, d, 0);
        let worst = other
            .detections
            .iter()
            .filter(|x| x.rule != "sql.unparseable")
            .map(|x| x.grade)
            .max();
        if let Some(w) = worst {
            if current.is_none_or(|c| w > c) && w >= Grade::Review {
                let reasons: Vec<&str> = other
                    .detections
                    .iter()
                    .filter(|x| x.grade == w)
                    .map(|x| x.message.as_str())
                    .take(1)
                    .collect();
                a.detections.push(
                    Detection::new(
                        "sql.hidden-code",
                        w,
                        format!(
                            "read as {} the text does more than it shows: {}",
                            d.as_str(),
                            reasons.join("; ")
                        ),
                    )
                    .at(0, Some((0, text.len()))),
                );
                return;
            }
        }
    }
}

/// A statement of a procedural body.
pub(crate) enum BodyPiece {
    /// `EXECUTE expr`, with the text when it is known.
    Execute(Option<String>),
    /// Another SQL statement, as text.
    Statement(String),
}

const BODY_HEADS: &[&str] = &[
    "EXECUTE", "EXEC", "DELETE", "UPDATE", "DROP", "TRUNCATE", "INSERT", "ALTER", "GRANT", "COPY",
    "MERGE", "SELECT", "PERFORM", "CALL", "CREATE", "REVOKE", "SET",
];

/// Splits a procedural body into its SQL statements; control flow (`IF ... THEN`, `BEGIN`,
/// `LOOP`, `RAISE`) is skipped.
pub(crate) fn procedural_pieces(
    body: &str,
    dialect: Dialect,
    vars: &super::literal::Vars,
) -> Vec<BodyPiece> {
    let Ok(lexed) = super::lex::lex(body, dialect) else {
        return vec![BodyPiece::Execute(None)];
    };
    let mut out = Vec::new();
    for piece in super::split::split(&lexed.toks, body, false) {
        let toks = lexed.toks.get(piece.start..piece.end).unwrap_or(&[]);
        let Some(p) = toks.iter().position(|t| BODY_HEADS.iter().any(|h| t.is(h))) else {
            continue;
        };
        let Some(head) = toks.get(p) else { continue };
        if head.is("EXECUTE") || head.is("EXEC") {
            let expr_end = toks
                .iter()
                .skip(p + 1)
                .position(|t| t.is("USING") || t.is("INTO"))
                .map_or(toks.len(), |e| p + 1 + e);
            let expr = toks.get(p + 1..expr_end).unwrap_or(&[]);
            out.push(BodyPiece::Execute(super::literal::eval(expr, vars)));
            continue;
        }
        let end = toks.last().map_or(body.len(), |t| t.span.1);
        let text = body.get(head.span.0..end).unwrap_or("");
        let text = if head.is("PERFORM") {
            format!("SELECT{}", text.get(7..).unwrap_or(""))
        } else {
            text.to_owned()
        };
        // `SET x = y` inside a body assigns a variable: harmless unless it is a server setting.
        if head.is("SET")
            && !text
                .to_ascii_lowercase()
                .contains("session_replication_role")
        {
            continue;
        }
        out.push(BodyPiece::Statement(text));
    }
    out
}
