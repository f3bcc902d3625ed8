//! The panic guard, and the exceptions raised to Python.
//!
//! The exception classes are plain Python classes in `access_guardrails._errors` (so they can
//! inherit from both `GuardrailsError` and `ValueError`, and carry typed attributes); this
//! module builds instances of them.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

/// Runs `f`, turning a Rust panic into `InternalError` with the panic's text. The only place
/// of the binding that catches panics: every entry point goes through it.
pub(crate) fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(internal_error(py, &panic_text(payload.as_ref()))),
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_owned());
    format!("internal error: {text}")
}

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || Ok(py.import("access_guardrails._errors")?.unbind()))
        .map(|m| m.bind(py))
}

/// An instance of the exception class `class` of `access_guardrails._errors`, built with
/// `class(message, **attrs)`. If the class cannot be built, the error saying why.
fn make<'py>(
    py: Python<'py>,
    class: &str,
    message: &str,
    attrs: impl FnOnce(&Bound<'py, PyDict>) -> PyResult<()>,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let cls = errors_module(py)?.getattr(class)?;
        let kwargs = PyDict::new(py);
        attrs(&kwargs)?;
        Ok(PyErr::from_value(cls.call((message,), Some(&kwargs))?))
    };
    build().unwrap_or_else(|e| e)
}

/// `InputError`: an action or context that is not the contract, with its field path and
/// the wire's error code.
pub(crate) fn input_error(py: Python<'_>, message: &str, path: &str, code: &str) -> PyErr {
    make(py, "InputError", message, |kw| {
        kw.set_item("path", path)?;
        kw.set_item("code", code)
    })
}

/// `PolicyError`: a policy document that cannot be loaded (`Policy.from_toml`, `from_json`,
/// `from_path`), with the core error's `line()`, `column()`, `field()` and `help()`.
pub(crate) fn policy_error(
    py: Python<'_>,
    message: &str,
    line: Option<usize>,
    column: Option<usize>,
    field: Option<&str>,
    help: Option<&str>,
) -> PyErr {
    make(py, "PolicyError", message, |kw| {
        kw.set_item("line", line)?;
        kw.set_item("column", column)?;
        kw.set_item("field", field)?;
        kw.set_item("help", help)
    })
}

/// `PolicyError` from the core's error: its text (with the location) and its details; an empty
/// field (the whole document) is `None`.
pub(crate) fn from_policy_error(py: Python<'_>, e: &guardrails_core::PolicyError) -> PyErr {
    policy_error(
        py,
        &e.to_string(),
        e.line(),
        e.column(),
        Some(e.field()).filter(|f| !f.is_empty()),
        e.help(),
    )
}

/// `AuditError`: an audit log that does not verify, naming the first bad record (`index`,
/// 0-based) and what is wrong with it (`kind`, the core's `ErrorKind::code`).
pub(crate) fn audit_error(py: Python<'_>, e: &guardrails_core::audit::AuditError) -> PyErr {
    make(py, "AuditError", &e.to_string(), |kw| {
        kw.set_item("index", e.index())?;
        kw.set_item("kind", e.kind().code())?;
        kw.set_item("detail", e.detail())
    })
}

/// `OSError` (the subclass Python picks for the errno, e.g. `FileNotFoundError`) for a file
/// operation that failed, with the core's message.
pub(crate) fn os_error(message: String, io: &std::io::Error, path: &std::path::Path) -> PyErr {
    match io.raw_os_error() {
        Some(errno) => PyOSError::new_err((errno, message, path.display().to_string())),
        None => PyOSError::new_err(message),
    }
}

/// `InternalError`: a bug in the engine (a caught panic).
pub(crate) fn internal_error(py: Python<'_>, message: &str) -> PyErr {
    make(py, "InternalError", message, |_| Ok(()))
}

/// Prefixes an `InputError` of the `index`-th item of a batch with its index.
pub(crate) fn at_index(py: Python<'_>, err: PyErr, index: usize) -> PyErr {
    let value = err.value(py);
    let attr = |name: &str| -> String {
        value
            .getattr(name)
            .and_then(|v| v.extract::<String>())
            .unwrap_or_default()
    };
    let Ok(message) = value.str().and_then(|s| s.extract::<String>()) else {
        return err;
    };
    let path = attr("path");
    let path = if path.is_empty() {
        format!("[{index}]")
    } else {
        format!("[{index}].{path}")
    };
    input_error(
        py,
        &format!("action {index}: {message}"),
        &path,
        &attr("code"),
    )
}

/// `obj` as JSON text, with CPython's C encoder called directly (`json.dumps` spends more
/// time in its Python wrappers than in the encoder); a value JSON cannot carry (a set, `NaN`,
/// a cycle) is an `InputError` at `what`. Without the C encoder, `json.JSONEncoder.encode`.
pub(crate) fn py_json_dumps(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    static ENCODE: PyOnceLock<(Py<PyAny>, bool)> = PyOnceLock::new();
    let py = obj.py();
    let (encode, is_c) = ENCODE.get_or_try_init(py, || -> PyResult<(Py<PyAny>, bool)> {
        let module = py.import("json.encoder")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("separators", (",", ":"))?;
        kwargs.set_item("allow_nan", false)?;
        let encoder = module.getattr("JSONEncoder")?.call((), Some(&kwargs))?;
        let make = module.getattr("c_make_encoder")?;
        if make.is_none() {
            return Ok((encoder.getattr("encode")?.unbind(), false));
        }
        // (markers, default, encoder, indent, key_separator, item_separator, sort_keys,
        // skipkeys, allow_nan). No markers: a cycle ends in RecursionError, and no state is
        // shared between threads.
        let c = make.call1((
            py.None(),
            encoder.getattr("default")?,
            module.getattr("encode_basestring_ascii")?,
            py.None(),
            ":",
            ",",
            false,
            false,
            false,
        ))?;
        Ok((c.unbind(), true))
    })?;
    let encoded = if *is_c {
        encode.bind(py).call1((obj, 0)).and_then(|chunks| {
            let mut text = String::new();
            for chunk in chunks.try_iter()? {
                text.push_str(&chunk?.extract::<String>()?);
            }
            Ok(text)
        })
    } else {
        encode
            .bind(py)
            .call1((obj,))
            .and_then(|t| t.extract::<String>())
    };
    encoded.map_err(|e| {
        let reason = e
            .value(py)
            .str()
            .and_then(|s| s.extract::<String>())
            .unwrap_or_default();
        input_error(
            py,
            &format!("`{what}`: not JSON: {}", lowercase_first(&reason)),
            what,
            "invalid-json",
        )
    })
}

/// `json.loads(text)`: how core values (intent, masks, a whole decision) reach Python.
pub(crate) fn py_json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    LOADS
        .import(py, "json", "loads")
        .and_then(|loads| loads.call1((text,)))
}

pub(crate) fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
