//! CREATE statements: new objects are allowed, replacing or planting code is not.

use sqlparser::tokenizer::Token;

use super::Cx;
use crate::finding::Grade::{Deny, Review};
use crate::intent::{Access, Operation};

const UNTRUSTED_LANGUAGES: &[&str] = &[
    "c",
    "internal",
    "plpythonu",
    "plpython2u",
    "plpython3u",
    "plperlu",
    "pltclu",
    "plsh",
    "plrust_unsafe",
    "plr",
    "pljavau",
    "plv8u",
    "java",
    "python",
    "external",
];

impl Cx<'_> {
    pub(crate) fn create(&mut self, s: usize) -> bool {
        let or_replace = self.is(s + 1, "OR") && self.is(s + 2, "REPLACE");
        let mut i = if or_replace { s + 3 } else { s + 1 };
        let temporary = ["TEMP", "TEMPORARY", "VOLATILE"]
            .iter()
            .any(|w| self.is(i, w) || self.is(i + 1, w));
        i = self.skip_words(
            i,
            &[
                "GLOBAL",
                "LOCAL",
                "TEMP",
                "TEMPORARY",
                "VOLATILE",
                "TRANSIENT",
                "UNLOGGED",
                "EXTERNAL",
                "SECURE",
                "MATERIALIZED",
                "RECURSIVE",
                "UNIQUE",
                "CLUSTERED",
                "NONCLUSTERED",
                "DEFINER",
                "ALGORITHM",
                "SQL",
                "SECURITY",
                "INVOKER",
                "TRUSTED",
                "PROCEDURAL",
                "AGGREGATE",
                "CONSTRAINT",
                "FOREIGN",
                "ICEBERG",
                "DYNAMIC",
                "HYBRID",
                "SHARED",
                "EVENT",
            ],
        );
        // DEFINER = user@host
        while matches!(
            self.toks.get(i).map(|t| &t.token),
            Some(Token::Eq | Token::AtSign)
        ) || self.toks.get(i).is_some_and(|t| t.string().is_some())
        {
            i += 1;
            i = self.skip_words(i, &["SQL", "SECURITY", "INVOKER", "DEFINER"]);
        }
        let Some(kind) = self.upper(i) else {
            return false;
        };
        let kind = kind.as_str();
        let (name, _) =
            self.name_at(self.skip_words(i + 1, &["IF", "NOT", "EXISTS", "CONCURRENTLY"]));
        let materialized = self.has_seq(&["MATERIALIZED", "VIEW"]);
        let kind_l = kind.to_ascii_lowercase();
        self.set_kind(
            &format!(
                "create {}{kind_l}",
                if or_replace { "or replace " } else { "" }
            ),
            Operation::Ddl,
        );
        match kind {
            "TABLE" => {
                self.object(&name, Access::Create);
                if temporary {
                    self.learned.temp.insert(name.to_ascii_lowercase());
                } else if or_replace {
                    self.hit(
                        "sql.drop",
                        Deny,
                        format!(
                            "`CREATE OR REPLACE TABLE` drops the existing `{name}` and its data"
                        ),
                    );
                }
                if self.has_seq(&["ENGINE", "=", "FEDERATED"])
                    || self.has("CONNECTION")
                        && self
                            .toks
                            .iter()
                            .any(|t| t.string().is_some_and(|s| s.contains("://")))
                {
                    self.hit(
                        "sql.exfiltration",
                        Deny,
                        format!("`{name}` is a federated table on another server"),
                    );
                }
            }
            "VIEW" => {
                self.object(&name, Access::Create);
                if or_replace && !materialized {
                    self.hit(
                        "sql.alter-schema",
                        Review,
                        format!("`CREATE OR REPLACE VIEW` replaces the definition of `{name}`"),
                    );
                }
            }
            "INDEX" => {
                self.object(&name, Access::Create);
                if !self.has("CONCURRENTLY") && !self.created_temp_target() {
                    self.hit(
                        "sql.alter-schema",
                        Review,
                        "`CREATE INDEX` without `CONCURRENTLY` blocks writes while it builds"
                            .into(),
                    );
                }
            }
            "FUNCTION" | "PROCEDURE" | "PROC" | "TRIGGER" | "RULE" | "EVENT" => {
                self.create_routine(kind, &name, or_replace)
            }
            "EXTENSION" => {
                let ext = name.to_ascii_lowercase();
                if [
                    "plpythonu",
                    "plpython3u",
                    "plperlu",
                    "pltclu",
                    "plsh",
                    "adminpack",
                    "file_fdw",
                    "dblink",
                    "postgres_fdw",
                    "lo",
                ]
                .contains(&ext.as_str())
                {
                    let rule = if ["dblink", "postgres_fdw"].contains(&ext.as_str()) {
                        "sql.exfiltration"
                    } else if ["adminpack", "file_fdw"].contains(&ext.as_str()) {
                        "sql.file-access"
                    } else {
                        "sql.program-execution"
                    };
                    self.hit(
                        rule,
                        Deny,
                        format!("`CREATE EXTENSION {name}` gives SQL access outside the database"),
                    );
                } else {
                    self.hit(
                        "sql.alter-schema",
                        Review,
                        format!("`CREATE EXTENSION {name}` installs code in the database"),
                    );
                }
            }
            "LANGUAGE" => {
                if UNTRUSTED_LANGUAGES.contains(&name.to_ascii_lowercase().as_str())
                    || !self.has("TRUSTED")
                {
                    self.hit(
                        "sql.program-execution",
                        Deny,
                        format!("`CREATE LANGUAGE {name}` enables native code"),
                    );
                }
            }
            "USER" | "ROLE" | "LOGIN" | "GROUP" => {
                self.intent.operation = Operation::Dcl;
                let admin = [
                    "SUPERUSER",
                    "BYPASSRLS",
                    "CREATEROLE",
                    "REPLICATION",
                    "SYSADMIN",
                ]
                .iter()
                .find(|k| self.has(k));
                match admin {
                    Some(a) => self.hit(
                        "sql.privilege-change",
                        Deny,
                        format!("creates `{name}` with the `{a}` attribute"),
                    ),
                    None => self.hit(
                        "sql.privilege-change",
                        Review,
                        format!("creates the account `{name}`"),
                    ),
                }
            }
            "ASSEMBLY" => self.hit(
                "sql.program-execution",
                Deny,
                format!("`CREATE ASSEMBLY {name}` loads native code into the server"),
            ),
            "STAGE" | "STORAGE" => {
                if self.has("URL") || self.has("STORAGE_ALLOWED_LOCATIONS") {
                    self.hit(
                        "sql.exfiltration",
                        Deny,
                        format!("`{name}` points at an external location data can be unloaded to"),
                    );
                }
            }
            "SHARE" => self.hit(
                "sql.exfiltration",
                Review,
                format!("creates the share `{name}`"),
            ),
            "PUBLICATION" => {
                if self.has_seq(&["ALL", "TABLES"]) {
                    self.hit(
                        "sql.exfiltration",
                        Review,
                        "`CREATE PUBLICATION FOR ALL TABLES` replicates every table out".into(),
                    );
                }
            }
            "SUBSCRIPTION" | "SERVER" => self.hit(
                "sql.exfiltration",
                Deny,
                format!("`CREATE {kind}` connects to another server"),
            ),
            "DATABASE" if self.has("LINK") => self.hit(
                "sql.exfiltration",
                Deny,
                "creates a database link to another server".into(),
            ),
            "TABLESPACE" if self.has("LOCATION") => self.hit(
                "sql.file-access",
                Deny,
                "`CREATE TABLESPACE` writes to a server directory".into(),
            ),
            "SCHEMA" | "DATABASE" | "SEQUENCE" | "TYPE" | "DOMAIN" | "COLLATION" | "WAREHOUSE"
            | "FILE" | "STATISTICS" | "TABLESPACE" | "SYNONYM" | "CAST" | "OPERATOR" | "MACRO"
            | "SECRET" | "TEXT" | "POLICY" | "ACCESS" => {
                if matches!(kind, "POLICY") {
                    self.hit(
                        "sql.alter-schema",
                        Review,
                        format!("creates the policy `{name}`"),
                    );
                }
            }
            _ => {
                if matches!(kind, "FOREIGN")
                    || self.has_seq(&["FOREIGN", "DATA"])
                    || self.has_seq(&["USER", "MAPPING"])
                {
                    self.hit(
                        "sql.exfiltration",
                        Deny,
                        "foreign data access to another server".into(),
                    );
                } else {
                    return false;
                }
            }
        }
        true
    }

    fn created_temp_target(&self) -> bool {
        self.find(0, "ON")
            .and_then(|i| self.toks.get(i + 1))
            .and_then(|t| t.ident())
            .is_some_and(|t| self.is_temporary(t))
    }

    fn create_routine(&mut self, kind: &str, name: &str, or_replace: bool) {
        self.object(name, Access::Create);
        // LANGUAGE x
        let lang = self
            .find(0, "LANGUAGE")
            .and_then(|i| self.toks.get(i + 1))
            .and_then(|t| t.ident().or_else(|| t.string()))
            .map(str::to_ascii_lowercase);
        if let Some(l) = lang.as_deref() {
            if UNTRUSTED_LANGUAGES.contains(&l) {
                self.hit("sql.program-execution", Deny, format!("`{name}` is written in the untrusted language `{l}` and can run native code"));
                return;
            }
        }
        if self.has("SONAME") || (self.has("EXTERNAL") && self.has("NAME")) {
            self.hit(
                "sql.program-execution",
                Deny,
                format!("`{name}` loads a native library"),
            );
            return;
        }
        // The body: dollar-quoted text or the rest of the tokens.
        let before = self.dets.len();
        let bodies: Vec<String> = self
            .toks
            .iter()
            .filter_map(|t| match &t.token {
                Token::DollarQuotedString(d) => Some(d.value.clone()),
                _ => None,
            })
            .collect();
        let mut planted = false;
        for b in &bodies {
            planted |= self.body_is_destructive(b);
        }
        if bodies.is_empty() {
            // Inline BEGIN ... END body: look for unbounded destructive statements in the tokens.
            if let Some(begin) = self.find(0, "BEGIN").or_else(|| self.find(0, "AS")) {
                let body = self
                    .text
                    .get(self.toks.get(begin).map_or(0, |t| t.span.1)..self.span.1)
                    .unwrap_or("");
                planted |= self.body_is_destructive(body);
            }
        }
        if planted {
            self.dets.truncate(before);
            self.hit("sql.hidden-code", Deny, format!("`CREATE {kind} {name}` plants a destructive statement that runs later without passing the guard"));
        } else {
            self.dets.truncate(before);
            let verb = if or_replace { "replaces" } else { "creates" };
            self.hit(
                "sql.alter-schema",
                Review,
                format!("{verb} the stored {} `{name}`", kind.to_ascii_lowercase()),
            );
        }
    }

    /// Whether a routine body contains a destructive statement (deny-grade).
    fn body_is_destructive(&mut self, body: &str) -> bool {
        if self.depth >= 4 {
            return false;
        }
        super::dynamic::procedural_pieces(body, self.dialect, &self.known.vars)
            .into_iter()
            .any(|piece| match piece {
                super::dynamic::BodyPiece::Statement(text)
                | super::dynamic::BodyPiece::Execute(Some(text)) => {
                    super::analyze_at(&text, self.dialect, self.depth + 1)
                        .detections
                        .iter()
                        .any(|d| {
                            d.grade == crate::finding::Grade::Deny
                                && d.rule != "sql.unparseable"
                                && d.rule != "sql.unknown-statement"
                        })
                }
                super::dynamic::BodyPiece::Execute(None) => false,
            })
    }
}
