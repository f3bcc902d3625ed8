//! Python binding of Access Guardrails: the native module `access_guardrails._native`.
//!
//! Thin by design: each entry point converts its arguments, makes one call into
//! `guardrails_core`, and converts the result. Dicts cross as JSON text through
//! `guardrails_core::wire` (so messages and field paths are the core's); the typed helpers
//! (`Sql`, `Shell`, `Exec`, `Tool`, `Context`) hold core values and cross without conversion.
//! Every entry point runs inside `errors::guard`, so a Rust panic becomes `InternalError`, never a
//! `PanicException`.

mod errors;
mod types;

use std::borrow::Cow;

use guardrails_core as gc;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::errors::{guard, input_error, py_json_dumps};
use crate::types::{Decision, Finding, PyAction, PyContext};

/// Inputs at least this long (bytes of SQL or shell text, or of a dict's JSON) are evaluated
/// with the GIL released. Below it, releasing and re-taking the GIL costs more than it gives
/// (see `benches/README.md`, section "Python").
const DETACH_BYTES: usize = 16 * 1024;

/// A compiled policy. Immutable and safe to share between threads.
///
/// `Policy.builtin()` protects production out of the box. Policy documents
/// (`Policy.from_toml`, `Policy.from_json`, `Policy.from_path`) load a refined policy.
#[pyclass(frozen, module = "access_guardrails", name = "Policy")]
#[derive(Debug)]
struct PyPolicy {
    inner: gc::Policy,
}

/// An action argument: borrowed from a typed helper, or parsed from a dict.
fn extract_action<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<(Cow<'a, gc::Action>, usize)> {
    if let Ok(typed) = obj.cast::<PyAction>() {
        let action = &typed.get().action;
        return Ok((Cow::Borrowed(action), typed.get().size));
    }
    if obj.is_instance_of::<PyDict>() {
        let text = py_json_dumps(obj, "action")?;
        return match gc::wire::parse_action(&text) {
            Ok(a) => Ok((Cow::Owned(a), text.len())),
            Err(e) => Err(input_error(obj.py(), &e.to_string(), e.path(), e.code())),
        };
    }
    Err(wrong_type(
        obj,
        "action",
        "a dict or an action (`Sql`, `Shell`, `Exec`, `Tool`)",
    ))
}

/// A context argument: `None` (production, agent), a `Context`, or a dict.
fn extract_context<'a>(obj: Option<&'a Bound<'_, PyAny>>) -> PyResult<Cow<'a, gc::Context>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Cow::Owned(gc::Context::default()));
    };
    if let Ok(typed) = obj.cast::<PyContext>() {
        return Ok(Cow::Borrowed(&typed.get().context));
    }
    if obj.is_instance_of::<PyDict>() {
        let text = py_json_dumps(obj, "context")?;
        return gc::wire::parse_context(&text)
            .map(Cow::Owned)
            .map_err(|e| input_error(obj.py(), &e.to_string(), e.path(), e.code()));
    }
    Err(wrong_type(obj, "context", "`None`, a dict or a `Context`"))
}

fn wrong_type(obj: &Bound<'_, PyAny>, what: &str, expected: &str) -> PyErr {
    let got = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    input_error(
        obj.py(),
        &format!("`{what}`: expected {expected}, got `{got}`"),
        what,
        "invalid-type",
    )
}

fn evaluate_one(
    py: Python<'_>,
    policy: &gc::Policy,
    action: &Bound<'_, PyAny>,
    context: Option<&Bound<'_, PyAny>>,
) -> PyResult<Decision> {
    guard(py, || {
        let (action, size) = extract_action(action)?;
        let context = extract_context(context)?;
        let decision = if size >= DETACH_BYTES {
            py.detach(|| policy.evaluate(&action, &context))
        } else {
            policy.evaluate(&action, &context)
        };
        Ok(Decision::from(decision))
    })
}

#[pymethods]
impl PyPolicy {
    /// The built-in policy: protects production out of the box (deny destructive and
    /// breakout actions of agents in production, relax destructive rules where data is cheap).
    #[staticmethod]
    fn builtin() -> Self {
        PyPolicy {
            inner: gc::Policy::builtin(),
        }
    }

    /// This policy in monitor mode: the same decisions, marked `enforced = False`.
    fn monitor(&self) -> Self {
        PyPolicy {
            inner: self.inner.monitor(),
        }
    }

