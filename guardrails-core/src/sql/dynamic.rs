//! Dynamic SQL and data movement: EXEC/EXECUTE/PREPARE/DO/CALL bodies are unpacked and
//! analysed when they are literal, flagged when they are not; COPY/UNLOAD/EXPORT/LOAD judged
//! by where data goes. Also the other lexings of generic-dialect text.

use sqlparser::tokenizer::Token;

use super::{analyze_at, Cx, SqlAnalysis, MAX_DYNAMIC_DEPTH};
use crate::action::Dialect;
use crate::finding::{Detection, Grade, Grade::Deny, Grade::Review};
use crate::intent::{Access, Operation};

const SAFE_PROCEDURES: &[&str] = &[
    "sp_help", "sp_helptext", "sp_helpindex", "sp_who", "sp_who2", "sp_columns", "sp_tables", "sp_spaceused",
    "sp_helpdb", "sp_lock", "sp_helpconstraint", "sp_depends", "sp_helprotect", "sp_stored_procedures",
    "sp_databases", "sp_server_info", "sp_statistics", "sp_pkeys", "sp_fkeys", "sp_describe_first_result_set",
    "bq.refresh_materialized_view", "system$clustering_information", "system$typeof", "sp_readerrorlog",
    "sp_blitz", "sp_whoisactive", "system$wait", "sp_helpuser", "sp_helplogins", "sp_helpfile",
];

