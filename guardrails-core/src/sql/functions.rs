//! Functions and procedures whose call alone is dangerous, found on the tokens of any
//! statement (parsed or not): `name (` in code position, never inside a literal or comment.

use sqlparser::tokenizer::Token;

use super::lex::Tok;
use crate::finding::Grade;

/// What calling a function does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Effect {
    File,
    Program,
    Exfiltration,
    HiddenLoopback,
    Maintenance,
    KillSession,
    Shutdown,
}

impl Effect {
    pub(crate) fn rule(self) -> &'static str {
        match self {
            Effect::File => "sql.file-access",
            Effect::Program => "sql.program-execution",
            Effect::Exfiltration => "sql.exfiltration",
            Effect::HiddenLoopback => "sql.hidden-code",
            Effect::Maintenance | Effect::KillSession | Effect::Shutdown => {
                "sql.lock-or-maintenance"
            }
        }
    }

    pub(crate) fn grade(self) -> Grade {
        match self {
            Effect::Maintenance | Effect::KillSession => Grade::Review,
            _ => Grade::Deny,
        }
    }
}

/// Dangerous functions by lower-case name (the last part of a qualified name).
pub(crate) fn effect_of(name: &str) -> Option<Effect> {
    let n = name.to_ascii_lowercase();
    Some(match n.as_str() {
        "pg_read_file"
        | "pg_read_binary_file"
        | "pg_ls_dir"
        | "pg_stat_file"
        | "pg_ls_logdir"
        | "pg_ls_waldir"
        | "pg_ls_tmpdir"
        | "pg_ls_archive_statusdir"
        | "lo_import"
        | "lo_export"
        | "pg_file_write"
        | "pg_file_rename"
        | "pg_file_unlink"
        | "load_file"
        | "readfile"
        | "writefile"
        | "openrowset"
        | "opendatasource"
        | "xp_dirtree"
        | "xp_fileexist"
        | "xp_subdirs"
        | "fsync_file"
        | "pg_logdir_ls" => {
            if matches!(n.as_str(), "xp_dirtree" | "xp_fileexist" | "xp_subdirs") {
                Effect::Exfiltration
            } else {
                Effect::File
            }
        }
        "load_extension"
        | "xp_cmdshell"
        | "sp_oacreate"
        | "sp_oamethod"
        | "sp_execute_external_script"
        | "sys_exec"
        | "sys_eval"
        | "lo_compat_privileges"
        | "pg_execute_server_program"
        | "shell"
        | "system"
        | "edit" => Effect::Program,
        "dblink"
        | "dblink_connect"
        | "dblink_connect_u"
        | "dblink_send_query"
        | "dblink_open"
        | "utl_http.request"
        | "utl_inaddr.get_host_address"
        | "openquery"
        | "xp_sendmail"
        | "sp_send_dbmail"
        | "http_get"
        | "http_post"
        | "sys.fn_xe_file_target_read_file" => Effect::Exfiltration,
        "dblink_exec" => Effect::HiddenLoopback,
        "setval" | "pg_stat_reset" | "pg_stat_statements_reset" => Effect::Maintenance,
        "pg_terminate_backend" | "pg_cancel_backend" => Effect::KillSession,
        "pg_promote" | "pg_reload_conf" | "pg_rotate_logfile" | "pg_switch_wal" => Effect::Shutdown,
        _ => return None,
    })
}

/// A dangerous call found in the tokens.
#[derive(Debug)]
pub(crate) struct Call {
    pub name: String,
    pub effect: Effect,
    pub span: (usize, usize),
}

/// Finds `name(` calls of dangerous functions. Also catches `EXEC[UTE] name` of the extended
/// procedures (`xp_cmdshell`, `sp_oacreate`, ...), which are called without parentheses.
pub(crate) fn dangerous_calls(toks: &[Tok]) -> Vec<Call> {
    let mut calls = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let Some(name) = t.ident() else { continue };
        let followed_by_paren = matches!(toks.get(i + 1).map(|n| &n.token), Some(Token::LParen));
        let after_exec = i > 0
            && (toks.get(i - 1).is_some_and(|p| {
                p.is("EXEC") || p.is("EXECUTE") || matches!(p.token, Token::Period)
            }))
            && name.to_ascii_lowercase().starts_with(['x', 's']);
        if !(followed_by_paren || after_exec) {
            continue;
        }
        // `shell(`, `system(` and `edit(` are only dangerous as SQLite fileio / CLI helpers;
        // require that they are not a column of the same name (a call needs the paren).
        if matches!(
            name.to_ascii_lowercase().as_str(),
            "shell" | "system" | "edit"
        ) && !followed_by_paren
        {
            continue;
        }
        // Column definitions (`CREATE TABLE t (system varchar)`) are not calls: a name right
        // after `(` or `,` followed by `(` is a type, not handled here.
        if let Some(effect) = effect_of(name) {
            calls.push(Call {
                name: name.to_owned(),
                effect,
                span: t.span,
            });
        }
    }
    calls
}
