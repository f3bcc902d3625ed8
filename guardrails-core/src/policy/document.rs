//! The policy document: serde types shared by TOML and JSON, and the source of the published
//! JSON Schema (`policy.schema.json`). Field names are `snake_case`; every table rejects
//! unknown fields.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{DeserializeOwned, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::action::Dialect;
use crate::context::{ActorKind, Context};
use crate::intent::{Access, Filter, Operation};
use crate::policy::Mode;
use crate::verdict::{Severity, Verdict};

/// A policy document, version 1.
///
/// ```
/// use guardrails_core::policy::PolicyDocument;
/// let doc: PolicyDocument = toml::from_str("version = 1\nmode = \"monitor\"")?;
/// assert_eq!(doc.version, 1);
/// # Ok::<(), toml::de::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Access Guardrails policy document",
    description = "A policy document (TOML or JSON), version 1: refines the built-in policy with changes to built-in rules, its own rules, tool mappings, approvers and a sensitive data catalogue."
)]
pub struct PolicyDocument {
    /// The format version; `1`.
    pub version: u32,
    /// The policy this one refines: `builtin` (default) or `none` (only this document's rules,
    /// plus the fail-closed rules for input that cannot be read).
    #[serde(default)]
    pub extends: Extends,
    /// `enforce` (default) or `monitor` (same decisions, `enforced: false`).
    #[serde(default)]
    pub mode: Mode,
    /// The verdict for actions no rule of this document matched and no built-in finding
    /// raised: `allow` (default) or `review` (allowlist-first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Verdict>,
    /// Hex of 32 bytes: keys the action fingerprints of this policy's decisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint_key: Option<String>,
    /// Default verdicts for scopes; the first whose scope matches replaces `default`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub defaults: Vec<DefaultDoc>,
    /// Changes to built-in rules: disable, change verdict or severity, within a scope.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builtin: Vec<OverrideDoc>,
    /// This document's own rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleDoc>,
    /// How tool calls map to inner actions; replaces the built-in guesses for the tools named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolDoc>,
    /// Keys of the people allowed to approve reviews.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<ApproverDoc>,
    /// The sensitive data catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<CatalogueDoc>,
}

/// What a document extends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Extends {
    /// The built-in policy (default).
    #[default]
    Builtin,
    /// Nothing: only the document's rules and the fail-closed rules apply.
    None,
}

/// A default verdict for a scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultDoc {
    /// Where this default applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<ScopeDoc>,
    /// The verdict for unmatched actions there.
    pub verdict: Verdict,
}

/// Where a rule, an override or a default applies. Every field narrows; a missing field does
/// not. Fields take one value or a list (any of them).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeDoc {
    /// Environment classes (`production`, `staging`, `development`, `test`) or environment
    /// name globs (`eu-prod-*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<OneOrMany<String>>,
    /// Actor kinds: `human`, `agent`, `ci`, `service`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_kind: Option<OneOrMany<ActorKind>>,
    /// Actor id globs (`*-bot`, `alice@example.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<OneOrMany<String>>,
    /// Roles: the actor holds any of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<OneOrMany<String>>,
    /// Roles: the actor holds all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles_all: Option<OneOrMany<String>>,
    /// Origin globs (`langchain`, `claude-code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<OneOrMany<String>>,
    /// Resource globs (`pg-main`, `k8s-prod-*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<OneOrMany<String>>,
    /// Labels: each named label must be present and match one of the globs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, OneOrMany<String>>>,
}

/// A change to built-in rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideDoc {
    /// A built-in rule id, or a glob over them (`shell.*`).
    pub rule: String,
    /// Drop the rule's findings in the scope.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disable: bool,
    /// The verdict the rule's findings get in the scope (instead of the built-in matrix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// The severity the rule's findings get in the scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Where the change applies (everywhere when missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<ScopeDoc>,
    /// Actions the rule must fire on (checked when the document loads).
    #[serde(default, rename = "match", skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<ExampleDoc>,
    /// Actions the rule must not fire on (checked when the document loads).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_match: Vec<ExampleDoc>,
}

