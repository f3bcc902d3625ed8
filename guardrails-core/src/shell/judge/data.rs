//! Datastores from the shell: SQL clients (the SQL goes through the SQL analysis), redis,
//! MongoDB, etcd, dumps and restores.

use super::super::flow::{self, Flow};
use super::super::walk::{Cx, Inv, State, Walker};
use super::kv::{dump, migrations, mongo_js, redis};
use super::Opts;
use crate::action::Dialect;
use crate::finding::Grade::{self, Deny, Review};

/// Runs SQL found in a command through the SQL analysis; findings keep their `sql.*` ids.
pub(crate) fn sql(w: &mut Walker, inv: &Inv, text: &str, dialect: Dialect, client: &str) {
    let (clean, gexec) = strip_meta(text);
    if clean.trim().is_empty() && !gexec {
        return;
    }
    // Where the SQL sits in the original text, when it is there verbatim.
    let (lo, hi) = inv.span;
    let base = if clean == text
        || clean.trim_end_matches(['\n', ';']) == text.trim_end_matches(['\n', ';'])
    {
        w.text
            .get(lo..hi.min(w.text.len()))
            .and_then(|s| s.find(text))
            .map(|i| lo + i)
    } else {
        None
    };
    let a = crate::sql::analyze(&clean, dialect);
    for d in a.detections {
        if d.grade == Grade::Notice && d.rule != "input.invisible-characters" {
            continue;
        }
        let message = crate::redact::redact_message(&format!("`{client}`: {}", d.message));
        let span = match (base, d.span) {
            (Some(b), Some((s, e))) => Some((b + s, b + e)),
            _ => Some(inv.span),
        };
        let det = crate::finding::Detection {
            rule: d.rule.clone(),
            grade: d.grade,
            message,
            statement: Some(inv.index),
            span,
        };
        if !w.detections.contains(&det) {
            w.detections.push(det);
        }
    }
    let text = clean;
    if gexec {
        let lower = text.to_ascii_lowercase();
        let destructive = [
            "'drop ",
            "'truncate ",
            "'delete ",
            "'alter ",
            "'grant ",
            "\"drop ",
            "'update ",
        ]
        .iter()
        .any(|k| lower.contains(k));
        let grade = if destructive { Deny } else { Review };
        w.hit(
            "sql.hidden-code",
            grade,
            format!("`{client}` runs the rows a query returns as SQL (`\\gexec`)"),
            inv,
        );
    }
}

