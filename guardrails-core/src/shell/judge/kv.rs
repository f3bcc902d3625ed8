//! Key-value and document stores, dumps and migrations.

use super::super::flow::{self, Flow};
use super::super::walk::{Inv, Walker};
use super::Opts;
use crate::finding::Grade::{Deny, Review};

/// Framework and migration tools that drop or reset databases.
pub(crate) fn migrations(w: &mut Walker, inv: &Inv) {
    let prog = inv.program();
    let words: Vec<String> = inv
        .args()
        .iter()
        .map(|a| a.value.to_ascii_lowercase())
        .collect();
    let joined = words.join(" ");
    let destroy = [
        "db:drop",
        "db:reset",
        "db:purge",
        "db:schema:load",
        "db:structure:load",
        "db:migrate:reset",
        "db:wipe",
        "migrate:fresh",
        "migrate:reset",
        "migrate reset",
        "db push --force-reset",
        "--accept-data-loss",
        "db:drop:all",
        "flush",
        "reset_db",
        "sqlflush",
        "backup:restore",
        "gitlab:backup:restore",
        "database reset",
        "downgrade base",
        "clean",
        "drop",
        "down-to 0",
        "reset",
        "schema:drop",
        "migration:revert",
    ];
    let hit = destroy.iter().find(|d| {
        let d = **d;
        joined.split_whitespace().any(|w| w == d)
            || d.contains(' ') && joined.contains(d)
            || d.starts_with("--") && joined.contains(d)
    });
    if let Some(d) = hit {
        let generic_word = matches!(*d, "clean" | "drop" | "reset" | "flush");
        if !generic_word
            || matches!(
                prog,
                "flyway"
                    | "liquibase"
                    | "dbmate"
                    | "migrate"
                    | "goose"
                    | "atlas"
                    | "prisma"
                    | "django-admin"
                    | "diesel"
                    | "sqlx"
            )
            || prog == "artisan"
        {
            w.hit(
                "shell.database-destroy",
                Deny,
                format!("`{prog} {d}` drops or resets a database"),
                inv,
            );
        }
    } else if prog == "gitlab-backup" && words.first().is_some_and(|w| w == "restore") {
        w.hit(
            "shell.database-destroy",
            Deny,
            "`gitlab-backup restore` replaces the instance's data".to_owned(),
            inv,
        );
    }
}

pub(crate) fn dump(w: &mut Walker, inv: &Inv, prog: &str) -> Flow {
    let args = inv.args();
    let schema_only = args.iter().any(|a| {
        matches!(
            a.value.as_str(),
            "-s" | "--schema-only"
                | "--no-data"
                | "-d"
                | "--globals-only"
                | "-g"
                | "--roles-only"
                | "--section=pre-data"
        )
    }) && !(prog == "pg_dump"
        && args
            .iter()
            .any(|a| a.is("-d") && !args.iter().any(|b| b.is("-s"))));
    if schema_only && prog != "mongodump" {
        return Flow::bits(flow::OPAQUE);
    }
    let to_stdout = !args.iter().any(|a| {
        matches!(
            a.value.as_str(),
            "-f" | "--file"
                | "-o"
                | "--out"
                | "--result-file"
                | "-r"
                | "--archive"
                | "--outputdir"
                | "-D"
        ) || a.value.starts_with("--file=")
            || a.value.starts_with("--out=")
            || a.value.starts_with("--result-file=")
            || a.value.starts_with("--archive=")
            || a.value.starts_with("-f") && a.value.len() > 2
    }) || args.iter().any(|a| a.is("--archive"));
    let to_stdout = to_stdout
        && !inv
            .redirs
            .iter()
            .any(|r| r.op.writes() && r.fd.is_none_or(|f| f == 1));
    if !to_stdout || inv.redirs.iter().any(|r| r.op.writes()) {
        w.hit(
            "shell.data-export",
            Review,
            format!("`{prog}` copies a whole database to a file"),
            inv,
        );
        return Flow::bits(flow::OPAQUE);
    }
    Flow::bits(flow::DUMP)
}

