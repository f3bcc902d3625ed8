//! Python classes over core values: the typed action helpers, `Context`, `Decision` and
//! `Finding`. Helpers are built with the core's constructors and names are read with the
//! core's serde types, so a helper accepts what a dict would; `Context` goes through
//! `wire::parse_context`.

use guardrails_core as gc;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyModule};
use pyo3::PyClass;
use serde_json::{json, Value};

use crate::errors::{input_error, py_json_dumps, py_json_loads};

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAction>()?;
    m.add_class::<Sql>()?;
    m.add_class::<Shell>()?;
    m.add_class::<Exec>()?;
    m.add_class::<Tool>()?;
    m.add_class::<PyContext>()?;
    Ok(())
}

/// A dict argument as a JSON value (`None` → `null`).
fn json_value(arg: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Value> {
    match arg.filter(|a| !a.is_none()) {
        None => Ok(Value::Null),
        Some(a) => {
            let text = py_json_dumps(a, what)?;
            serde_json::from_str(&text)
                .map_err(|e| input_error(a.py(), &format!("`{what}`: {e}"), what, "invalid-json"))
        }
    }
}

/// Base class of the typed actions (`Sql`, `Shell`, `Exec`, `Tool`): an action of the JSON
/// contract, already checked, that `evaluate` uses without conversion.
#[pyclass(frozen, subclass, module = "access_guardrails", name = "Action")]
#[derive(Debug)]
pub(crate) struct PyAction {
    pub(crate) action: gc::Action,
    /// Bytes of the action as JSON: decides whether evaluation releases the GIL.
    pub(crate) size: usize,
}

#[pymethods]
impl PyAction {
    /// The action's kind: `"sql"`, `"shell"`, `"exec"` or `"tool"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.action.kind_name()
    }

    /// The action as a dict of the JSON contract.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_json_loads(py, &self.to_json())
    }

    /// The action as JSON text of the contract.
    fn to_json(&self) -> String {
        serde_json::to_string(&self.action).unwrap_or_default()
    }

    fn __repr__(&self) -> String {
        format!("Action({})", self.to_json())
    }
}

/// A wire name (`postgres`, `zsh`) as the core type it names, through the core's serde.
fn wire_name<T: serde::de::DeserializeOwned>(
    py: Python<'_>,
    name: &str,
    field: &str,
) -> PyResult<T> {
    serde_json::from_value(Value::String(name.to_owned()))
        .map_err(|e| input_error(py, &format!("`{field}`: {e}"), field, "invalid-field"))
}

fn base<'a, T: PyClass<BaseType = PyAction>>(slf: &'a Bound<'_, T>) -> &'a gc::Action {
    &slf.as_super().get().action
}

/// SQL text for a database: `Sql("DELETE FROM users", dialect="postgres")`.
///
/// Dialects: `postgres`, `mysql`, `sqlite`, `mssql`, `snowflake`, `bigquery`, `generic`
/// (the default: lexed conservatively).
#[pyclass(frozen, extends = PyAction, module = "access_guardrails")]
#[derive(Debug)]
pub(crate) struct Sql;

#[pymethods]
impl Sql {
    #[new]
    #[pyo3(signature = (text, dialect = "generic"))]
    fn new(py: Python<'_>, text: String, dialect: &str) -> PyResult<PyClassInitializer<Self>> {
        let dialect: gc::Dialect = wire_name(py, dialect, "dialect")?;
        let base = PyAction {
            size: text.len(),
            action: gc::Action::sql(dialect, text),
        };
        Ok(PyClassInitializer::from(base).add_subclass(Sql))
    }

    /// The SQL text.
    #[getter]
    fn text(slf: &Bound<'_, Self>) -> String {
        match base(slf) {
            gc::Action::Sql { text, .. } => text.clone(),
            _ => String::new(),
        }
    }

