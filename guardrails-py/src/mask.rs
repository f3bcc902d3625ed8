//! Masking: `Masker` (over the core's `mask::Masker`), `detect()` and its `Match`.
//!
//! Values cross as JSON through serde_json (the core's types); text larger than
//! `DETACH_BYTES` is masked or scanned with the GIL released.

use guardrails_core as gc;
use pyo3::prelude::*;
use pyo3::types::{PyModule, PyString};
use serde_json::Value;

use crate::errors::{guard, input_error, py_json_dumps, py_json_loads};
use crate::DETACH_BYTES;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMasker>()?;
    m.add_class::<Match>()?;
    m.add_function(wrap_pyfunction!(detect, m)?)?;
    Ok(())
}

/// Runs `f` with the GIL released when the input is large.
fn maybe_detach<T: Send>(py: Python<'_>, size: usize, f: impl FnOnce() -> T + Send) -> T {
    if size >= DETACH_BYTES {
        py.detach(f)
    } else {
        f()
    }
}

/// A Python JSON-like value as a core JSON value, and the size of its JSON text.
fn value_arg(arg: &Bound<'_, PyAny>, what: &str) -> PyResult<(Value, usize)> {
    let text = py_json_dumps(arg, what)?;
    serde_json::from_str(&text)
        .map(|v| (v, text.len()))
        .map_err(|e| input_error(arg.py(), &format!("`{what}`: {e}"), what, "invalid-json"))
}

fn to_py<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    py_json_loads(py, &serde_json::to_string(value).unwrap_or_default())
}

/// Masks result rows, JSON values and text: the masks of a decision (by column position, or
/// name for a `SELECT *`), the catalogue's column names and strategies, and value detectors
/// (e-mails, phones, cards, IBANs, SSNs, tokens, keys, IPs) for free text. Immutable and safe
/// to share between threads.
///
/// Get one from the policy that decided: `policy.masker(decision)`; `Masker()` has no column
/// masks (built-in catalogue and detectors only).
///
/// >>> policy = Policy.builtin()
/// >>> d = policy.evaluate(Sql("SELECT id, lower(email) AS e FROM users WHERE id = $1", dialect="postgres"))
/// >>> m = policy.masker(d)
/// >>> m.mask_row(["id", "e"], [7, "bob@example.com"])
/// [7, '[email]']
/// >>> m.mask_text("card 4111 1111 1111 1111, mail bob@example.com")
/// 'card [card], mail [email]'
#[pyclass(frozen, module = "access_guardrails", name = "Masker")]
#[derive(Debug, Clone)]
pub(crate) struct PyMasker {
    pub(crate) inner: gc::mask::Masker,
}

#[pymethods]
impl PyMasker {
    /// A masker without column masks: the built-in catalogue's column names and the value
    /// detectors.
    #[new]
    fn new(py: Python<'_>) -> PyResult<Self> {
        guard(py, || {
            Ok(PyMasker {
                inner: gc::mask::Masker::default(),
            })
        })
    }

