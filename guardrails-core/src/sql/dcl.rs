//! Privileges and session settings: GRANT/REVOKE/DENY, SET/RESET.

use sqlparser::tokenizer::Token;

use super::names;
use super::Cx;
use crate::finding::Grade::{Deny, Review};
use crate::intent::Operation;

impl Cx<'_> {
    pub(crate) fn grant(&mut self, s: usize, head: &str) -> bool {
        self.set_kind(&head.to_ascii_lowercase(), Operation::Dcl);
        if head != "GRANT" {
            self.hit(
                "sql.privilege-change",
                Review,
                format!("`{head}` changes privileges"),
            );
            return true;
        }
        let to = self.find(s, "TO");
        let words: Vec<String> = self
            .toks
            .iter()
            .skip(s + 1)
            .take(to.map_or(usize::MAX, |t| t.saturating_sub(s + 1)))
            .map(|t| {
                t.ident()
                    .or_else(|| t.string())
                    .unwrap_or("")
                    .to_ascii_lowercase()
            })
            .collect();
        let grantee: Vec<String> = to
            .map(|t| {
                self.toks
                    .iter()
                    .skip(t + 1)
                    .filter_map(|x| {
                        x.ident()
                            .or_else(|| x.string())
                            .map(str::to_ascii_lowercase)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let with_grant = self.has_seq(&["WITH", "GRANT", "OPTION"])
            || self.has_seq(&["WITH", "ADMIN", "OPTION"])
            || self.has_seq(&["WITH", "ADMIN", "TRUE"]);
        let all = words.first().is_some_and(|w| w == "all");
        let admin = words
            .iter()
            .find(|w| names::is_admin_role(w) && *w != "all");
        let to_public = grantee
            .iter()
            .any(|g| g == "public" || g == "allusers" || g == "allauthenticatedusers");
        let writes = words.iter().any(|w| {
            matches!(
                w.as_str(),
                "insert"
                    | "update"
                    | "delete"
                    | "truncate"
                    | "all"
                    | "write"
                    | "alter"
                    | "drop"
                    | "create"
                    | "references"
                    | "trigger"
                    | "execute"
                    | "usage"
            )
        });
        let on_sensitive = self.find(s, "ON").is_some_and(|on| {
            let (n, _) =
                self.name_at(self.skip_words(on + 1, &["TABLE", "ALL", "TABLES", "IN", "SCHEMA"]));
            names::is_credential_store(&n)
        });
        if all {
            self.hit(
                "sql.privilege-change",
                Deny,
                "`GRANT ALL` gives every privilege".into(),
            );
        } else if with_grant {
            self.hit(
                "sql.privilege-change",
                Deny,
                "`WITH GRANT OPTION` lets the grantee hand privileges on".into(),
            );
        } else if let Some(a) = admin {
            self.hit(
                "sql.privilege-change",
                Deny,
                format!("grants the admin-equivalent privilege `{a}`"),
            );
        } else if to_public && writes {
            self.hit(
                "sql.privilege-change",
                Deny,
                "grants write privileges to everyone".into(),
            );
        } else if on_sensitive {
            self.hit(
                "sql.privilege-change",
                Deny,
                "grants access to the database's account table".into(),
            );
        } else {
            self.hit(
                "sql.privilege-change",
                Review,
                "`GRANT` changes privileges".into(),
            );
        }
        true
    }

    pub(crate) fn set(&mut self, s: usize, head: &str) -> bool {
        self.set_kind(&head.to_ascii_lowercase(), Operation::Admin);
        let mut i = self.skip_words(
            s + 1,
            &["SESSION", "LOCAL", "GLOBAL", "PERSIST", "PERSIST_ONLY"],
        );
        i = self.skip_words(i, &["SESSION"]);
        let global = self.is(s + 1, "GLOBAL")
            || self.is(s + 1, "PERSIST")
            || self.is(s + 1, "PERSIST_ONLY")
            || self
                .toks
                .get(s + 1)
                .is_some_and(|t| matches!(t.token, Token::AtSign))
                && self
                    .toks
                    .get(s + 2)
                    .is_some_and(|t| matches!(t.token, Token::AtSign))
                && self.is(s + 3, "GLOBAL");
        // @@global.x / @@session.x
        while self
            .toks
            .get(i)
            .is_some_and(|t| matches!(t.token, Token::AtSign | Token::AtAt))
        {
            i += 1;
        }
        let (raw_name, after) = self.name_at(i);
        let name = raw_name.to_ascii_lowercase();
        let name = name
            .trim_start_matches("@@")
            .trim_start_matches("global.")
            .trim_start_matches("session.")
            .to_owned();
        let value: String = self
            .toks
            .iter()
            .skip(after)
            .filter(|t| !matches!(t.token, Token::Eq | Token::Assignment) && !t.is("TO"))
            .map(|t| {
                t.string()
                    .map(str::to_owned)
                    .unwrap_or_else(|| self.text.get(t.span.0..t.span.1).unwrap_or("").to_owned())
            })
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        let value = value.trim_matches(['\'', '"']).to_owned();
        let off = matches!(value.as_str(), "0" | "off" | "false" | "none" | "''" | "");
        let on = matches!(value.as_str(), "1" | "on" | "true");
        if head == "RESET" {
            if matches!(name.as_str(), "master" | "binary" | "replica" | "slave") {
                self.hit(
                    "sql.disable-safety",
                    Deny,
                    format!(
                        "`RESET {}` deletes the binary logs used for replication and recovery",
                        name.to_ascii_uppercase()
                    ),
                );
            }
            return true;
        }
        if raw_name.starts_with('@') && !raw_name.starts_with("@@") {
            let eq = self
                .toks
                .iter()
                .skip(after)
                .position(|t| matches!(t.token, Token::Eq | Token::Assignment))
                .map(|p| after + p + 1);
            if let Some(v) = eq
                .and_then(|e| self.toks.get(e..))
                .and_then(|rest| super::literal::eval(rest, &self.known.vars))
            {
                self.learned.vars.insert(raw_name.to_ascii_lowercase(), v);
            }
            return true;
        }
        if name == "sql_mode" && value.contains("no_backslash_escapes") {
            self.learned.no_backslash_escapes = true;
        }
        match name.as_str() {
            "authorization" if value == "default" => {}
            "authorization" => {
                self.intent.operation = Operation::Dcl;
                let target = value.trim_matches(['\'', '"', '`']);
                if names::is_superuser_name(target) {
                    self.hit(
                        "sql.privilege-change",
                        Deny,
                        format!("impersonates the superuser `{target}`"),
                    );
                } else {
                    self.hit(
                        "sql.privilege-change",
                        Review,
                        format!("impersonates `{target}` for the session"),
                    );
                }
            }
            "role" | "session authorization" | "session" => {
                let target = value.trim_matches(['\'', '"', '`']);
                if names::is_superuser_name(target) || names::is_admin_role(target) {
                    self.intent.operation = Operation::Dcl;
                    self.hit(
                        "sql.privilege-change",
                        Deny,
                        format!("switches to the superuser role `{target}`"),
                    );
                }
            }
            "session_replication_role" if value.contains("replica") => {
                self.hit(
                    "sql.disable-safety",
                    Deny,
                    "`session_replication_role = replica` turns off triggers and foreign keys"
                        .into(),
                );
            }
            "sql_log_bin"
            | "general_log"
            | "sql_log_off"
            | "log_statement"
            | "pgaudit.log"
            | "log_min_duration_statement"
            | "audit_trail"
            | "log_bin"
            | "log_error_verbosity"
                if off
                    || (name == "sql_log_off" && on)
                    || value == "none"
                    || (name == "log_min_duration_statement" && value == "-1") =>
            {
                self.hit(
                    "sql.disable-safety",
                    Deny,
                    format!("turns off logging or auditing (`{name}`)"),
                );
            }
            "general_log_file"
            | "slow_query_log_file"
            | "secure_file_priv"
            | "plugin_dir"
            | "datadir" => {
                self.hit(
                    "sql.file-access",
                    Deny,
                    format!("points `{name}` at a path on the server"),
                );
            }
            "read_only"
            | "super_read_only"
            | "innodb_read_only"
            | "default_transaction_read_only"
            | "transaction_read_only"
                if off =>
            {
                self.hit("sql.disable-safety", Deny, format!("turns `{name}` off"));
            }
            "local_infile" if on => self.hit(
                "sql.disable-safety",
                Deny,
                "`local_infile = 1` enables client file reads".into(),
            ),
            "sql_safe_updates"
            | "foreign_key_checks"
            | "unique_checks"
            | "check_function_bodies"
            | "row_security"
            | "innodb_strict_mode"
            | "sql_notes"
            | "xact_abort"
                if off =>
            {
                self.hit(
                    "sql.disable-safety",
                    Review,
                    format!("turns the safety check `{name}` off"),
                );
            }
            "sql_mode" if !value.contains("strict") => {
                self.hit("sql.disable-safety", Review, "relaxes `sql_mode`".into())
            }
            "identity_insert"
            | "nocount"
            | "ansi_nulls"
            | "quoted_identifier"
            | "statement_timeout"
            | "lock_timeout"
            | "search_path"
            | "timezone"
            | "time"
            | "names"
            | "transaction"
            | "datestyle"
            | "client_encoding"
            | "application_name"
            | "work_mem"
            | "client_min_messages" => {}
            "max_execution_time" | "innodb_lock_wait_timeout" | "lock_wait_timeout" => {}
            _ if global => {
                self.hit(
                    "sql.disable-safety",
                    Deny,
                    format!("`SET GLOBAL {name}` changes the server for every session"),
                );
            }
            _ => {}
        }
        true
    }
}