/// A rule of the document. Matchers (`sql`, `shell`, `tool`, `text`) all must match; at least
/// one is required.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    /// A unique id; reported as the finding's rule.
    pub id: String,
    /// What the rule is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The verdict when it matches: `allow` marks the action as known (no default applies),
    /// `review` or `deny` raise the decision.
    pub verdict: Verdict,
    /// The severity of its findings (default: by verdict).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The finding's message (default: the description, or the rule id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Where the rule applies (everywhere when missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<ScopeDoc>,
    /// Matches SQL statements by what they do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<SqlMatchDoc>,
    /// Matches shell and exec commands by program, subcommand, flags, paths and hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<ShellMatchDoc>,
    /// Matches tool calls by name and argument values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<ToolMatchDoc>,
    /// Last resort: a regular expression over the normalised text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<TextMatchDoc>,
    /// Actions the rule must match (checked when the document loads).
    #[serde(default, rename = "match", skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<ExampleDoc>,
    /// Actions the rule must not match (checked when the document loads).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_match: Vec<ExampleDoc>,
}

/// SQL matcher: a statement (or a statement nested in it) matches when every given field
/// matches.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlMatchDoc {
    /// Operation classes: `read`, `write`, `ddl`, `dcl`, `tcl`, `admin`, `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<OneOrMany<Operation>>,
    /// Statement kind globs (`delete`, `drop *`, `alter table`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<OneOrMany<String>>,
    /// Object name globs (`public.users`, `*.audit_*`); an unqualified name in the statement
    /// also matches a qualified pattern with the same last part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<OneOrMany<String>>,
    /// How the matched objects are touched: `read`, `write`, `create`, `alter`, `drop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<OneOrMany<Access>>,
    /// Column globs (`users.ssn`, `*.password*`), from output lineage and predicate uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<OneOrMany<String>>,
    /// Function name globs (`pg_sleep`, `dblink*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functions: Option<OneOrMany<String>>,
    /// Scope of the WHERE of a write: `none`, `tautology`, `nothing`, `key`, `broad`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<OneOrMany<Filter>>,
    /// The dialect string examples are written in (default `generic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<Dialect>,
}

/// Shell and exec matcher: a command matches when every given field matches.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShellMatchDoc {
    /// Program name globs (base names: `kubectl`, `terraform`, `python*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<OneOrMany<String>>,
    /// Subcommands: the first arguments that are not flags, space-separated (`delete`,
    /// `stash drop`); globs per word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcommand: Option<OneOrMany<String>>,
    /// Flags, any of which must be present (`--force`, `-f`; `-f` also matches inside `-rf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<OneOrMany<String>>,
    /// Path globs any argument must match (`/etc/**`, `**/.env`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<OneOrMany<String>>,
    /// Host globs for network targets in arguments (URLs, `user@host`, `host:path`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosts: Option<OneOrMany<String>>,
}

/// Tool-call matcher.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolMatchDoc {
    /// Tool name globs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<OneOrMany<String>>,
    /// Argument paths (`env`, `target.cluster`, `items[0]`) and the globs their value must match
    /// (numbers and booleans are matched as their JSON text).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub arguments: BTreeMap<String, OneOrMany<String>>,
}

/// Text matcher: a last resort when no structured matcher says it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TextMatchDoc {
    /// A regular expression (Rust `regex` syntax) searched in the normalised text: SQL with
    /// keywords upper-cased, comments and extra spaces removed, secrets replaced.
    pub regex: String,
}