pub(crate) fn redis(w: &mut Walker, inv: &Inv) -> Flow {
    let args = inv.args();
    let o = Opts::parse(
        args,
        &[
            "-h",
            "-p",
            "-a",
            "-n",
            "-u",
            "--user",
            "--pass",
            "-s",
            "--pattern",
            "-r",
            "-i",
            "-d",
            "--tls-cert",
            "--tls-key",
            "--cacert",
            "-c",
        ],
    );
    let words: Vec<String> = o.pos.iter().map(|a| a.value.to_ascii_uppercase()).collect();
    let cmd = words.first().map(String::as_str).unwrap_or("");
    let arg1 = words.get(1).map(String::as_str).unwrap_or("");
    let scan = o.has(&[
        "--scan",
        "--bigkeys",
        "--memkeys",
        "--hotkeys",
        "--stat",
        "--latency",
    ]);
    if scan && cmd.is_empty() {
        return Flow {
            bits: flow::OPAQUE,
            content: None,
            paths: None,
        };
    }
    let mut texts: Vec<(String, String)> = vec![(cmd.to_owned(), arg1.to_owned())];
    if cmd.is_empty() {
        if let Some(c) = &inv.stdin.content {
            texts = c
                .lines()
                .map(|l| {
                    let mut it = l.split_whitespace();
                    (
                        it.next().unwrap_or("").to_ascii_uppercase(),
                        it.next().unwrap_or("").to_ascii_uppercase(),
                    )
                })
                .collect();
        }
    }
    for (cmd, arg1) in texts {
        match (cmd.as_str(), arg1.as_str()) {
            ("FLUSHALL" | "FLUSHDB", _) => w.hit(
                "shell.database-destroy",
                Deny,
                format!("`redis-cli {cmd}` deletes every key"),
                inv,
            ),
            ("CONFIG", "SET") => {
                let param = o
                    .pos
                    .get(2)
                    .map_or(String::new(), |a| a.value.to_ascii_lowercase());
                if matches!(param.as_str(), "dir" | "dbfilename" | "appendfilename") {
                    w.hit("shell.privilege-change", Deny, format!("`redis-cli CONFIG SET {param}` makes redis write files where it is told"), inv);
                } else {
                    w.hit("shell.deploy", Review, format!("`redis-cli CONFIG SET {param}` changes the production cache's configuration"), inv);
                }
            }
            ("CONFIG", "RESETSTAT" | "REWRITE") => w.hit(
                "shell.deploy",
                Review,
                "`redis-cli CONFIG` changes the server's configuration".to_owned(),
                inv,
            ),
            ("SHUTDOWN" | "DEBUG", _) => w.hit(
                "shell.system-tamper",
                Deny,
                format!("`redis-cli {cmd}` stops or crashes the server"),
                inv,
            ),
            ("SLAVEOF" | "REPLICAOF", _) => w.hit(
                "shell.database-destroy",
                Deny,
                format!("`redis-cli {cmd}` replaces the data with another server's"),
                inv,
            ),
            ("MODULE", "LOAD") => w.hit(
                "shell.privilege-change",
                Deny,
                "`redis-cli MODULE LOAD` loads native code into the server".to_owned(),
                inv,
            ),
            ("KEYS", _) => w.hit(
                "shell.resource-exhaustion",
                Review,
                "`redis-cli KEYS` blocks the server while it scans every key".to_owned(),
                inv,
            ),
            ("DEL" | "UNLINK", _)
                if o.pos.len() < 2
                    || o.pos
                        .iter()
                        .skip(1)
                        .any(|a| !a.known || a.value.contains('*')) =>
            {
                w.hit(
                    "shell.database-destroy",
                    Review,
                    "`redis-cli DEL` deletes keys chosen by a pattern".to_owned(),
                    inv,
                );
            }
            ("EVAL" | "EVALSHA" | "FUNCTION", _) => w.hit(
                "shell.database-destroy",
                Review,
                "`redis-cli EVAL` runs a script in the server".to_owned(),
                inv,
            ),
            ("MIGRATE" | "SYNC" | "PSYNC", _) => w.hit(
                "shell.data-export",
                Review,
                format!("`redis-cli {cmd}` copies data to another server"),
                inv,
            ),
            ("ACL", "SETUSER" | "DELUSER") => w.hit(
                "shell.privilege-change",
                Review,
                "`redis-cli ACL` changes who can do what".to_owned(),
                inv,
            ),
            _ => {}
        }
    }
    if o.has(&["--rdb", "--functions-rdb"]) {
        w.hit(
            "shell.data-export",
            Review,
            "`redis-cli --rdb` copies the whole dataset to a file".to_owned(),
            inv,
        );
    }
    Flow::bits(flow::OPAQUE)
}

pub(crate) fn mongo_js(w: &mut Walker, inv: &Inv, code: &str) {
    let c: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let destroy = [
        "dropDatabase(",
        ".drop()",
        "deleteMany({})",
        "remove({})",
        "deleteMany()",
        "dropAllUsers(",
        "dropUser(",
        "dropIndexes(",
    ];
    if destroy.iter().any(|d| c.contains(d)) {
        w.hit(
            "shell.database-destroy",
            Deny,
            "`mongosh --eval` drops a database or collection, or deletes every document".to_owned(),
            inv,
        );
    } else if [
        "deleteMany(",
        "remove(",
        "updateMany(",
        "renameCollection(",
        "findOneAndDelete(",
    ]
    .iter()
    .any(|d| c.contains(d))
    {
        w.hit(
            "shell.database-destroy",
            Review,
            "`mongosh --eval` deletes or rewrites documents".to_owned(),
            inv,
        );
    } else if c.contains("createUser(")
        || c.contains("grantRolesToUser(")
        || c.contains("updateUser(")
    {
        w.hit(
            "shell.privilege-change",
            Review,
            "`mongosh --eval` creates a user or grants a role".to_owned(),
            inv,
        );
    } else if c.contains("shutdownServer(") {
        w.hit(
            "shell.system-tamper",
            Deny,
            "`mongosh --eval` stops the database server".to_owned(),
            inv,
        );
    }
}