    /// Masks every detected value in `text` (`[email]`, `[card]`, ... or as the catalogue's
    /// strategy says).
    ///
    /// >>> Masker().mask_text("ssn 536-22-1234, ref 123-45-678")
    /// 'ssn [ssn], ref 123-45-678'
    fn mask_text(&self, py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<String> {
        guard(py, || {
            let text = text.to_cow()?;
            let masker = &self.inner;
            Ok(maybe_detach(py, text.len(), || masker.mask_text(&text)))
        })
    }

    /// Masks one result row: `columns` are the result's column names in order, `values` its
    /// cells (JSON-like values). Returns the masked cells as a new list.
    ///
    /// >>> Masker().mask_row(["id", "email"], [1, "bob@example.com"])
    /// [1, '[email]']
    fn mask_row<'py>(
        &self,
        py: Python<'py>,
        columns: Vec<String>,
        values: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let (values, size) = value_arg(values, "values")?;
            let Value::Array(values) = values else {
                return Err(input_error(
                    py,
                    "`values`: expected a list of cells",
                    "values",
                    "invalid-type",
                ));
            };
            let masker = &self.inner;
            let row = maybe_detach(py, size, || masker.mask_row(&columns, &values));
            to_py(py, &row)
        })
    }

    /// Masks a JSON-like value (dicts, lists, strings, numbers): members named by a mask or
    /// the catalogue are masked whole, every other string goes through the detectors. Returns
    /// a new value (the members of a dict in sorted key order, as the core's JSON maps keep
    /// them).
    ///
    /// >>> Masker().mask_json({"user": {"email": "bob@example.com", "note": "card 4111111111111111"}, "n": 3})
    /// {'n': 3, 'user': {'email': '[email]', 'note': 'card [card]'}}
    fn mask_json<'py>(
        &self,
        py: Python<'py>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let (value, size) = value_arg(value, "value")?;
            let masker = &self.inner;
            let masked = maybe_detach(py, size, || masker.mask_json(&value));
            to_py(py, &masked)
        })
    }

    /// The number of column masks in force (from the decision).
    #[getter]
    fn column_masks(&self) -> usize {
        self.inner.column_masks()
    }

    fn __repr__(&self) -> String {
        format!("Masker(column_masks={})", self.inner.column_masks())
    }
}

/// A sensitive value found by `detect()`: its `kind` (`email`, `phone`, `card`, `iban`, `ssn`,
/// `jwt`, `aws-access-key-id`, ..., `ipv4`, `ipv6`), its catalogue `tag` (`pii.email`,
/// `pci.pan`, ...) and where it is: `text[m.start:m.end]` (indices of the Python string).
///
/// >>> m = detect("mail bob@example.com now")[0]
/// >>> (m.kind, m.tag, m.start, m.end)
/// ('email', 'pii.email', 5, 20)
#[pyclass(frozen, eq, module = "access_guardrails")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Match {
    kind: gc::mask::Kind,
    start: usize,
    end: usize,
}

#[pymethods]
impl Match {
    /// What was found: the detector's wire name (also the placeholder's label, `[email]`).
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind.as_str()
    }

    /// The catalogue tag of the kind (`pii.email`, `pci.pan`, `secret.jwt`, ...).
    #[getter]
    fn tag(&self) -> &'static str {
        self.kind.tag()
    }

    /// Index of the first character in the string.
    #[getter]
    fn start(&self) -> usize {
        self.start
    }

    /// Index after the last character in the string.
    #[getter]
    fn end(&self) -> usize {
        self.end
    }

    fn __repr__(&self) -> String {
        format!(
            "Match(kind={:?}, start={}, end={})",
            self.kind.as_str(),
            self.start,
            self.end
        )
    }
}

/// Finds every sensitive value in `text`, in order, without overlaps (the core's value
/// detectors; candidates are checked by their checksum where one exists, e.g. Luhn for cards).
///
/// >>> text = "card 4111 1111 1111 1111, not 4111 1111 1111 1112; é bob@example.com"
/// >>> [(m.kind, text[m.start:m.end]) for m in detect(text)]
/// [('card', '4111 1111 1111 1111'), ('email', 'bob@example.com')]
#[pyfunction]
pub(crate) fn detect(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Vec<Match>> {
    guard(py, || {
        let text = text.to_cow()?;
        let found = maybe_detach(py, text.len(), || gc::mask::detect(&text));
        // The core's spans are byte offsets (on character boundaries); Python indexes
        // strings by character. One pass converts them.
        let (mut byte, mut chars) = (0usize, 0usize);
        let mut to_chars = |b: usize| {
            chars += text.get(byte..b).map_or(0, |s| s.chars().count());
            byte = b;
            chars
        };
        Ok(found
            .iter()
            .map(|m| Match {
                kind: m.kind,
                start: to_chars(m.span.0),
                end: to_chars(m.span.1),
            })
            .collect())
    })
}