/// How a tool's calls map to an inner action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolDoc {
    /// Tool name globs.
    pub name: OneOrMany<String>,
    /// The inner action: `sql`, `shell`, `exec` or `none` (the tool runs no command).
    pub kind: ToolKindDoc,
    /// Where the command is: an argument path (`query`, `input.sql`; a leading `arguments.`
    /// is allowed). Required unless `kind = "none"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argument: Option<String>,
    /// The SQL dialect (for `kind = "sql"`; default `generic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<Dialect>,
}

/// Inner action kinds of a tool mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ToolKindDoc {
    /// SQL text.
    Sql,
    /// A shell command line (a string or a list of strings).
    Shell,
    /// An argv (a list of strings).
    Exec,
    /// No command: the call is judged by the document's rules only.
    None,
}

/// An approver and their key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproverDoc {
    /// The approver's id, as in approvals.
    pub id: String,
    /// Hex of 32 bytes: the BLAKE3 MAC key of their approvals.
    pub key: String,
}

/// The sensitive data catalogue.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueDoc {
    /// Tables and columns, and their tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<SensitiveDoc>,
    /// The masking strategy per tag (`pii.email = "partial"`); tags not named use `redact`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub strategies: BTreeMap<String, String>,
    /// Who sees some tags unmasked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exemptions: Vec<ExemptionDoc>,
}

/// Sensitive columns of tables.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SensitiveDoc {
    /// Table name glob (`public.users`, `*.customers`).
    pub table: String,
    /// Column globs; `*` (default) is every column.
    #[serde(default = "every_column")]
    pub columns: OneOrMany<String>,
    /// Tags (`pii.email`, `secret`, `pci.pan`).
    pub tags: OneOrMany<String>,
}

fn every_column() -> OneOrMany<String> {
    OneOrMany(vec!["*".to_owned()])
}

/// An exemption from masking and from catalogue bulk-read findings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExemptionDoc {
    /// Tag globs the exemption covers (`pii.*`).
    pub tags: OneOrMany<String>,
    /// Roles: an actor holding any of them is exempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<OneOrMany<String>>,
    /// Actor id globs that are exempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actors: Option<OneOrMany<String>>,
}

/// An example action of a rule: a string (read as the rule's kind: SQL for `sql` rules, a
/// command line for `shell` rules) or a table naming the action.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ExampleDoc {
    /// Text read as the rule's kind of action.
    Text(String),
    /// An explicit action, optionally with a context.
    Action(Box<ExampleAction>),
}

/// An explicit example action. Exactly one of `sql`, `shell`, `argv`, `tool` is given.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExampleAction {
    /// SQL text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// The dialect of `sql`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<Dialect>,
    /// A shell command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<String>,
    /// An argv.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argv: Option<Vec<String>>,
    /// A tool name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// The tool's arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<serde_json::Value>,
    /// A context: when given, the rule's scope is checked too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
}

impl<'de> Deserialize<'de> for ExampleDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ExampleDoc;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a table with `sql`, `shell`, `argv` or `tool`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ExampleDoc, E> {
                Ok(ExampleDoc::Text(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ExampleDoc, A::Error> {
                ExampleAction::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|a| ExampleDoc::Action(Box::new(a)))
            }
        }
        d.deserialize_any(V)
    }
}

/// One value or a list of values.
///
/// ```
/// use guardrails_core::policy::{OneOrMany, ScopeDoc};
/// let s: ScopeDoc = toml::from_str("environment = \"production\"\nactor = [\"a\", \"b\"]")?;
/// assert_eq!(s.environment, Some(OneOrMany(vec!["production".to_owned()])));
/// # Ok::<(), toml::de::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<T> OneOrMany<T> {
    /// The values.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: DeserializeOwned> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany<T>, E> {
                let one: T = T::deserialize(v.into_deserializer())?;
                Ok(OneOrMany(vec![one]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<T>()? {
                    out.push(v);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<T: JsonSchema> JsonSchema for OneOrMany<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("OneOrMany_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let one = generator.subschema_for::<T>();
        schemars::json_schema!({
            "anyOf": [one, {"type": "array", "items": one}]
        })
    }
}
