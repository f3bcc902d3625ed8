//! The JSON contract, implemented once: JSON text in, JSON text out. The CLI, the C ABI and
//! the bindings' JSON entry points call only this module; a binding that walks its language's
//! own values (the Python binding's dicts) feeds them to [`deserialize_action`] and
//! [`deserialize_context`], the same serde types without JSON text.

mod err;
mod vector;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use err::WireError;
pub use vector::{parse_vectors, Expectation, TestVector};

use crate::action::Action;
use crate::context::Context;
use crate::decision::Decision;
use crate::policy::Policy;

/// One request: an action and its context (optional: defaults to production, agent).
///
/// ```
/// let r = guardrails_core::wire::parse_request(r#"{"action":{"kind":"sql","text":"SELECT 1"}}"#)?;
/// assert_eq!(r.action.kind_name(), "sql");
/// # Ok::<(), guardrails_core::wire::WireError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The action.
    pub action: Action,
    /// The context.
    #[serde(default)]
    pub context: Context,
}

/// One line of `guardrails batch` input: a request with an optional id echoed back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchLine {
    /// Any JSON value; echoed in the output line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<serde_json::Value>,
    /// The action.
    pub action: Action,
    /// The context.
    #[serde(default)]
    pub context: Context,
}

/// Maximum JSON nesting accepted on the wire (serde_json's own limit is 128).
pub const MAX_JSON_DEPTH: usize = 128;

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, WireError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(WireError::from_path_error)?;
    de.end().map_err(|e| WireError::syntax(&e))?;
    Ok(value)
}

/// Parses a request `{"action": ..., "context": ...}`.
pub fn parse_request(text: &str) -> Result<Request, WireError> {
    from_json(text)
}

/// Parses one batch line `{"id": ..., "action": ..., "context": ...}`.
///
/// ```
/// let err = guardrails_core::wire::parse_batch_line(r#"{"id":1,"action":{"kind":"sql","txt":"x"}}"#).unwrap_err();
/// assert!(err.to_string().contains("txt"), "{err}");
/// ```
pub fn parse_batch_line(text: &str) -> Result<BatchLine, WireError> {
    from_json(text)
}

/// Parses an action.
pub fn parse_action(text: &str) -> Result<Action, WireError> {
    from_json(text)
}

/// Parses a context.
pub fn parse_context(text: &str) -> Result<Context, WireError> {
    from_json(text)
}

fn from_deserializer<'de, D, T>(de: D) -> Result<T, WireError>
where
    D: serde::Deserializer<'de, Error = serde_json::Error>,
    T: Deserialize<'de>,
{
    serde_path_to_error::deserialize(de).map_err(WireError::from_path_error)
}

/// Deserialises an action from any deserializer of JSON values that reports serde_json's
/// errors: a [`serde_json::Value`], or a binding's walk over its language's own values (which
/// saves writing and parsing JSON text). Validation, messages and field paths are those of
/// [`parse_action`]; the deserializer decides the order fields are seen in (a `Value`'s
/// objects are sorted by key), so when several fields are wrong the one named may differ.
///
/// ```
/// use guardrails_core::wire;
/// use serde_json::json;
/// let a = wire::deserialize_action(json!({"kind": "shell", "command": "ls"}))?;
/// assert_eq!(a.kind_name(), "shell");
/// let e = wire::deserialize_action(json!({"kind": "sql", "txt": "x"})).unwrap_err();
/// assert_eq!(e.to_string(), "unknown field `txt`, expected `dialect` or `text`");
/// # Ok::<(), wire::WireError>(())
/// ```
pub fn deserialize_action<'de, D>(de: D) -> Result<Action, WireError>
where
    D: serde::Deserializer<'de, Error = serde_json::Error>,
{
    from_deserializer(de)
}

/// Deserialises a context from any deserializer of JSON values that reports serde_json's
/// errors, as [`deserialize_action`] does an action; messages and paths are those of
/// [`parse_context`].
///
/// ```
/// use guardrails_core::wire;
/// use serde_json::json;
/// let c = wire::deserialize_context(json!({"environment": "dev"}))?;
/// assert_eq!(c.environment.as_deref(), Some("dev"));
/// let e = wire::deserialize_context(json!({"actor": {"kind": "robot"}})).unwrap_err();
/// assert_eq!(e.path(), "actor.kind");
/// # Ok::<(), wire::WireError>(())
/// ```
pub fn deserialize_context<'de, D>(de: D) -> Result<Context, WireError>
where
    D: serde::Deserializer<'de, Error = serde_json::Error>,
{
    from_deserializer(de)
}

/// The id of a line that failed to parse, when the line is JSON with an `id`.
pub fn salvage_id(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()?
        .get("id")
        .cloned()
}

/// Serialises a decision as JSON text.
///
/// ```
/// use guardrails_core::{evaluate, wire, Action, Context};
/// let json = wire::decision_json(&evaluate(&Action::shell("ls"), &Context::default()));
/// assert!(json.starts_with("{\"verdict\":"));
/// ```
pub fn decision_json(decision: &Decision) -> String {
    serde_json::to_string(decision).unwrap_or_else(|e| {
        format!(
            "{{\"verdict\":\"deny\",\"enforced\":true,\"error\":{}}}",
            serde_json::Value::String(e.to_string())
        )
    })
}

/// The tagged answer of [`evaluate_json`].
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Answer {
    /// The request was evaluated.
    Ok {
        /// The decision.
        decision: Box<Decision>,
    },
    /// The request was not the contract.
    Error {
        /// What was wrong.
        errors: Vec<ErrorDetail>,
    },
}

/// One error of an [`Answer::Error`].
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ErrorDetail {
    /// A lowercase message.
    pub message: String,
    /// The JSON path of the offending field (`action.text`), empty for syntax errors.
    pub path: String,
    /// A stable code: `invalid-json`, `invalid-field`.
    pub code: String,
}

/// Evaluates a JSON request with `policy` and answers with JSON text. Cannot fail.
///
/// ```
/// use guardrails_core::{wire, Policy};
/// let out = wire::evaluate_json(&Policy::builtin(), r#"{"action":{"kind":"sql","dialect":"postgres","text":"TRUNCATE users"}}"#);
/// assert!(out.starts_with(r#"{"type":"ok","decision":{"verdict":"deny""#), "{out}");
/// let bad = wire::evaluate_json(&Policy::builtin(), r#"{"action":{"kind":"sql","text":5}}"#);
/// assert!(bad.contains(r#""path":"action.text""#) || bad.contains(r#""path":"action""#), "{bad}");
/// ```
pub fn evaluate_json(policy: &Policy, request: &str) -> String {
    let answer = match parse_request(request) {
        Ok(r) => Answer::Ok {
            decision: Box::new(policy.evaluate(&r.action, &r.context)),
        },
        Err(e) => Answer::Error {
            errors: vec![ErrorDetail {
                message: e.to_string(),
                path: e.path().to_owned(),
                code: e.code().to_owned(),
            }],
        },
    };
    serde_json::to_string(&answer).unwrap_or_else(|e| format!("{{\"type\":\"error\",\"errors\":[{{\"message\":{},\"path\":\"\",\"code\":\"internal\"}}]}}", serde_json::Value::String(e.to_string())))
}