impl Cx<'_> {
    /// Analyses literal SQL text carried by this statement; `span` is the literal's span.
    fn literal_body(&mut self, body: &str, span: (usize, usize), how: &str) {
        if self.depth >= MAX_DYNAMIC_DEPTH {
            self.hit_at("sql.hidden-code", Review, format!("{how} nests dynamic SQL too deep to analyse"), span);
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
        if worst == Some(Deny) && !self.dets.iter().any(|d| d.rule == "sql.hidden-code" && d.grade == Deny) {
            self.hit_at("sql.hidden-code", Deny, format!("{how} runs destructive SQL hidden in a string"), span);
        }
    }

    /// String literals concatenated with `+` or `||` starting at token `i`, with their span.
    fn concat_literal(&self, i: usize) -> Option<(String, (usize, usize), usize)> {
        let mut text = String::new();
        let mut j = i;
        let mut span: Option<(usize, usize)> = None;
        let mut depth = 0;
        while matches!(self.toks.get(j).map(|t| &t.token), Some(Token::LParen)) {
            j += 1;
            depth += 1;
        }
        loop {
            let t = self.toks.get(j)?;
            let piece = t.string().map(str::to_owned).or_else(|| self.char_call(j))?;
            text.push_str(&piece);
            span = Some(span.map_or(t.span, |s| (s.0, t.span.1)));
            j += if t.string().is_some() { 1 } else { self.call_len(j) };
            match self.toks.get(j).map(|t| &t.token) {
                Some(Token::Plus | Token::StringConcat) => j += 1,
                _ => break,
            }
        }
        for _ in 0..depth {
            if matches!(self.toks.get(j).map(|t| &t.token), Some(Token::RParen)) {
                j += 1;
            }
        }
        span.map(|s| (text, s, j))
    }

    /// `CHAR(68)`/`CHR(68)`/`NCHAR(68)` to its character.
    fn char_call(&self, j: usize) -> Option<String> {
        let t = self.toks.get(j)?;
        let name = t.ident()?.to_ascii_lowercase();
        if !matches!(name.as_str(), "char" | "chr" | "nchar") || !matches!(self.toks.get(j + 1)?.token, Token::LParen) {
            return None;
        }
        let mut out = String::new();
        let mut k = j + 2;
        loop {
            match &self.toks.get(k)?.token {
                Token::Number(n, _) => out.push(char::from_u32(n.parse().ok()?)?),
                Token::Comma => {}
                Token::RParen => break,
                _ => return None,
            }
            k += 1;
        }
        Some(out)
    }

    fn call_len(&self, j: usize) -> usize {
        self.toks.iter().skip(j).position(|t| t.token == Token::RParen).map_or(1, |p| p + 1)
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
                let body = self.toks.iter().skip(i).find_map(|t| t.string().map(|b| (b.to_owned(), t.span)));
                let Some((body, span)) = body else { return false };
                self.procedural(&body, span, "the `DO` block");
                return true;
            }
            "PREPARE" => {
                // PREPARE name FROM '...' (MySQL) | PREPARE name [(types)] AS stmt (Postgres)
                let from = self.find(i, "FROM");
                let as_ = self.find(i, "AS");
                if let Some(f) = from {
                    match self.concat_literal(f + 1) {
                        Some((body, span, _)) => self.literal_body(&body, span, "`PREPARE` text"),
                        None => self.hit("sql.hidden-code", Review, "`PREPARE ... FROM` a variable: the statement text is unknowable".into()),
                    }
                    return true;
                }
                if let Some(a) = as_ {
                    let start = a + 1;
                    let inner_span = (self.toks.get(start).map_or(self.span.1, |t| t.span.0), self.span.1);
                    let body = self.text.get(inner_span.0..inner_span.1).unwrap_or("").to_owned();
                    self.literal_body(&body, inner_span, "`PREPARE ... AS`");
                    self.dets.retain(|d| !(d.rule == "sql.hidden-code" && d.message.contains("hidden in a string")));
                    return true;
                }
                return false;
            }
            _ => {}
        }
        // EXEC/EXECUTE/CALL
        if self.is(i, "IMMEDIATE") {
            i += 1;
            return match self.concat_literal(i) {
                Some((body, span, _)) => {
                    self.literal_body(&body, span, "`EXECUTE IMMEDIATE`");
                    true
                }
                None => {
                    self.hit("sql.hidden-code", Review, "`EXECUTE IMMEDIATE` of a variable: the statement text is unknowable".into());
                    true
                }
            };
        }
        // @ret = proc
        if self.toks.get(i).is_some_and(|t| matches!(&t.token, Token::Word(w) if w.value.starts_with('@'))) && matches!(self.toks.get(i + 1).map(|t| &t.token), Some(Token::Eq)) {
            i += 2;
        }
        if let Some((body, span, _)) = self.concat_literal(i) {
            self.literal_body(&body, span, &format!("`{head}` of a string"));
            return true;
        }
        if matches!(self.toks.get(i).map(|t| &t.token), Some(Token::LParen)) {
            self.hit("sql.hidden-code", Review, format!("`{head}` of an expression: the statement text is unknowable"));
            return true;
        }
        let (proc, after) = self.name_at(i);
        let proc_l = proc.to_ascii_lowercase();
        let short = proc_l.rsplit('.').next().unwrap_or(&proc_l).to_owned();
        if proc.is_empty() {
            return false;
        }
        match short.as_str() {
            "sp_executesql" => {
                match self.concat_literal(after) {
                    Some((body, span, _)) => self.literal_body(&body, span, "`sp_executesql`"),
                    None => self.hit("sql.hidden-code", Review, "`sp_executesql` of a variable: the statement text is unknowable".into()),
                }
            }
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
                match self.concat_literal(after) {
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

    /// A procedural body (`DO $$ ... $$`): `EXECUTE 'literal'` is analysed, `EXECUTE` of an
    /// expression is unknowable, plain statements inside are analysed as statements.
    fn procedural(&mut self, body: &str, span: (usize, usize), how: &str) {
        let stmts = super::create::procedural_statements(body);
        let mut unknowable = false;
        let mut literal_bodies = Vec::new();
        for line in stmts.lines() {
            let t = line.trim().trim_end_matches(';');
            let lower = t.to_ascii_lowercase();
            if let Some(rest) = lower.strip_prefix("execute") {
                let rest_orig = t.get(t.len() - rest.len()..).unwrap_or("").trim();
                if let Some(q) = single_literal(rest_orig) {
                    literal_bodies.push(q);
                } else {
                    unknowable = true;
                }
            }
        }
        let direct: String = stmts.lines().filter(|l| !l.trim().to_ascii_lowercase().starts_with("execute")).collect::<Vec<_>>().join("\n");
        if !direct.trim().is_empty() {
            self.literal_body(&direct, span, how);
        }
        for q in literal_bodies {
            self.literal_body(&q, span, &format!("{how} `EXECUTE`"));
        }
        if unknowable {
            self.hit_at("sql.hidden-code", Review, format!("{how} executes SQL built at run time"), span);
        }
    }

    pub(crate) fn data_movement(&mut self, s: usize, head: &str) -> bool {
        let strings: Vec<String> = self.toks.iter().skip(s).filter_map(|t| t.string().map(str::to_owned)).collect();
        match head {
            "COPY" => {
                if self.is(s + 1, "INTO") {
                    return self.copy_into(s);
                }
                self.set_kind("copy", Operation::Read);
                let (table, _) = self.name_at(s + 1);
                let to = self.has("TO");
                if self.has("PROGRAM") {
                    self.hit("sql.program-execution", Deny, "`COPY ... PROGRAM` runs a shell command on the database server".into());
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
                    if path.contains("://") && (path.starts_with("s3://") || path.starts_with("gs://") || path.starts_with("azure://")) && !to {
                        self.intent.operation = Operation::Write;
                    } else {
                        self.hit("sql.file-access", Deny, format!("`COPY` {} the server file `{path}`", if to { "writes" } else { "reads" }));
                    }
                } else {
                    return false;
                }
                true
            }
            "UNLOAD" => {
                self.set_kind("unload", Operation::Read);
                self.hit("sql.exfiltration", Deny, "`UNLOAD` writes query results to external storage".into());
                true
            }
            "EXPORT" => {
                self.set_kind("export data", Operation::Read);
                self.hit("sql.exfiltration", Deny, "`EXPORT DATA` writes query results outside the database".into());
                true
            }
            "LOAD" => {
                self.set_kind("load data", Operation::Write);
                if self.has("INFILE") || self.has("LOCAL") {
                    self.hit("sql.file-access", Deny, "`LOAD DATA INFILE` reads a file from the server or the client".into());
                } else if self.has("OVERWRITE") {
                    self.hit("sql.truncate", Deny, "`LOAD DATA OVERWRITE` replaces the table's rows".into());
                } else if self.has("EXTENSION") {
                    self.hit("sql.program-execution", Deny, "loads native code".into());
                } else if self.toks.get(s + 1).is_some_and(|t| t.string().is_some()) {
                    self.hit("sql.program-execution", Deny, "`LOAD` loads a native library".into());
                }
                true
            }
            "PUT" => {
                self.set_kind("put", Operation::Write);
                self.hit("sql.file-access", Deny, "`PUT` uploads a client file to a stage".into());
                true
            }
            "GET" => {
                self.set_kind("get", Operation::Read);
                self.hit("sql.file-access", Deny, "`GET` downloads staged files to the client file system".into());
                true
            }
            "REMOVE" | "RM" => {
                self.set_kind("remove", Operation::Write);
                self.hit("sql.drop", Review, "`REMOVE` deletes staged files".into());
                true
            }
            "BULK" => {
                self.set_kind("bulk insert", Operation::Write);
                self.hit("sql.file-access", Deny, "`BULK INSERT` reads a server file".into());
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
        let at_stage = target.is_some_and(|t| matches!(t.token, Token::AtSign) || self.text.get(t.span.0..t.span.1).is_some_and(|x| x.starts_with('@')));
        let url = target.and_then(|t| t.string()).map(str::to_owned);
        if let Some(u) = url {
            self.set_kind("copy into location", Operation::Read);
            self.hit("sql.exfiltration", Deny, format!("`COPY INTO '{u}'` unloads data to external storage"));
            return true;
        }
        if at_stage {
            self.set_kind("copy into stage", Operation::Read);
            let stage_text = self.text.get(target.map_or(0, |t| t.span.0)..self.span.1).unwrap_or("").to_owned();
            let after_at = stage_text.trim_start_matches('@');
            if after_at.starts_with('~') || after_at.starts_with('%') {
                self.hit("sql.exfiltration", Review, "unloads data to a user or table stage".into());
            } else {
                self.hit("sql.exfiltration", Deny, "unloads data to a named stage, which may be external".into());
            }
            return true;
        }
        let (table, _) = self.name_at(s + 2);
        self.set_kind("copy into table", Operation::Write);
        self.object(&table, Access::Write);
        true
    }
}

fn single_literal(s: &str) -> Option<String> {
    let s = s.trim();
    let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
    if inner.contains('\'') && !inner.contains("''") {
        return None;
    }
    Some(inner.replace("''", "'"))
}

/// For generic-dialect text, the readings of the other dialects' lexers: when one of them is
/// stricter (MySQL executable comments, backslash escapes, nested comments), the input is at
/// least as strict as that reading, under `sql.hidden-code`.
pub(crate) fn other_lexings(text: &str, a: &mut SqlAnalysis) {
    let sensitive = text.contains("/*!") || text.contains('\\') || text.contains('#') || text.contains("--") && text.contains("/*");
    if !sensitive {
        return;
    }
    let current = a.detections.iter().map(|d| d.grade).max();
    for d in [Dialect::Mysql, Dialect::Postgres] {
        let other = analyze_at(text, d, 0);
        let worst = other.detections.iter().filter(|x| x.rule != "sql.unparseable").map(|x| x.grade).max();
        if let Some(w) = worst {
            if current.is_none_or(|c| w > c) && w >= Grade::Review {
                let reasons: Vec<&str> = other.detections.iter().filter(|x| x.grade == w).map(|x| x.message.as_str()).take(1).collect();
                a.detections.push(
                    Detection::new("sql.hidden-code", w, format!("read as {} the text does more than it shows: {}", d.as_str(), reasons.join("; ")))
                        .at(0, Some((0, text.len()))),
                );
                return;
            }
        }
    }
}
