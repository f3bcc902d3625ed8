//! Python binding of Access Guardrails: the native module `access_guardrails._native`.
//!
//! Thin by design: each entry point converts its arguments, makes one call into
//! `guardrails_core`, and converts the result. Action and context dicts are walked straight
//! into the core's wire types (`pyde`: no JSON text; messages and field paths are the core's);
//! the typed helpers (`Sql`, `Shell`, `Exec`, `Tool`, `Context`) hold core values and cross
//! without conversion.
//! Every entry point runs inside `errors::guard`, so a Rust panic becomes `InternalError`, never a
//! `PanicException`.

mod audit;
mod errors;
mod mask;
mod pyde;
mod types;

/// The allocator of the extension's Rust code (Python's own objects are untouched). An
/// evaluation makes 30–150 small allocations (sqlparser's tree and tokens own their strings),
/// and glibc's malloc and free are ~25% of its instructions; with mimalloc a short `SELECT`
/// decides ~15% faster and a `DROP` ~7%. A final artifact may choose its allocator; the core
/// library does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::borrow::Cow;
use std::path::PathBuf;

use guardrails_core as gc;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::errors::{from_policy_error, guard, input_error};
use crate::mask::PyMasker;
use crate::types::{list_json, Decision, Finding, PyAction, PyContext};

/// Inputs at least this long (bytes of SQL or shell text, or of a dict as JSON, estimated by
/// `pyde`) are evaluated with the GIL released. Below it, releasing and re-taking the GIL costs
/// more than it gives (see `benches/README.md`, section "Python").
pub(crate) const DETACH_BYTES: usize = 16 * 1024;

/// A compiled policy. Immutable and safe to share between threads.
///
/// `Policy.builtin()` protects production out of the box. Policy documents
/// (`Policy.from_toml`, `Policy.from_json`, `Policy.from_path`; see `docs/policy.md`) refine
/// it: scoped changes of built-in rules, custom rules, defaults, tool mappings, a sensitive
/// data catalogue, approvers, monitor mode.
///
/// >>> p = Policy.from_toml('''
/// ... version = 1
/// ... [[rules]]
/// ... id = "no-sleep"
/// ... verdict = "deny"
/// ... sql = { functions = ["pg_sleep*"] }
/// ... ''')
/// >>> d = p.evaluate(Sql("SELECT 1 FROM t WHERE pg_sleep(5) IS NULL", dialect="postgres"))
/// >>> d.verdict, "no-sleep" in d.rules
/// (<Verdict.DENY: 'deny'>, True)
#[pyclass(frozen, module = "access_guardrails", name = "Policy")]
#[derive(Debug)]
struct PyPolicy {
    inner: gc::Policy,
}

/// An action argument: borrowed from a typed helper, or parsed from a dict.
pub(crate) fn extract_action<'a>(
    obj: &'a Bound<'_, PyAny>,
) -> PyResult<(Cow<'a, gc::Action>, usize)> {
    if let Ok(typed) = obj.cast::<PyAction>() {
        let action = &typed.get().action;
        return Ok((Cow::Borrowed(action), typed.get().size));
    }
    if obj.is_instance_of::<PyDict>() {
        return pyde::action(obj).map(|(a, size)| (Cow::Owned(a), size));
    }
    Err(wrong_type(
        obj,
        "action",
        "a dict or an action (`Sql`, `Shell`, `Exec`, `Tool`)",
    ))
}

