//! What an action does, independent of any policy.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::finding::Span;

/// What an action does: its statements (SQL), commands (shell, exec) or tool mapping.
///
/// ```
/// use guardrails_core::{evaluate, Action, Context, Dialect, Operation};
/// let d = evaluate(&Action::sql(Dialect::Postgres, "SELECT 1; DELETE FROM t WHERE id = 1"), &Context::default());
/// assert_eq!(d.intent.statements.len(), 2);
/// assert_eq!(d.intent.statements[1].operation, Operation::Write);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Intent {
    /// SQL statements, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<StatementIntent>,
    /// Shell or exec commands, in order (outer commands first, unwrapped ones after).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<crate::shell::CommandIntent>,
    /// How a tool call was mapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<ToolIntent>,
}

/// The class of a SQL statement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Operation {
    /// Reads data.
    Read,
    /// Writes data.
    Write,
    /// Defines or changes schema.
    Ddl,
    /// Changes privileges.
    Dcl,
    /// Transaction control.
    Tcl,
    /// Administration, maintenance, session settings.
    Admin,
    /// Not known.
    #[default]
    Unknown,
}

/// How an object is touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Access {
    /// Read from.
    Read,
    /// Written to (rows inserted, updated, deleted).
    Write,
    /// Created.
    Create,
    /// Altered.
    Alter,
    /// Dropped or emptied.
    Drop,
}

/// An object a statement touches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectRef {
    /// The name with quotes resolved, schema-qualified when the statement qualifies it.
    pub name: String,
    /// How it is touched.
    pub access: Access,
}

/// The scope of a DELETE/UPDATE/MERGE predicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Filter {
    /// No predicate at all.
    None,
    /// True for every row.
    Tautology,
    /// Matches no row.
    Nothing,
    /// A key lookup (or the children of one parent).
    Key,
    /// A real predicate that may match many rows.
    Broad,
}

/// What one SQL statement does.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementIntent {
    /// Index among the input's statements.
    pub index: usize,
    /// Byte range in the original text.
    pub span: Span,
    /// The statement kind, e.g. `select`, `delete`, `drop table`, `grant`.
    pub kind: String,
    /// Its class.
    pub operation: Operation,
    /// Whether the SQL parser read it (`false`: judged from its tokens).
    pub parsed: bool,
    /// Objects read, written, created, altered or dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ObjectRef>,
    /// The scope of the WHERE of a DELETE/UPDATE/MERGE, or of a query's first SELECT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    /// LIMIT/TOP/FETCH row count, when constant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Whether it has RETURNING/OUTPUT.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub returning: bool,
    /// Functions called, lower-case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<String>,
    /// Output columns of a query and the source columns each derives from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<OutputColumn>,
    /// Columns used in predicates, grouping, ordering or aggregates (for masked-column probes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub column_uses: Vec<ColumnUse>,
    /// Statements nested inside (writable CTEs, EXPLAIN ANALYZE, dynamic SQL bodies).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nested: Vec<StatementIntent>,
}

/// How a tool call was mapped to an inner action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolIntent {
    /// The tool's name.
    pub name: String,
    /// The inner action's kind (`sql`, `shell`, `exec`), if the call was mapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapped_to: Option<String>,
    /// The argument the inner action was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argument: Option<String>,
}

/// An output column of a query with its lineage.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputColumn {
    /// The output column's name (alias, or the column name, or `?column?`).
    pub name: String,
    /// Its 0-based position.
    pub position: usize,
    /// Source columns it derives from, `table.column` (lower-case, table resolved from aliases).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Whether it is `*` (or `t.*`) of the named table, expanded later from a catalogue.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wildcard: bool,
}

/// A use of a column outside the projection that can reveal its values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnUse {
    /// `table.column`, lower-case.
    pub column: String,
    /// How it is used: `like`, `range`, `equality`, `group-by`, `order-by`, `aggregate`.
    pub usage: String,
    /// Byte span in the original text, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}