    /// `"enforce"` or `"monitor"`.
    #[getter]
    fn mode(&self) -> &'static str {
        match self.inner.mode() {
            gc::Mode::Enforce => "enforce",
            gc::Mode::Monitor => "monitor",
        }
    }

    /// BLAKE3 digest (hex) of the compiled policy; every decision carries it.
    #[getter]
    fn digest(&self) -> &str {
        self.inner.digest()
    }

    /// Decides an action in a context. Never fails open: text that cannot be understood is a
    /// finding with a fail-closed verdict.
    ///
    /// `action` is a dict of the JSON contract (`{"kind": "sql", "dialect": "postgres",
    /// "text": "..."}`) or a typed helper (`Sql`, `Shell`, `Exec`, `Tool`); `context` is
    /// `None` (production, agent), a dict or a `Context`. Raises `InputError` when the action
    /// or context is not the contract.
    #[pyo3(signature = (action, context = None))]
    fn evaluate(
        &self,
        py: Python<'_>,
        action: &Bound<'_, PyAny>,
        context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Decision> {
        evaluate_one(py, &self.inner, action, context)
    }

    /// Decides many actions in one context, with the GIL released while the core works.
    /// Returns the decisions in input order. Raises `InputError` (naming the index) for the
    /// first action that is not the contract, before anything is evaluated.
    #[pyo3(signature = (actions, context = None))]
    fn evaluate_many(
        &self,
        py: Python<'_>,
        actions: &Bound<'_, PyAny>,
        context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Decision>> {
        guard(py, || {
            let items: Vec<Bound<'_, PyAny>> = actions
                .try_iter()
                .map_err(|_| wrong_type(actions, "actions", "an iterable of actions"))?
                .collect::<PyResult<_>>()?;
            let mut parsed = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let (action, _) = extract_action(item).map_err(|e| errors::at_index(py, e, i))?;
                parsed.push(action);
            }
            let context = extract_context(context)?;
            let policy = &self.inner;
            let decisions: Vec<gc::Decision> = py.detach(|| {
                parsed
                    .iter()
                    .map(|a| policy.evaluate(a, &context))
                    .collect()
            });
            Ok(decisions.into_iter().map(Decision::from).collect())
        })
    }

    /// The JSON entry point: a request `{"action": ..., "context": ...}` as JSON text in, the
    /// tagged answer `{"type": "ok", "decision": ...}` or `{"type": "error", "errors": [...]}`
    /// as JSON text out. Never raises for bad input: errors are in the answer.
    fn evaluate_json(&self, py: Python<'_>, request: &Bound<'_, PyString>) -> PyResult<String> {
        guard(py, || {
            let text = request.to_cow()?;
            let policy = &self.inner;
            if text.len() >= DETACH_BYTES {
                Ok(py.detach(|| gc::wire::evaluate_json(policy, &text)))
            } else {
                Ok(gc::wire::evaluate_json(policy, &text))
            }
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Policy(mode='{}', digest='{}')",
            self.mode(),
            self.inner.digest()
        )
    }
}

/// Decides an action in a context with the built-in policy (see `Policy.evaluate`).
///
/// >>> from access_guardrails import evaluate, Verdict
/// >>> d = evaluate({"kind": "sql", "dialect": "postgres", "text": "DELETE FROM users"})
/// >>> d.verdict is Verdict.DENY, d.findings[0].rule
/// (True, 'sql.delete-without-where')
///
/// `action` is a dict of the JSON contract or a typed helper (`Sql`, `Shell`, `Exec`, `Tool`);
/// `context` is `None` (production, agent), a dict or a `Context`. Raises `InputError` when
/// they are not the contract. Never fails open.
#[pyfunction]
#[pyo3(signature = (action, context = None))]
fn evaluate(
    py: Python<'_>,
    action: &Bound<'_, PyAny>,
    context: Option<&Bound<'_, PyAny>>,
) -> PyResult<Decision> {
    evaluate_one(py, &gc::Policy::builtin(), action, context)
}

/// Test hook: panics inside the panic guard, to prove that a Rust panic reaches Python as
/// `InternalError` (never `PanicException`). Not part of the API.
#[pyfunction]
fn _force_panic(py: Python<'_>) -> PyResult<()> {
    guard(py, || -> PyResult<()> {
        #[expect(clippy::panic, reason = "the test hook must panic")]
        {
            panic!("forced panic for the test suite")
        }
    })
}

/// Test hook: the same as `_force_panic`, with the GIL released when the panic happens.
#[pyfunction]
fn _force_panic_detached(py: Python<'_>) -> PyResult<()> {
    guard(py, || -> PyResult<()> {
        py.detach(|| {
            #[expect(clippy::panic, reason = "the test hook must panic")]
            {
                panic!("forced panic without the GIL")
            }
        })
    })
}

/// The native module. The package `access_guardrails` re-exports it.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DETACH_BYTES", DETACH_BYTES)?;
    m.add_class::<PyPolicy>()?;
    m.add_class::<Decision>()?;
    m.add_class::<Finding>()?;
    types::register(m)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(_force_panic, m)?)?;
    m.add_function(wrap_pyfunction!(_force_panic_detached, m)?)?;
    Ok(())
}