    /// The dialect name.
    #[getter]
    fn dialect(slf: &Bound<'_, Self>) -> &'static str {
        match base(slf) {
            gc::Action::Sql { dialect, .. } => dialect.as_str(),
            _ => "",
        }
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        format!(
            "Sql({:?}, dialect={:?})",
            Self::text(slf),
            Self::dialect(slf)
        )
    }
}

/// A shell command line: `Shell("rm -rf /tmp/x")`. `shell` is `bash` (default), `sh` or `zsh`;
/// `powershell` and `cmd` are not analysed and fail closed.
#[pyclass(frozen, extends = PyAction, module = "access_guardrails")]
#[derive(Debug)]
pub(crate) struct Shell;

#[pymethods]
impl Shell {
    #[new]
    #[pyo3(signature = (command, shell = "bash"))]
    fn new(py: Python<'_>, command: String, shell: &str) -> PyResult<PyClassInitializer<Self>> {
        let shell: gc::ShellKind = wire_name(py, shell, "shell")?;
        let base = PyAction {
            size: command.len(),
            action: gc::Action::Shell { command, shell },
        };
        Ok(PyClassInitializer::from(base).add_subclass(Shell))
    }

    /// The command line.
    #[getter]
    fn command(slf: &Bound<'_, Self>) -> String {
        match base(slf) {
            gc::Action::Shell { command, .. } => command.clone(),
            _ => String::new(),
        }
    }

    /// The shell name.
    #[getter]
    fn shell(slf: &Bound<'_, Self>) -> &'static str {
        match base(slf) {
            gc::Action::Shell { shell, .. } => shell.as_str(),
            _ => "",
        }
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        format!(
            "Shell({:?}, shell={:?})",
            Self::command(slf),
            Self::shell(slf)
        )
    }
}

/// A program and its arguments, run without a shell: `Exec(["kubectl", "delete", "ns", "x"])`.
#[pyclass(frozen, extends = PyAction, module = "access_guardrails")]
#[derive(Debug)]
pub(crate) struct Exec;

#[pymethods]
impl Exec {
    #[new]
    fn new(argv: Vec<String>) -> PyClassInitializer<Self> {
        let base = PyAction {
            size: argv.iter().map(String::len).sum(),
            action: gc::Action::exec(argv),
        };
        PyClassInitializer::from(base).add_subclass(Exec)
    }

    /// The argument vector; `argv[0]` is the program.
    #[getter]
    fn argv(slf: &Bound<'_, Self>) -> Vec<String> {
        match base(slf) {
            gc::Action::Exec { argv } => argv.clone(),
            _ => Vec::new(),
        }
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        format!("Exec({:?})", Self::argv(slf))
    }
}

/// A tool call of an agent framework: `Tool("run_sql", {"query": "DROP TABLE t"})`.
///
/// The core maps its arguments to an inner action: `query`/`sql`/`statement` → SQL (dialect
/// from a `dialect` argument), `command`/`cmd`/`commands` → shell, `argv` → exec.
#[pyclass(frozen, extends = PyAction, module = "access_guardrails")]
#[derive(Debug)]
pub(crate) struct Tool {
    name: String,
}

#[pymethods]
impl Tool {
    #[new]
    #[pyo3(signature = (name, arguments = None))]
    fn new(
        name: String,
        arguments: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let arguments = match json_value(arguments, "arguments")? {
            Value::Null => json!({}),
            v => v,
        };
        let base = PyAction {
            size: name.len() + arguments.to_string().len(),
            action: gc::Action::tool(name.clone(), arguments),
        };
        Ok(PyClassInitializer::from(base).add_subclass(Tool { name }))
    }

