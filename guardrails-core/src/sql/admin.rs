//! The token classifier: statement kinds judged by their leading words and the words they
//! contain in code position (never literals or comments). It covers what the parser lacks
//! (VACUUM options, PRAGMA, DBCC, T-SQL procedures, Snowflake stages, ...) and serves as the
//! one place where DDL, DCL and administration are judged.

use sqlparser::tokenizer::Token;

use super::names;
use super::Cx;
use crate::finding::Grade::{Deny, Review};
use crate::intent::{Access, Operation};

impl Cx<'_> {
    pub(crate) fn set_kind(&mut self, kind: &str, op: Operation) {
        self.intent.kind = kind.to_owned();
        self.intent.operation = op;
    }

    /// The object name starting at token `i` (`a.b."c"`), and the index after it.
    pub(crate) fn name_at(&self, i: usize) -> (String, usize) {
        // Room for the first part as written: most names have one part.
        let room = self
            .toks
            .get(i)
            .map_or(0, |t| t.span.1.saturating_sub(t.span.0));
        let mut name = String::with_capacity(room);
        let next = self.push_name(i, &mut name);
        (name, next)
    }

    /// Appends the object name starting at token `i` to `name` (nothing when there is none),
    /// and returns the index after it.
    fn push_name(&self, mut i: usize, name: &mut String) -> usize {
        // The parts joined with `.` as they are found: one buffer, no list of parts.
        let mut parts = 0usize;
        let mut push = |name: &mut String, hash: bool, part: &str| {
            if parts > 0 {
                name.push('.');
            }
            parts += 1;
            if hash {
                name.push('#');
            }
            name.push_str(part);
        };
        while let Some(t) = self.toks.get(i) {
            match &t.token {
                Token::Word(w) => push(name, false, &w.value),
                Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => push(name, false, s),
                Token::Char('#') | Token::Sharp => {
                    // T-SQL #temp
                    if let Some(Token::Word(w)) = self.toks.get(i + 1).map(|t| &t.token) {
                        push(name, true, &w.value);
                        i += 2;
                        if !matches!(self.toks.get(i).map(|t| &t.token), Some(Token::Period)) {
                            break;
                        }
                        i += 1;
                        continue;
                    }
                    break;
                }
                _ => break,
            }
            i += 1;
            if matches!(self.toks.get(i).map(|t| &t.token), Some(Token::Period)) {
                i += 1;
            } else {
                break;
            }
        }
        i
    }

    pub(crate) fn skip_words(&self, mut i: usize, words: &[&str]) -> usize {
        // Each token's word is read once, then compared with every word of the list.
        while let Some(w) = self.toks.get(i).and_then(super::lex::Tok::word) {
            if !words.iter().any(|k| w.eq_ignore_ascii_case(k)) {
                break;
            }
            i += 1;
        }
        i
    }

    /// Judges the statement starting at token `s` by its tokens. Returns whether it knew the kind.
    pub(crate) fn by_tokens(&mut self, s: usize) -> bool {
        let Some(head) = self.upper(s) else {
            return false;
        };
        let head = head.as_str();
        match head {
            "SELECT" | "WITH" | "VALUES" | "INSERT" | "REPLACE" | "UPSERT" => {
                if self.has("OVERWRITE") {
                    self.set_kind("insert overwrite", Operation::Write);
                    self.hit(
                        "sql.truncate",
                        Deny,
                        "`INSERT OVERWRITE` replaces the table's rows".into(),
                    );
                    return true;
                }
                false
            }
            "TABLE" => {
                let (name, _) = self.name_at(s + 1);
                self.set_kind("table", Operation::Read);
                self.object(&name, Access::Read);
                if names::is_sensitive_table(&name) {
                    self.hit(
                        "sql.sensitive-bulk-read",
                        Review,
                        format!("`TABLE {name}` reads every row of a table of personal data"),
                    );
                }
                true
            }
            "UPDATE" if self.is(s + 1, "STATISTICS") => {
                self.set_kind("update statistics", Operation::Admin);
                true
            }
            "UPDATE" | "DELETE" | "MERGE" => false,
            "DROP" => self.drop(s),
            "TRUNCATE" => self.truncate(s),
            "ALTER" => self.alter(s),
            "CREATE" => self.create(s),
            "RENAME" => {
                self.set_kind("rename", Operation::Ddl);
                self.hit(
                    "sql.alter-schema",
                    Review,
                    "`RENAME` changes existing schema".into(),
                );
                true
            }
            "GRANT" | "REVOKE" | "DENY" => self.grant(s, head),
            "SET" | "RESET" => self.set(s, head),
            "COPY" | "UNLOAD" | "EXPORT" | "LOAD" | "PUT" | "GET" | "REMOVE" | "RM" | "LIST"
            | "LS" | "BULK" => self.data_movement(s, head),
            "EXEC" | "EXECUTE" | "CALL" | "PREPARE" | "DO" | "DEALLOCATE" | "SP_EXECUTESQL" => {
                self.dynamic(s, head)
            }
            "EXPLAIN" => self.explain_tokens(s),
            "PRAGMA" => self.pragma(s),
            "ATTACH" => self.attach(s),
            _ => self.maintenance(s, head),
        }
    }

    fn drop(&mut self, s: usize) -> bool {
        let mut i = s + 1;
        let temporary = self.is(i, "TEMPORARY") || self.is(i, "TEMP");
        i = self.skip_words(
            i,
            &[
                "TEMPORARY",
                "TEMP",
                "EXTERNAL",
                "MATERIALIZED",
                "GLOBAL",
                "DYNAMIC",
                "ICEBERG",
                "HYBRID",
                "SECURE",
                "PUBLIC",
                "FOREIGN",
                "UNIQUE",
            ],
        );
        let materialized = self.has_seq(&["DROP", "MATERIALIZED"]);
        let Some(kind) = self.upper(i) else {
            return false;
        };
        let kind = kind.as_str();
        let cascade = self.has("CASCADE");
        let j = self.skip_words(
            i + 1,
            &[
                "IF",
                "EXISTS",
                "CONCURRENTLY",
                "DATA",
                "WRAPPER",
                "MAPPING",
                "FOR",
                "BY",
            ],
        );
        let (name, after) = self.name_at(j);
        // The kind as the messages spell it (upper case) and, lower-cased, as the intent does.
        let kind_u: &str = if materialized {
            "MATERIALIZED VIEW"
        } else {
            kind
        };
        let mut intent_kind = String::with_capacity(5 + kind_u.len());
        intent_kind.push_str("drop ");
        intent_kind.push_str(kind_u);
        intent_kind.make_ascii_lowercase();
        self.intent.kind = intent_kind;
        self.intent.operation = Operation::Ddl;
        match kind {
            "USER" | "ROLE" | "LOGIN" | "GROUP" => {
                self.intent.operation = Operation::Dcl;
                self.hit(
                    "sql.privilege-change",
                    Review,
                    format!("`DROP {kind}` removes the account `{name}`"),
                );
            }
            "VIEW" | "INDEX" | "STATISTICS" | "KEY" => {
                if cascade {
                    self.hit("sql.drop", Deny, format!("`DROP {kind_u} ... CASCADE` drops `{name}` and every object that depends on it"));
                } else {
                    self.hit(
                        "sql.drop",
                        Review,
                        format!("`DROP {kind_u}` removes `{name}` (no data is lost)"),
                    );
                }
            }
            "TABLE" => {
                let all_temp = temporary || self.all_temporary(i + 1, (j, &name, after));
                if !all_temp && name.is_empty() {
                    let message = match self.source_from(j) {
                        "" => "`DROP TABLE` names no table: it cannot be checked".to_owned(),
                        named_by => format!("`DROP TABLE` destroys a table its text does not name (`{named_by}`): it may be any table"),
                    };
                    self.hit("sql.drop", Deny, message);
                } else if !all_temp {
                    let message = ["`DROP TABLE` destroys `", &name, "` and its data"].concat();
                    let plain = crate::redact::is_plain(&name);
                    self.hit_naming("sql.drop", Deny, message, plain);
                }
            }
            "PREPARE" | "CURSOR" => self.intent.operation = Operation::Admin,
            "SERVER" | "PUBLICATION" | "SUBSCRIPTION" | "POLICY" | "RULE" | "CONSTRAINT"
            | "COLUMN" => {
                self.hit(
                    "sql.alter-schema",
                    Review,
                    format!("`DROP {kind}` removes `{name}`"),
                );
            }
            _ => self.hit(
                "sql.drop",
                Deny,
                format!("`DROP {kind_u}` destroys `{name}`"),
            ),
        }
        // Last, so that the name read above moves into the intent rather than being copied.
        self.object_owned(name, Access::Drop);
        true
    }

    /// The statement's text from token `i` to its end (empty past the end).
    fn source_from(&self, i: usize) -> &str {
        let (Some(first), Some(last)) = (self.toks.get(i), self.toks.last()) else {
            return "";
        };
        self.text.get(first.span.0..last.span.1).unwrap_or("")
    }

    /// Whether every name of the comma-separated table list from `from` (after `TABLE`,
    /// `IF EXISTS`, `ONLY`) is a temporary table (a name that cannot be read is not), read one
    /// by one into one buffer and stopping at the first that is not: no list is built. `known` is a name the caller already read
    /// (where it starts, the name, the index after it): when the list starts there, it is not
    /// read again.
    fn all_temporary(&self, from: usize, known: (usize, &str, usize)) -> bool {
        let (known_at, known_name, known_next) = known;
        let mut i = self.skip_words(from, &["IF", "EXISTS", "ONLY", "TABLE"]);
        let mut buf = String::new();
        loop {
            let (n, next) = if i == known_at {
                (known_name, known_next)
            } else {
                buf.clear();
                let next = self.push_name(i, &mut buf);
                (buf.as_str(), next)
            };
            // A name that cannot be read (`:t`, `$1`, `?`, `{{t}}`, nothing) may be any table.
            if n.is_empty() || !self.is_temporary(n) {
                return false;
            }
            if matches!(self.toks.get(next).map(|t| &t.token), Some(Token::Comma)) {
                i = next + 1;
            } else {
                return true;
            }
        }
    }

    fn truncate(&mut self, s: usize) -> bool {
        const HEAD: &str = "`TRUNCATE` removes every row of `";
        self.set_kind("truncate", Operation::Write);
        // The comma-separated table names (after `TABLE`, `IF EXISTS`, `ONLY`) are read
        // straight into the message, once each: no list of names is built.
        let mut message = String::with_capacity(HEAD.len() + 32);
        message.push_str(HEAD);
        let mut tables = 0usize;
        let mut all_temporary = true;
        let mut names_plain = true;
        let mut i = self.skip_words(s + 1, &["IF", "EXISTS", "ONLY", "TABLE"]);
        loop {
            let before = message.len();
            if tables > 0 {
                message.push_str("`, `");
            }
            let at = message.len();
            let next = self.push_name(i, &mut message);
            let Some(name) = message.get(at..).filter(|n| !n.is_empty()) else {
                message.truncate(before);
                break;
            };
            tables += 1;
            names_plain = names_plain && crate::redact::is_plain(name);
            self.object(name, Access::Drop);
            all_temporary = all_temporary && self.is_temporary(name);
            if matches!(self.toks.get(next).map(|t| &t.token), Some(Token::Comma)) {
                i = next + 1;
            } else {
                break;
            }
        }
        if tables == 0 || !all_temporary {
            message.push('`');
            self.hit_naming("sql.truncate", Deny, message, names_plain);
        }
        true
    }

    fn alter(&mut self, s: usize) -> bool {
        let Some(kind) = self.upper(s + 1) else {
            return false;
        };
        let kind = kind.as_str();
        let (name, after) = self.name_at(self.skip_words(s + 2, &["IF", "EXISTS", "ONLY"]));
        self.set_kind(
            &format!("alter {}", kind.to_ascii_lowercase()),
            Operation::Ddl,
        );
        match kind {
            "SYSTEM" => {
                self.intent.operation = Operation::Admin;
                self.hit("sql.disable-safety", Deny, "`ALTER SYSTEM` changes the whole cluster's configuration and persists across restarts".into());
            }
            "USER" | "ROLE" | "LOGIN" | "GROUP" => {
                self.intent.operation = Operation::Dcl;
                self.object(&name, Access::Alter);
                self.alter_role(&name);
            }
            "DATABASE" if self.has_seq(&["RECOVERY", "SIMPLE"]) => {
                self.hit(
                    "sql.disable-safety",
                    Deny,
                    "`SET RECOVERY SIMPLE` breaks the log backup chain".into(),
                );
            }
            "DATABASE" if self.has("SINGLE_USER") => {
                self.hit(
                    "sql.lock-or-maintenance",
                    Review,
                    "single-user mode disconnects every other session".into(),
                );
            }
            "INDEX" if self.has("REBUILD") || self.has("REORGANIZE") => {
                self.intent.operation = Operation::Admin;
                self.hit(
                    "sql.lock-or-maintenance",
                    Review,
                    format!("index rebuild of `{name}`"),
                );
            }
            "TABLE" => self.alter_table(&name, after),
            "ACCOUNT" | "WAREHOUSE" | "SESSION" | "STAGE" | "SHARE" | "PUBLICATION" | "SCHEMA"
            | "DATABASE" | "VIEW" | "MATERIALIZED" | "FUNCTION" | "PROCEDURE" | "TRIGGER"
            | "SEQUENCE" | "TYPE" | "DOMAIN" | "EXTENSION" | "EVENT" | "POLICY" | "SERVER"
            | "NETWORK" | "EXTERNAL" | "DEFAULT" | "LARGE" | "COLUMN" | "STORAGE"
            | "TABLESPACE" => {
                self.object(&name, Access::Alter);
                self.alter_other(kind, &name);
            }
            _ => return false,
        }
        true
    }

    fn alter_role(&mut self, name: &str) {
        if self.toks.iter().any(|t| {
            t.word()
                .is_some_and(|w| w.to_ascii_uppercase().contains("MFA"))
        }) {
            self.hit(
                "sql.disable-safety",
                Deny,
                format!("weakens multi-factor authentication of `{name}`"),
            );
            return;
        }
        let admin = [
            "SUPERUSER",
            "BYPASSRLS",
            "CREATEROLE",
            "REPLICATION",
            "SYSADMIN",
        ]
        .iter()
        .find(|k| self.has(k));
        if let Some(a) = admin {
            self.hit(
                "sql.privilege-change",
                Deny,
                format!("gives `{name}` the `{a}` attribute"),
            );
        } else if (self.has("PASSWORD") || self.has("IDENTIFIED")) && names::is_superuser_name(name)
        {
            self.hit(
                "sql.privilege-change",
                Deny,
                format!("changes the password of the built-in superuser `{name}`"),
            );
        } else if self.has("NOSUPERUSER") || self.has("NOLOGIN") {
            self.hit(
                "sql.privilege-change",
                Review,
                format!("changes the attributes of `{name}`"),
            );
        } else {
            self.hit(
                "sql.privilege-change",
                Review,
                format!("changes the account `{name}`"),
            );
        }
    }

    fn alter_table(&mut self, name: &str, after: usize) {
        self.object(name, Access::Alter);
        let temp = self.is_temporary(name);
        let tail: Vec<String> = self
            .toks
            .iter()
            .skip(after)
            .filter_map(|t| t.word().map(str::to_ascii_uppercase))
            .collect();
        let has = |w: &str| tail.iter().any(|t| t == w);
        let seq = |a: &str, b: &str| {
            tail.windows(2)
                .any(|p| p.first().is_some_and(|x| x == a) && p.get(1).is_some_and(|y| y == b))
        };
        if seq("SET", "UNLOGGED") {
            self.hit(
                "sql.disable-safety",
                Deny,
                format!(
                    "`SET UNLOGGED` stops replicating `{name}` and empties it on crash recovery"
                ),
            );
        } else if (has("DISABLE")
            && (has("TRIGGER") || has("RULE") || seq("ROW", "LEVEL") || has("KEYS")))
            || has("NOCHECK")
            || seq("NO", "FORCE") && seq("ROW", "LEVEL")
        {
            self.hit(
                "sql.disable-safety",
                Deny,
                format!("turns off triggers, constraints or row-level security of `{name}`"),
            );
        } else if seq("TRUNCATE", "PARTITION")
            || tail.iter().any(|t| t == "ENGINE") && (has("BLACKHOLE"))
        {
            self.hit(
                "sql.truncate",
                Deny,
                format!("discards the rows of `{name}`"),
            );
        } else if seq("DROP", "PARTITION") {
            self.hit(
                "sql.drop",
                Deny,
                format!("drops a partition of `{name}` with its rows"),
            );
        } else if (has("EXPIRATION_TIMESTAMP") || has("PARTITION_EXPIRATION_DAYS"))
            && !tail.iter().any(|t| t == "NULL")
        {
            if has("PARTITION_EXPIRATION_DAYS") {
                self.hit(
                    "sql.truncate",
                    Deny,
                    format!("partition expiry deletes the data of `{name}` on a schedule"),
                );
            } else {
                self.hit(
                    "sql.drop",
                    Deny,
                    format!("an expiration time drops `{name}` on a schedule"),
                );
            }
        } else if has("DATA_RETENTION_TIME_IN_DAYS") || has("RETENTION") {
            self.retention();
        } else if seq("OWNER", "TO") {
            self.hit(
                "sql.privilege-change",
                Deny,
                format!("transfers ownership of `{name}`"),
            );
        } else if self.drops_column(after) {
            if !temp {
                self.hit(
                    "sql.drop-column",
                    Deny,
                    format!(
                        "`ALTER TABLE {name} DROP COLUMN` deletes the column's data in every row"
                    ),
                );
            }
        } else if seq("SWAP", "WITH") {
            self.hit(
                "sql.alter-schema",
                Review,
                format!("swaps `{name}` with another table"),
            );
        } else if !temp {
            self.hit(
                "sql.alter-schema",
                Review,
                format!("`ALTER TABLE` changes the schema of `{name}`"),
            );
        }
    }

    /// `DROP [COLUMN] x` (MySQL allows omitting COLUMN), but not DROP CONSTRAINT/INDEX/KEY/....
    fn drops_column(&self, after: usize) -> bool {
        self.toks.iter().enumerate().skip(after).any(|(i, t)| {
            t.is("DROP")
                && ![
                    "CONSTRAINT",
                    "INDEX",
                    "KEY",
                    "PRIMARY",
                    "FOREIGN",
                    "PARTITION",
                    "DEFAULT",
                    "NOT",
                    "CHECK",
                    "IDENTITY",
                    "EXPRESSION",
                    "ROW",
                    "TRIGGER",
                    "RULE",
                    "STATISTICS",
                    "UNIQUE",
                    "SEARCH",
                    "CLUSTERING",
                    "PROJECTION",
                    "MASKING",
                    "ROW_ACCESS",
                ]
                .iter()
                .any(|w| self.is(i + 1, w))
                && !self
                    .toks
                    .get(i.wrapping_sub(1))
                    .is_some_and(|p| p.is("SET") || p.is("ALTER"))
                && !self.is(i.wrapping_sub(2), "ALTER")
        })
    }

    fn retention(&mut self) {
        let zero = self.toks.iter().enumerate().any(|(i, t)| {
            (t.is("DATA_RETENTION_TIME_IN_DAYS") || t.is("RETENTION") || t.is("MAX_DATA_EXTENSION_TIME_IN_DAYS"))
                && self.toks.iter().skip(i + 1).take(3).any(|n| matches!(&n.token, Token::Number(v, _) if v.trim_start_matches('0').is_empty()))
        });
        if zero {
            self.hit(
                "sql.disable-safety",
                Deny,
                "sets data retention to 0: dropped or changed data cannot be recovered".into(),
            );
        } else {
            self.hit(
                "sql.disable-safety",
                Review,
                "changes data retention".into(),
            );
        }
    }

    fn alter_other(&mut self, kind: &str, name: &str) {
        match kind {
            "ACCOUNT" | "DATABASE" | "SCHEMA" if self.has("DATA_RETENTION_TIME_IN_DAYS") => {
                self.retention()
            }
            "ACCOUNT" if self.has("NETWORK_POLICY") && self.has("UNSET") => {
                self.hit(
                    "sql.disable-safety",
                    Deny,
                    "removes the account's network policy".into(),
                );
            }
            "ACCOUNT" if self.weakens_account_guard() => {
                self.hit(
                    "sql.disable-safety",
                    Deny,
                    "turns off an account-wide security guard".into(),
                );
            }
            "ACCOUNT" | "NETWORK" => self.hit(
                "sql.disable-safety",
                Review,
                format!("changes account-wide settings of `{name}`"),
            ),
            "SESSION" => self.intent.operation = Operation::Admin,
            "SHARE" if self.has("ACCOUNTS") || self.has("ADD") => {
                self.hit(
                    "sql.exfiltration",
                    Deny,
                    format!("shares `{name}` with other accounts"),
                );
            }
            "STAGE" if self.has("URL") => self.hit(
                "sql.exfiltration",
                Deny,
                format!("points the stage `{name}` at an external location"),
            ),
            "DEFAULT" => {
                self.intent.operation = Operation::Dcl;
                self.hit(
                    "sql.privilege-change",
                    Review,
                    "changes default privileges".into(),
                );
            }
            "LARGE" => self.hit(
                "sql.privilege-change",
                Review,
                "changes a large object".into(),
            ),
            "PUBLICATION" if self.has_seq(&["ALL", "TABLES"]) => {
                self.hit("sql.exfiltration", Review, "publishes every table".into())
            }
            "TRIGGER" | "EVENT" if self.has("DISABLE") => self.hit(
                "sql.disable-safety",
                Deny,
                format!("disables the trigger `{name}`"),
            ),
            "DATABASE" | "SCHEMA" | "VIEW" | "FUNCTION" | "PROCEDURE" | "SEQUENCE" | "TYPE"
            | "EXTENSION" | "SERVER" | "POLICY" | "MATERIALIZED" | "TRIGGER" | "EVENT"
            | "DOMAIN" | "COLUMN" | "EXTERNAL" | "TABLESPACE" | "STORAGE" => {
                if self.has_seq(&["OWNER", "TO"]) {
                    self.hit(
                        "sql.privilege-change",
                        Deny,
                        format!("transfers ownership of `{name}`"),
                    );
                } else if kind == "SEQUENCE" && self.has("RESTART") {
                    self.hit(
                        "sql.lock-or-maintenance",
                        Review,
                        format!("resets the sequence `{name}`"),
                    );
                } else {
                    self.hit(
                        "sql.alter-schema",
                        Review,
                        format!("`ALTER {kind}` changes `{name}`"),
                    );
                }
            }
            _ => self.hit(
                "sql.alter-schema",
                Review,
                format!("`ALTER {kind}` changes `{name}`"),
            ),
        }
    }

    /// `SET PREVENT_x = FALSE`, `SET REQUIRE_x = FALSE`, `UNSET ENFORCE_x`, network/MFA policies.
    fn weakens_account_guard(&self) -> bool {
        let unset = self.has("UNSET");
        self.toks.iter().enumerate().any(|(i, t)| {
            let Some(w) = t.word().map(str::to_ascii_uppercase) else {
                return false;
            };
            let guard = w.starts_with("PREVENT_")
                || w.starts_with("REQUIRE_")
                || w.starts_with("ENFORCE_")
                || w.contains("MFA")
                || w.ends_with("_POLICY");
            let value = self
                .toks
                .get(i + 2)
                .and_then(|v| v.word())
                .map(str::to_ascii_uppercase);
            guard && (unset || value.as_deref() == Some("FALSE"))
        })
    }

    fn explain_tokens(&mut self, s: usize) -> bool {
        // EXPLAIN [ANALYZE] [VERBOSE] [(options)] stmt
        let mut i = s + 1;
        let mut analyze = false;
        loop {
            if self.is(i, "ANALYZE") || self.is(i, "ANALYSE") {
                analyze = true;
                i += 1;
            } else if self.is(i, "VERBOSE")
                || self.is(i, "QUERY")
                || self.is(i, "PLAN")
                || self.is(i, "EXTENDED")
                || self.is(i, "FORMAT")
            {
                i += 1;
            } else if matches!(self.toks.get(i).map(|t| &t.token), Some(Token::LParen)) {
                let close = self
                    .toks
                    .iter()
                    .enumerate()
                    .skip(i)
                    .find(|(_, t)| t.token == Token::RParen)
                    .map_or(self.toks.len(), |(j, _)| j);
                let opts: Vec<String> = self
                    .toks
                    .iter()
                    .take(close)
                    .skip(i)
                    .filter_map(|t| t.word().map(str::to_ascii_uppercase))
                    .collect();
                if let Some(p) = opts.iter().position(|o| o == "ANALYZE") {
                    analyze = !opts
                        .get(p + 1)
                        .is_some_and(|v| v == "FALSE" || v == "OFF" || v == "0");
                }
                i = close + 1;
            } else {
                break;
            }
        }
        self.set_kind(
            if analyze {
                "explain analyze"
            } else {
                "explain"
            },
            Operation::Read,
        );
        if analyze {
            let before = self.dets.len();
            let read_only = (self.is(i, "SELECT")
                || self.is(i, "WITH")
                || self.is(i, "VALUES")
                || self.is(i, "TABLE"))
                && ![
                    "DELETE", "UPDATE", "INSERT", "MERGE", "TRUNCATE", "DROP", "INTO",
                ]
                .iter()
                .any(|w| self.has(w));
            if read_only {
                return true;
            }
            if !self.by_tokens(i) && self.dets.len() == before {
                self.hit(
                    "sql.unknown-statement",
                    Review,
                    "`EXPLAIN ANALYZE` runs a statement that could not be analysed".into(),
                );
            }
        }
        true
    }

    fn pragma(&mut self, s: usize) -> bool {
        self.set_kind("pragma", Operation::Admin);
        let (name, after) = self.name_at(s + 1);
        let name = name
            .rsplit('.')
            .next()
            .unwrap_or(&name)
            .to_ascii_lowercase();
        let value = self
            .toks
            .get(after + 1)
            .map(|t| {
                t.string()
                    .map(str::to_owned)
                    .unwrap_or_else(|| self.text.get(t.span.0..t.span.1).unwrap_or("").to_owned())
            })
            .unwrap_or_default()
            .to_ascii_lowercase();
        let sets = self
            .toks
            .get(after)
            .is_some_and(|t| t.token == Token::Eq || t.token == Token::LParen);
        let off = matches!(value.as_str(), "off" | "0" | "false" | "no" | "none");
        match name.as_str() {
            "writable_schema" if sets && !off => self.hit(
                "sql.disable-safety",
                Deny,
                "`PRAGMA writable_schema` allows editing the schema table directly".into(),
            ),
            "foreign_keys" | "ignore_check_constraints" | "recursive_triggers"
                if sets && (off || name == "ignore_check_constraints") =>
            {
                self.hit(
                    "sql.disable-safety",
                    Review,
                    format!("`PRAGMA {name}` turns a safety check off"),
                );
            }
            "journal_mode" if sets && value == "off" => self.hit(
                "sql.disable-safety",
                Review,
                "`PRAGMA journal_mode = OFF` disables rollback".into(),
            ),
            "synchronous" if sets && off => self.hit(
                "sql.disable-safety",
                Review,
                "`PRAGMA synchronous = OFF` risks corruption on crash".into(),
            ),
            "key" | "rekey" => self.hit(
                "sql.privilege-change",
                Review,
                "changes the database encryption key".into(),
            ),
            _ => {}
        }
        true
    }

    fn attach(&mut self, s: usize) -> bool {
        self.set_kind("attach", Operation::Admin);
        let target = self
            .toks
            .iter()
            .skip(s + 1)
            .find_map(|t| t.string().map(str::to_owned));
        match target.as_deref() {
            Some("" | ":memory:") => {}
            Some(path) => {
                let path = path.to_owned();
                self.hit(
                    "sql.file-access",
                    Deny,
                    format!("`ATTACH` opens the file `{path}` as a database"),
                );
            }
            None => {
                if self.is(s + 1, "DATABASE") || self.toks.get(s + 1).is_some() {
                    self.hit(
                        "sql.file-access",
                        Deny,
                        "`ATTACH` opens a file named by an expression".into(),
                    );
                }
            }
        }
        true
    }

    /// Maintenance, locks, sessions, transactions and read-only statements.
    fn maintenance(&mut self, s: usize, head: &str) -> bool {
        let next = self.upper(s + 1);
        let next = next.as_ref().map_or("", super::Upper::as_str);
        let review = |cx: &mut Self, kind: &str, msg: String| {
            cx.set_kind(kind, Operation::Admin);
            cx.hit("sql.lock-or-maintenance", Review, msg);
        };
        match head {
            "VACUUM" => {
                if self.has("INTO") {
                    self.set_kind("vacuum into", Operation::Admin);
                    self.hit(
                        "sql.file-access",
                        Deny,
                        "`VACUUM INTO` writes the database to a file".into(),
                    );
                } else if self.has("FULL") && !self.has_seq(&["FULL", "FALSE"]) {
                    review(
                        self,
                        "vacuum full",
                        "`VACUUM FULL` rewrites the table under an exclusive lock".into(),
                    );
                } else if self.dialect == crate::Dialect::Sqlite {
                    review(
                        self,
                        "vacuum",
                        "SQLite `VACUUM` rewrites the whole database file under a lock".into(),
                    );
                } else {
                    self.set_kind("vacuum", Operation::Admin);
                }
            }
            "ANALYZE" | "ANALYSE" => self.set_kind("analyze", Operation::Admin),
            "REINDEX" => {
                let off = self.has_seq(&["CONCURRENTLY", "FALSE"])
                    || self.has_seq(&["CONCURRENTLY", "OFF"]);
                if self.has("CONCURRENTLY") && !off {
                    self.set_kind("reindex", Operation::Admin);
                } else {
                    review(
                        self,
                        "reindex",
                        "`REINDEX` blocks writes while it rebuilds".into(),
                    );
                }
            }
            "CLUSTER" => review(
                self,
                "cluster",
                "`CLUSTER` rewrites the table under an exclusive lock".into(),
            ),
            "LOCK" => review(self, "lock", "explicit table lock".into()),
            "UNLOCK" => self.set_kind("unlock", Operation::Admin),
            "FLUSH" => {
                if self.has("LOCK") {
                    review(
                        self,
                        "flush",
                        "`FLUSH TABLES WITH READ LOCK` blocks every write".into(),
                    );
                } else if self.has("LOGS") || self.has("BINARY") {
                    review(self, "flush", "`FLUSH` rotates logs".into());
                } else {
                    self.set_kind("flush", Operation::Admin);
                }
            }
            "OPTIMIZE" | "REPAIR" => review(
                self,
                &head.to_ascii_lowercase(),
                format!("`{head} TABLE` rebuilds the table under a lock"),
            ),
            "CHECK" | "CHECKSUM" | "CHECKPOINT" => {
                self.set_kind(&head.to_ascii_lowercase(), Operation::Admin)
            }
            "REFRESH" => {
                if self.has("CONCURRENTLY") {
                    self.set_kind("refresh materialized view", Operation::Admin);
                } else {
                    review(
                        self,
                        "refresh materialized view",
                        "`REFRESH MATERIALIZED VIEW` blocks reads while it runs".into(),
                    );
                }
            }
            "KILL" => review(self, "kill", "`KILL` terminates another session".into()),
            "SHUTDOWN" => {
                self.set_kind("shutdown", Operation::Admin);
                self.hit(
                    "sql.lock-or-maintenance",
                    Deny,
                    "`SHUTDOWN` stops the database server".into(),
                );
            }
            "DBCC" => {
                self.set_kind("dbcc", Operation::Admin);
                if self.has("REPAIR_ALLOW_DATA_LOSS") {
                    self.hit(
                        "sql.lock-or-maintenance",
                        Deny,
                        "`DBCC ... REPAIR_ALLOW_DATA_LOSS` may delete data to repair".into(),
                    );
                } else if [
                    "SHRINKFILE",
                    "SHRINKDATABASE",
                    "FREEPROCCACHE",
                    "DROPCLEANBUFFERS",
                    "CHECKIDENT",
                    "FREESYSTEMCACHE",
                    "TRACEON",
                    "TRACEOFF",
                ]
                .contains(&next)
                {
                    review(
                        self,
                        "dbcc",
                        format!("`DBCC {next}` disturbs a running server"),
                    );
                }
            }
            "BACKUP" => {
                self.set_kind("backup", Operation::Admin);
                let target = self
                    .toks
                    .iter()
                    .find_map(|t| t.string().map(str::to_owned))
                    .unwrap_or_default();
                if self.has("URL") || target.starts_with("\\\\") || target.contains("://") {
                    self.hit(
                        "sql.exfiltration",
                        Deny,
                        format!("`BACKUP` sends the database to `{target}`"),
                    );
                } else {
                    review(
                        self,
                        "backup",
                        "local `BACKUP` loads the server and writes a full copy of the data".into(),
                    );
                }
            }
            "RESTORE" => {
                if self.has("REPLACE") {
                    self.set_kind("restore", Operation::Admin);
                    self.hit(
                        "sql.drop",
                        Deny,
                        "`RESTORE ... WITH REPLACE` overwrites the existing database".into(),
                    );
                } else {
                    review(
                        self,
                        "restore",
                        "`RESTORE` replaces database content".into(),
                    );
                }
            }
            "PURGE" => {
                self.set_kind("purge", Operation::Admin);
                self.hit(
                    "sql.disable-safety",
                    Deny,
                    "`PURGE BINARY LOGS` destroys the replication and recovery log".into(),
                );
            }
            "INSTALL" | "UNINSTALL" => {
                self.set_kind(&head.to_ascii_lowercase(), Operation::Admin);
                self.hit(
                    "sql.program-execution",
                    Deny,
                    format!("`{head} {next}` loads or unloads native code in the server"),
                );
            }
            "UNDROP" => self.set_kind("undrop", Operation::Ddl),
            "BEGIN" | "START" | "COMMIT" | "ROLLBACK" | "END" | "SAVEPOINT" | "RELEASE"
            | "ABORT" | "SAVE" | "XA" => {
                if !self.intent.parsed && !tcl_shape(self, s) {
                    return false;
                }
                self.set_kind(&head.to_ascii_lowercase(), Operation::Tcl);
            }
            "SHOW" | "DESCRIBE" | "DESC" | "USE" | "LISTEN" | "NOTIFY" | "UNLISTEN" | "DECLARE"
            | "FETCH" | "CLOSE" | "OPEN" | "DISCARD" | "PRINT" | "RAISERROR" | "THROW"
            | "WAITFOR" | "HELP" | "HANDLER" | "COMMENT" | "DETACH" | "SUMMARIZE" | "IF"
            | "WHILE" | "RETURN" | "RAISE" | "MOVE" | "CACHE" | "UNCACHE" | "MSCK" | "SECURITY"
            | "USING" | "READTEXT" | "DUMP" => {
                if !self.intent.parsed
                    && matches!(
                        head,
                        "SHOW"
                            | "DESCRIBE"
                            | "DESC"
                            | "USE"
                            | "LISTEN"
                            | "NOTIFY"
                            | "UNLISTEN"
                            | "DISCARD"
                            | "COMMENT"
                            | "FETCH"
                            | "CLOSE"
                            | "DECLARE"
                    )
                {
                    return false;
                }
                let op = if matches!(
                    head,
                    "SHOW" | "DESCRIBE" | "DESC" | "FETCH" | "HELP" | "SUMMARIZE"
                ) {
                    Operation::Read
                } else {
                    Operation::Admin
                };
                self.set_kind(&head.to_ascii_lowercase(), op);
                if head == "COMMENT" {
                    self.intent.operation = Operation::Ddl;
                }
            }
            _ => return false,
        }
        true
    }
}

/// Transaction statements the parser rejects in some dialects (`BEGIN TRAN name`, `COMMIT TRAN`)
/// are short: at most four words and no parentheses.
fn tcl_shape(cx: &Cx<'_>, s: usize) -> bool {
    let rest = cx.toks.get(s..).unwrap_or(&[]);
    rest.len() <= 4
        && rest
            .iter()
            .all(|t| t.word().is_some() || matches!(t.token, Token::Word(_)))
}