/// Removes psql meta-commands (`\dt`, `\x`, `\gexec`); tells whether `\gexec` was used.
fn strip_meta(text: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut gexec = false;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(meta) = t.strip_prefix('\\') {
            gexec |= meta.starts_with("gexec");
            if meta.starts_with('g') {
                out.push_str(";\n");
            }
            continue;
        }
        // A meta-command after SQL on the same line: `SELECT 1 \gx`.
        if let Some(i) = line.find(" \\g") {
            gexec |= line.get(i..).is_some_and(|r| r.starts_with(" \\gexec"));
            out.push_str(line.get(..i).unwrap_or(""));
            out.push_str(";\n");
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    (out, gexec)
}

fn client_sql(
    w: &mut Walker,
    inv: &Inv,
    texts: Vec<String>,
    dialect: Dialect,
    client: &str,
) -> Flow {
    if texts.is_empty() {
        if let Some(c) = &inv.stdin.content {
            sql(w, inv, c, dialect, client);
        }
    }
    for t in texts {
        sql(w, inv, &t, dialect, client);
    }
    Flow::bits(flow::OPAQUE)
}

/// Dispatches datastore programs.
pub(crate) fn judge(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Option<Flow> {
    let _ = (st, cx);
    let prog = inv.program();
    let args = inv.args();
    let vals = |o: &Opts, names: &[&str]| -> Vec<String> { o.all(names) };
    Some(match prog {
        "psql" | "pgcli" | "cockroach" | "yb-ysqlsh" | "ysqlsh" => {
            let o = Opts::parse(
                args,
                &[
                    "-c",
                    "--command",
                    "-f",
                    "--file",
                    "-d",
                    "--dbname",
                    "-h",
                    "--host",
                    "-p",
                    "--port",
                    "-U",
                    "--username",
                    "-v",
                    "--set",
                    "-o",
                    "--output",
                    "-F",
                    "-R",
                    "-P",
                    "--pset",
                    "-L",
                ],
            );
            let mut texts = vals(&o, &["-c", "--command"]);
            if vals(&o, &["-f", "--file"]).iter().any(|f| f == "-") {
                texts.extend(inv.stdin.content.clone());
            }
            client_sql(w, inv, texts, Dialect::Postgres, prog)
        }
        "mysql" | "mariadb" | "mycli" => {
            let o = Opts::parse(
                args,
                &[
                    "-e",
                    "--execute",
                    "-h",
                    "--host",
                    "-u",
                    "--user",
                    "-P",
                    "--port",
                    "-D",
                    "--database",
                    "-S",
                    "--socket",
                    "--default-character-set",
                ],
            );
            client_sql(w, inv, vals(&o, &["-e", "--execute"]), Dialect::Mysql, prog)
        }
        "sqlite3" | "sqlite" | "duckdb" | "litecli" => {
            let o = Opts::parse(args, &["-cmd", "-separator", "-nullvalue", "-c"]);
            let mut texts: Vec<String> = o
                .pos
                .iter()
                .skip(1)
                .filter(|a| !a.value.starts_with('.'))
                .map(|a| a.value.clone())
                .collect();
            texts.extend(vals(&o, &["-cmd", "-c"]));
            let dialect = if prog == "duckdb" {
                Dialect::Generic
            } else {
                Dialect::Sqlite
            };
            client_sql(w, inv, texts, dialect, prog)
        }
        "clickhouse-client" | "clickhouse" | "chdb" => {
            let mut a = args;
            if prog == "clickhouse" && a.first().is_some_and(|x| x.is("client") || x.is("local")) {
                a = a.get(1..).unwrap_or(&[]);
            }
            let o = Opts::parse(
                a,
                &[
                    "-q",
                    "--query",
                    "--host",
                    "-h",
                    "--port",
                    "-u",
                    "--user",
                    "--password",
                    "-d",
                    "--database",
                    "--format",
                    "-f",
                ],
            );
            client_sql(w, inv, vals(&o, &["-q", "--query"]), Dialect::Generic, prog)
        }
        "sqlcmd" | "osql" | "isql" => {
            let o = Opts::parse(
                args,
                &[
                    "-Q", "-q", "-S", "-U", "-P", "-d", "-i", "-o", "-s", "-W", "-h",
                ],
            );
            client_sql(w, inv, vals(&o, &["-Q", "-q"]), Dialect::Mssql, prog)
        }
        "snowsql" => {
            let o = Opts::parse(
                args,
                &[
                    "-q",
                    "--query",
                    "-c",
                    "--connection",
                    "-a",
                    "-u",
                    "-d",
                    "-s",
                    "-w",
                    "-r",
                    "-f",
                    "--filename",
                    "-o",
                ],
            );
            client_sql(
                w,
                inv,
                vals(&o, &["-q", "--query"]),
                Dialect::Snowflake,
                prog,
            )
        }
        "snow" if args.first().is_some_and(|a| a.is("sql")) => {
            let o = Opts::parse(
                args.get(1..).unwrap_or(&[]),
                &["-q", "--query", "-c", "--connection"],
            );
            client_sql(
                w,
                inv,
                vals(&o, &["-q", "--query"]),
                Dialect::Snowflake,
                prog,
            )
        }
        "bq" => {
            let o = Opts::parse(
                args,
                &[
                    "--project_id",
                    "--location",
                    "--format",
                    "--max_rows",
                    "--dataset_id",
                    "--parameter",
                    "--destination_table",
                ],
            );
            let words = o.words();
            match words.first().copied() {
                Some("query") => {
                    let texts = o.pos.iter().skip(1).map(|a| a.value.clone()).collect();
                    client_sql(w, inv, texts, Dialect::Bigquery, "bq query")
                }
                Some("rm") => {
                    let grade =
                        if o.has(&["-r", "-d", "--recursive", "--dataset"]) || o.has(&["-f"]) {
                            Deny
                        } else {
                            Review
                        };
                    w.hit(
                        "shell.database-destroy",
                        grade,
                        "`bq rm` deletes a table or dataset".to_owned(),
                        inv,
                    );
                    Flow::bits(flow::OPAQUE)
                }
                _ => Flow::bits(flow::OPAQUE),
            }
        }
        "dropdb" | "dropuser" => {
            let rule = if prog == "dropdb" {
                "shell.database-destroy"
            } else {
                "shell.privilege-change"
            };
            let grade = if prog == "dropdb" { Deny } else { Review };
            w.hit(
                rule,
                grade,
                format!(
                    "`{prog}` drops `{}`",
                    args.iter()
                        .rfind(|a| !a.value.starts_with('-'))
                        .map_or("", |a| a.value.as_str())
                ),
                inv,
            );
            Flow::bits(flow::OPAQUE)
        }
        "mysqladmin" => {
            if args
                .iter()
                .any(|a| matches!(a.value.as_str(), "drop" | "shutdown"))
            {
                w.hit(
                    "shell.database-destroy",
                    Deny,
                    "`mysqladmin` drops a database or stops the server".to_owned(),
                    inv,
                );
            }
            Flow::bits(flow::OPAQUE)
        }
        "pg_dump" | "pg_dumpall" | "mysqldump" | "mariadb-dump" | "mongodump" | "mongoexport"
        | "redis-dump" | "mydumper" | "pg_basebackup" => dump(w, inv, prog),
        "pg_restore" | "mongorestore" | "myloader" => {
            let destructive = args.iter().any(|a| {
                matches!(
                    a.value.as_str(),
                    "--clean" | "-c" | "--drop" | "--overwrite-tables" | "-o"
                )
            });
            let to_db = args.iter().any(|a| {
                a.is("-d")
                    || a.value.starts_with("--dbname")
                    || a.value.starts_with("--host")
                    || a.is("-h")
                    || a.value.starts_with("--uri")
            });
            if destructive && (to_db || prog != "pg_restore") {
                w.hit(
                    "shell.database-destroy",
                    Deny,
                    format!("`{prog}` drops existing objects before restoring over them"),
                    inv,
                );
            } else if to_db || prog != "pg_restore" {
                w.hit(
                    "shell.database-destroy",
                    Review,
                    format!("`{prog}` writes a backup into a live database"),
                    inv,
                );
            }
            Flow::bits(flow::OPAQUE)
        }
        "redis-cli" | "valkey-cli" | "keydb-cli" => redis(w, inv),
        "mongosh" | "mongo" => {
            let o = Opts::parse(
                args,
                &[
                    "--eval",
                    "--host",
                    "--port",
                    "-u",
                    "--username",
                    "-p",
                    "--password",
                    "--authenticationDatabase",
                    "-f",
                    "--file",
                ],
            );
            let mut js = vals(&o, &["--eval"]);
            if js.is_empty() {
                js.extend(inv.stdin.content.clone());
            }
            for code in js {
                mongo_js(w, inv, &code);
            }
            Flow::bits(flow::OPAQUE)
        }
        "nsupdate" => {
            if inv
                .stdin
                .content
                .as_deref()
                .is_some_and(|c| c.to_ascii_lowercase().contains("delete"))
            {
                w.hit(
                    "shell.cloud-destroy",
                    Deny,
                    "`nsupdate` deletes DNS records".to_owned(),
                    inv,
                );
            } else if inv.stdin.content.is_some() || inv.stdin.bits != 0 {
                w.hit(
                    "shell.deploy",
                    Review,
                    "`nsupdate` changes DNS records".to_owned(),
                    inv,
                );
            }
            Flow::bits(flow::OPAQUE)
        }
        "rake" | "rails" | "gitlab-rake" | "gitlab-backup" | "artisan" | "prisma" | "sequelize"
        | "knex" | "typeorm" | "django-admin" | "flask" | "alembic" | "diesel" | "sqlx"
        | "dbmate" | "migrate" | "flyway" | "liquibase" | "goose" | "atlas" => {
            migrations(w, inv);
            Flow::bits(flow::OPAQUE)
        }
        "etcdctl" => {
            let words: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
            if words.contains(&"del") || words.contains(&"delete") {
                let broad = words.contains(&"--prefix") || words.contains(&"--from-key");
                w.hit(
                    "shell.database-destroy",
                    if broad { Deny } else { Review },
                    "`etcdctl del` deletes keys".to_owned(),
                    inv,
                );
            } else if words.contains(&"snapshot") && words.contains(&"save") {
                w.hit("shell.data-export", Review, "`etcdctl snapshot save` copies the whole cluster state (secrets included) to a file".to_owned(), inv);
            } else if words.contains(&"snapshot") && words.contains(&"restore")
                || words.contains(&"defrag")
                || words.contains(&"compact")
            {
                w.hit(
                    "shell.database-destroy",
                    Review,
                    "`etcdctl` rewrites the cluster's store".to_owned(),
                    inv,
                );
            }
            Flow::bits(flow::OPAQUE)
        }
        "influx"
        | "cqlsh"
        | "rpk"
        | "kafka-topics"
        | "kafka-topics.sh"
        | "kafka-configs"
        | "kafka-consumer-groups"
        | "nats"
        | "rabbitmqctl"
        | "rabbitmqadmin" => {
            let words: Vec<String> = args.iter().map(|a| a.value.to_ascii_lowercase()).collect();
            let has = |s: &str| words.iter().any(|w| w == s);
            if prog == "nats"
                && has("kv")
                && (has("rm") || has("del"))
                && words.iter().filter(|w| !w.starts_with('-')).count() >= 4
            {
                return Some(Flow::bits(flow::OPAQUE));
            }
            if has("--delete")
                || has("delete")
                || has("drop")
                || has("purge")
                || has("--delete-config")
                || has("reset")
                || has("purge_queue")
                || has("delete_queue")
                || has("rm")
            {
                let broad = has("stream")
                    || has("topic")
                    || has("--topic") && !has("--delete-config")
                    || has("bucket")
                    || has("reset")
                    || words
                        .iter()
                        .any(|w| w.contains("drop keyspace") || w.contains("truncate"));
                w.hit(
                    "shell.database-destroy",
                    if broad { Deny } else { Review },
                    format!("`{prog}` deletes data or a data structure"),
                    inv,
                );
            }
            for w2 in args.iter().filter(|a| {
                a.value.to_ascii_lowercase().contains("drop ")
                    || a.value.to_ascii_lowercase().contains("truncate ")
            }) {
                sql(w, inv, &w2.value, Dialect::Generic, prog);
            }
            Flow::bits(flow::OPAQUE)
        }
        _ => return None,
    })
}