    /// The tool's name.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// The tool's arguments, as a dict.
    #[getter]
    fn arguments<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let dict = slf.as_super().get().to_dict(slf.py())?;
        dict.get_item("arguments")
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let args = match &slf.as_super().get().action {
            gc::Action::Tool { arguments, .. } => arguments.to_string(),
            _ => String::new(),
        };
        format!("Tool({:?}, {args})", slf.get().name)
    }
}

/// Who runs an action, from where, against what. Every argument is optional: a missing
/// environment means production, a missing actor kind means `agent` (the strictest).
///
/// `Context(actor_id="billing-bot", actor_kind="agent", roles=["analyst"],
/// environment="production", origin="langchain", resource="pg-main", labels={...},
/// approvals=[...])`.
#[pyclass(frozen, module = "access_guardrails", name = "Context")]
#[derive(Debug)]
pub(crate) struct PyContext {
    pub(crate) context: gc::Context,
}

#[pymethods]
impl PyContext {
    #[new]
    #[pyo3(signature = (*, actor_id = None, actor_kind = None, roles = None, environment = None,
                        origin = None, resource = None, labels = None, approvals = None))]
    #[expect(
        clippy::too_many_arguments,
        reason = "one keyword argument per context field"
    )]
    fn new(
        py: Python<'_>,
        actor_id: Option<String>,
        actor_kind: Option<String>,
        roles: Option<Vec<String>>,
        environment: Option<String>,
        origin: Option<String>,
        resource: Option<String>,
        labels: Option<std::collections::BTreeMap<String, String>>,
        approvals: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut actor = serde_json::Map::new();
        let mut ctx = serde_json::Map::new();
        let put = |map: &mut serde_json::Map<String, Value>, k: &str, v: Option<Value>| {
            if let Some(v) = v {
                map.insert(k.to_owned(), v);
            }
        };
        put(&mut actor, "id", actor_id.map(Value::from));
        put(&mut actor, "kind", actor_kind.map(Value::from));
        put(&mut actor, "roles", roles.map(Value::from));
        put(&mut ctx, "actor", Some(Value::Object(actor)));
        put(&mut ctx, "environment", environment.map(Value::from));
        put(&mut ctx, "origin", origin.map(Value::from));
        put(&mut ctx, "resource", resource.map(Value::from));
        put(&mut ctx, "labels", labels.map(|l| json!(l)));
        let approvals = json_value(approvals, "approvals")?;
        put(
            &mut ctx,
            "approvals",
            (!approvals.is_null()).then_some(approvals),
        );
        let text = Value::Object(ctx).to_string();
        gc::wire::parse_context(&text)
            .map(|context| PyContext { context })
            .map_err(|e| input_error(py, &e.to_string(), e.path(), e.code()))
    }

    /// The environment name, if any (`None` is production).
    #[getter]
    fn environment(&self) -> Option<&str> {
        self.context.environment.as_deref()
    }

    /// The actor's id, if any.
    #[getter]
    fn actor_id(&self) -> Option<&str> {
        self.context.actor.id.as_deref()
    }

    /// The actor's kind: `human`, `agent`, `ci` or `service`.
    #[getter]
    fn actor_kind(&self) -> &'static str {
        self.context.actor.kind.as_str()
    }

    /// The context as a dict of the JSON contract.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_json_loads(py, &self.to_json())
    }

    /// The context as JSON text of the contract.
    fn to_json(&self) -> String {
        serde_json::to_string(&self.context).unwrap_or_default()
    }

    fn __repr__(&self) -> String {
        format!("Context({})", self.to_json())
    }
}

/// The Python `Verdict` enum member for a core verdict.
fn verdict<'py>(py: Python<'py>, v: gc::Verdict) -> PyResult<Bound<'py, PyAny>> {
    static CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let cls = CLASS.import(py, "access_guardrails._errors", "Verdict")?;
    cls.getattr(match v {
        gc::Verdict::Allow => "ALLOW",
        gc::Verdict::Review => "REVIEW",
        gc::Verdict::Deny => "DENY",
    })
}

/// What the engine decided about an action in a context.
///
/// `verdict` (a `Verdict`), `enforced`, `permits` (allowed, or not enforced), `findings`
/// (strictest first), `rules`, `intent` (a dict), `masks`, `fingerprint`, `policy_digest`;
/// `to_dict()` and `to_json()` give the decision of the JSON contract.
#[pyclass(frozen, module = "access_guardrails")]
#[derive(Debug)]
pub(crate) struct Decision {
    pub(crate) inner: gc::Decision,
}

impl From<gc::Decision> for Decision {
    fn from(inner: gc::Decision) -> Self {
        Decision { inner }
    }
}

