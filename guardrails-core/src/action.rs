//! What the caller is about to run.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An action the caller is about to execute.
///
/// On the wire it is a JSON object tagged by `kind`:
///
/// ```
/// use guardrails_core::{Action, Dialect};
/// let action: Action = serde_json::from_str(r#"{"kind":"sql","dialect":"postgres","text":"DELETE FROM users"}"#)?;
/// assert_eq!(action, Action::sql(Dialect::Postgres, "DELETE FROM users"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
#[non_exhaustive]
pub enum Action {
    /// One or more SQL statements for a database.
    Sql {
        /// The dialect the text is written in; decides how it is lexed. Default `generic`.
        #[serde(default)]
        dialect: Dialect,
        /// The SQL text, possibly several statements.
        text: String,
    },
    /// A shell command line.
    Shell {
        /// The command line as the shell would receive it.
        command: String,
        /// The shell that will run it. Default `bash`.
        #[serde(default)]
        shell: ShellKind,
    },
    /// A program and its arguments, executed without a shell.
    Exec {
        /// `argv[0]` is the program.
        argv: Vec<String>,
    },
    /// A tool call of an agent framework.
    Tool {
        /// The tool's name, e.g. `run_sql`.
        name: String,
        /// The tool's arguments as a JSON object.
        #[serde(default)]
        arguments: serde_json::Value,
    },
}

impl Action {
    /// A SQL action.
    ///
    /// ```
    /// let a = guardrails_core::Action::sql(guardrails_core::Dialect::Mysql, "SELECT 1");
    /// assert_eq!(a.kind_name(), "sql");
    /// ```
    pub fn sql(dialect: Dialect, text: impl Into<String>) -> Self {
        Action::Sql {
            dialect,
            text: text.into(),
        }
    }

    /// A bash command line.
    ///
    /// ```
    /// let a = guardrails_core::Action::shell("ls -la");
    /// assert_eq!(a.kind_name(), "shell");
    /// ```
    pub fn shell(command: impl Into<String>) -> Self {
        Action::Shell {
            command: command.into(),
            shell: ShellKind::Bash,
        }
    }

    /// An argv executed without a shell.
    ///
    /// ```
    /// let a = guardrails_core::Action::exec(["kubectl", "get", "pods"]);
    /// assert_eq!(a.kind_name(), "exec");
    /// ```
    pub fn exec<I, S>(argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Action::Exec {
            argv: argv.into_iter().map(Into::into).collect(),
        }
    }

    /// A tool call.
    ///
    /// ```
    /// let a = guardrails_core::Action::tool("run_sql", serde_json::json!({"query": "SELECT 1"}));
    /// assert_eq!(a.kind_name(), "tool");
    /// ```
    pub fn tool(name: impl Into<String>, arguments: serde_json::Value) -> Self {
        Action::Tool {
            name: name.into(),
            arguments,
        }
    }

    /// The wire name of the action's kind.
    ///
    /// ```
    /// assert_eq!(guardrails_core::Action::shell("true").kind_name(), "shell");
    /// ```
    pub fn kind_name(&self) -> &'static str {
        match self {
            Action::Sql { .. } => "sql",
            Action::Shell { .. } => "shell",
            Action::Exec { .. } => "exec",
            Action::Tool { .. } => "tool",
        }
    }
}

/// SQL dialects the analysis understands.
///
/// ```
/// use guardrails_core::Dialect;
/// assert_eq!("postgresql".parse::<Dialect>(), Ok(Dialect::Postgres));
/// assert_eq!(Dialect::default(), Dialect::Generic);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    Mysql,
    /// SQLite.
    Sqlite,
    /// Microsoft SQL Server (T-SQL).
    Mssql,
    /// Snowflake.
    Snowflake,
    /// Google BigQuery.
    Bigquery,
    /// Unknown or mixed: lexed conservatively (text dangerous under any dialect's lexing is flagged).
    #[default]
    Generic,
}

impl Dialect {
    /// Every dialect, in a stable order.
    pub const ALL: [Dialect; 7] = [
        Dialect::Postgres,
        Dialect::Mysql,
        Dialect::Sqlite,
        Dialect::Mssql,
        Dialect::Snowflake,
        Dialect::Bigquery,
        Dialect::Generic,
    ];

    /// The wire name.
    ///
    /// ```
    /// assert_eq!(guardrails_core::Dialect::Mssql.as_str(), "mssql");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
            Dialect::Mssql => "mssql",
            Dialect::Snowflake => "snowflake",
            Dialect::Bigquery => "bigquery",
            Dialect::Generic => "generic",
        }
    }
}

/// The error of parsing a dialect name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown dialect `{0}`: expected one of postgres, mysql, sqlite, mssql, snowflake, bigquery, generic")]
pub struct UnknownDialect(pub String);

impl std::str::FromStr for Dialect {
    type Err = UnknownDialect;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Dialect::Postgres,
            "mysql" | "mariadb" => Dialect::Mysql,
            "sqlite" | "sqlite3" => Dialect::Sqlite,
            "mssql" | "tsql" | "sqlserver" => Dialect::Mssql,
            "snowflake" => Dialect::Snowflake,
            "bigquery" => Dialect::Bigquery,
            "generic" | "ansi" | "sql" => Dialect::Generic,
            _ => return Err(UnknownDialect(s.to_owned())),
        })
    }
}

/// The shell a command line is written for.
///
/// `powershell` and `cmd` are accepted on the wire but not analysed: they fail closed with
/// `shell.unsupported` instead of being read as bash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ShellKind {
    /// GNU bash (default).
    #[default]
    Bash,
    /// POSIX sh (dash, busybox).
    Sh,
    /// zsh.
    Zsh,
    /// PowerShell: not analysed, fails closed.
    Powershell,
    /// Windows cmd.exe: not analysed, fails closed.
    Cmd,
}

impl ShellKind {
    /// The wire name.
    ///
    /// ```
    /// assert_eq!(guardrails_core::ShellKind::Zsh.as_str(), "zsh");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ShellKind::Bash => "bash",
            ShellKind::Sh => "sh",
            ShellKind::Zsh => "zsh",
            ShellKind::Powershell => "powershell",
            ShellKind::Cmd => "cmd",
        }
    }

    /// Whether the engine analyses command lines of this shell.
    ///
    /// ```
    /// assert!(!guardrails_core::ShellKind::Powershell.is_analysed());
    /// ```
    pub fn is_analysed(self) -> bool {
        matches!(self, ShellKind::Bash | ShellKind::Sh | ShellKind::Zsh)
    }
}