/// A context argument: `None` (production, agent), a `Context`, or a dict.
pub(crate) fn extract_context<'a>(
    obj: Option<&'a Bound<'_, PyAny>>,
) -> PyResult<Cow<'a, gc::Context>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        // Built once: a default context owns strings, and most calls pass none.
        static DEFAULT: std::sync::OnceLock<gc::Context> = std::sync::OnceLock::new();
        return Ok(Cow::Borrowed(DEFAULT.get_or_init(gc::Context::default)));
    };
    if let Ok(typed) = obj.cast::<PyContext>() {
        return Ok(Cow::Borrowed(&typed.get().context));
    }
    if obj.is_instance_of::<PyDict>() {
        return pyde::context(obj).map(Cow::Owned);
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

    /// Loads a policy document written in TOML. Raises `PolicyError` (with `line`, `column`,
    /// `field` and `help`) when it cannot; the examples a document gives its rules are run.
    ///
    /// >>> Policy.from_toml('version = 1\nmode = "monitor"\n').mode
    /// 'monitor'
    /// >>> try:
    /// ...     Policy.from_toml("version = 1\n[[builtin]]\nrule = 'sql.drop'\nverdict = 'reveiw'\n")
    /// ... except PolicyError as e:
    /// ...     (e.line, e.field)
    /// (4, 'builtin[0].verdict')
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Self> {
        guard(py, || {
            let text = text.to_cow()?;
            gc::Policy::from_toml(&text)
                .map(|inner| PyPolicy { inner })
                .map_err(|e| from_policy_error(py, &e))
        })
    }

    /// Loads a policy document written in JSON (the same schema as TOML). Raises
    /// `PolicyError`.
    ///
    /// >>> Policy.from_json('{"version": 1, "mode": "monitor"}').mode
    /// 'monitor'
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Self> {
        guard(py, || {
            let text = text.to_cow()?;
            gc::Policy::from_json(&text)
                .map(|inner| PyPolicy { inner })
                .map_err(|e| from_policy_error(py, &e))
        })
    }

    /// Loads a policy document from a file: JSON when the name ends in `.json`, TOML
    /// otherwise. Errors name the file; a file that cannot be read is a `PolicyError` too.
    ///
    /// >>> try:
    /// ...     Policy.from_path("no/such/policy.toml")
    /// ... except PolicyError as e:
    /// ...     "cannot read the policy" in str(e)
    /// True
    #[staticmethod]
    fn from_path(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        guard(py, || {
            py.detach(|| gc::Policy::from_path(&path))
                .map(|inner| PyPolicy { inner })
                .map_err(|e| from_policy_error(py, &e))
        })
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

    /// Decides an action and says, for every rule and change of the policy, whether it applied
    /// and why: `(decision, steps)`, each step a dict `{rule, outcome, reason}` (`outcome`:
    /// `matched`, `skipped`, `changed` or `disabled`).
    ///
    /// >>> decision, steps = Policy.builtin().explain(Sql("DROP TABLE t"))
    /// >>> steps[0]["rule"], steps[0]["outcome"]
    /// ('sql.drop', 'matched')
    #[pyo3(signature = (action, context = None))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        action: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Decision, Bound<'py, PyAny>)> {
        guard(py, || {
            let (action, _) = extract_action(action)?;
            let context = extract_context(context)?;
            let (decision, steps) = self.inner.explain(&action, &context);
            Ok((Decision::from(decision), list_json(py, &steps)?))
        })
    }

    /// The masker for a decision this policy made: the decision's masks, the policy's
    /// catalogue (the document's, or the built-in one) and its strategies. With
    /// `detect_values=True` it also runs the value detectors on string cells of columns no
    /// mask names.
    ///
    /// >>> p = Policy.builtin()
    /// >>> d = p.evaluate(Sql("SELECT ssn FROM users WHERE id = $1", dialect="postgres"))
    /// >>> p.masker(d).mask_row(["ssn"], ["536-22-1234"])
    /// ['[ssn]']
    #[pyo3(signature = (decision, *, detect_values = false))]
    fn masker(
        &self,
        py: Python<'_>,
        decision: &Bound<'_, Decision>,
        detect_values: bool,
    ) -> PyResult<PyMasker> {
        guard(py, || {
            Ok(PyMasker {
                inner: self
                    .inner
                    .masker(&decision.get().inner)
                    .detect_values(detect_values),
            })
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
    mask::register(m)?;
    audit::register(m)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(_force_panic, m)?)?;
    m.add_function(wrap_pyfunction!(_force_panic_detached, m)?)?;
    Ok(())
}