#[pymethods]
impl Decision {
    /// The strictest verdict of the findings (`Verdict.ALLOW` when there are none).
    #[getter]
    fn verdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        verdict(py, self.inner.verdict)
    }

    /// False in monitor mode: the verdict is reported, not enforced.
    #[getter]
    fn enforced(&self) -> bool {
        self.inner.enforced
    }

    /// Whether the caller may run the action: allowed, or not enforced.
    #[getter]
    fn permits(&self) -> bool {
        self.inner.permits()
    }

    /// What was found, strictest first.
    #[getter]
    fn findings(&self) -> Vec<Finding> {
        self.inner
            .findings
            .iter()
            .map(|f| Finding { inner: f.clone() })
            .collect()
    }

    /// The rule ids of the findings, in order.
    #[getter]
    fn rules(&self) -> Vec<&str> {
        self.inner.rules().collect()
    }

    /// What the action does (statements, operations, objects, programs...), as a dict.
    #[getter]
    fn intent<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_json_loads(
            py,
            &serde_json::to_string(&self.inner.intent).unwrap_or_default(),
        )
    }

    /// Result columns to mask, and how: a list of dicts `{output, position, source, strategy}`
    /// with `tag` (the catalogue tag of the source), and when they apply `by_name`,
    /// `statement` and `exempt` (why the actor sees it unmasked). `Policy.masker(decision)`
    /// applies them.
    ///
    /// >>> d = evaluate(Sql("SELECT id, lower(email) AS e FROM users WHERE id = $1", dialect="postgres"))
    /// >>> [(m["output"], m["position"], m["source"], m["strategy"], m["tag"]) for m in d.masks]
    /// [('e', 1, 'users.email', 'redact', 'pii.email')]
    #[getter]
    fn masks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        list_json(py, &self.inner.masks)
    }

    /// The approvals that lifted review findings: a list of dicts `{approver, expires_at,
    /// lifted}` (`lifted`: the rule ids). Empty unless a valid signed approval applied.
    ///
    /// >>> evaluate(Sql("DROP TABLE t")).approvals
    /// []
    #[getter]
    fn approvals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        list_json(py, &self.inner.approvals)
    }

    /// BLAKE3 digest of the normalised action (secrets replaced): approvals name it.
    #[getter]
    fn fingerprint(&self) -> &str {
        &self.inner.fingerprint
    }

    /// BLAKE3 digest of the policy that decided.
    #[getter]
    fn policy_digest(&self) -> &str {
        &self.inner.policy_digest
    }

    /// The decision as a dict of the JSON contract.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_json_loads(py, &gc::wire::decision_json(&self.inner))
    }

    /// The decision as JSON text of the contract.
    fn to_json(&self) -> String {
        gc::wire::decision_json(&self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "Decision(verdict={}, enforced={}, rules={:?})",
            self.inner.verdict,
            if self.inner.enforced { "True" } else { "False" },
            self.rules()
        )
    }
}

/// A list of core values as a list of dicts, through their serde form.
pub(crate) fn list_json<'py, T: serde::Serialize>(
    py: Python<'py>,
    items: &[T],
) -> PyResult<Bound<'py, PyAny>> {
    if items.is_empty() {
        return Ok(PyList::empty(py).into_any());
    }
    py_json_loads(py, &serde_json::to_string(items).unwrap_or_default())
}

/// A detection judged by the policy: `rule`, `verdict`, `severity`, `message`, `span`
/// (byte range `(start, end)` in the text, or `None`), `statement` (index, or `None`).
#[pyclass(frozen, module = "access_guardrails")]
#[derive(Debug)]
pub(crate) struct Finding {
    inner: gc::Finding,
}

#[pymethods]
impl Finding {
    /// The rule id (`sql.drop`, `shell.recursive-delete`, ...).
    #[getter]
    fn rule(&self) -> &str {
        &self.inner.rule
    }

    /// The verdict this finding asks for in this context.
    #[getter]
    fn verdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        verdict(py, self.inner.verdict)
    }

    /// `info`, `low`, `medium`, `high` or `critical`: how bad it is, whatever the context.
    #[getter]
    fn severity(&self) -> &'static str {
        self.inner.severity.as_str()
    }

    /// What was found and where, in words.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }

    /// Byte range `(start, end)` in the original text, or `None`.
    #[getter]
    fn span(&self) -> Option<(usize, usize)> {
        self.inner.span
    }

    /// Index of the statement or command, or `None`.
    #[getter]
    fn statement(&self) -> Option<usize> {
        self.inner.statement
    }

    /// The finding as a dict of the JSON contract.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_json_loads(py, &serde_json::to_string(&self.inner).unwrap_or_default())
    }

    fn __repr__(&self) -> String {
        format!(
            "Finding(rule={:?}, verdict={}, message={:?})",
            self.inner.rule, self.inner.verdict, self.inner.message
        )
    }
}
