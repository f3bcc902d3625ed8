//! The audit trail: `AuditChain`, `FileSink`, `verify()` and their `AuditHead` / `Verified`,
//! over `guardrails_core::audit`. Records cross as the exact JSON line the core hashed.

use std::io::BufReader;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use guardrails_core::audit::{self as ga, AuditKey, Durability, SinkError, SinkOptions};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyModule, PyString};

use crate::errors::{audit_error, guard, input_error, os_error, py_json_loads};
use crate::types::Decision;
use crate::{extract_action, extract_context};

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<AuditHead>()?;
    m.add_class::<Verified>()?;
    m.add_class::<AuditChain>()?;
    m.add_class::<FileSink>()?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    Ok(())
}

/// `None`, 32 raw bytes, or the key file's text (64 hex digits, parsed by the core).
fn extract_key(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<AuditKey>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let py = obj.py();
    let bad = |msg: String| input_error(py, &format!("`key`: {msg}"), "key", "invalid-field");
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        let raw: [u8; 32] = bytes.as_bytes().try_into().map_err(|_| {
            bad(format!(
                "an audit key is 32 bytes, got {}",
                bytes.as_bytes().len()
            ))
        })?;
        return Ok(Some(AuditKey::from_bytes(raw)));
    }
    if let Ok(text) = obj.cast::<PyString>() {
        return text
            .to_cow()?
            .parse()
            .map(Some)
            .map_err(|e: ga::ParseError| bad(e.to_string()));
    }
    Err(bad(
        "expected `None`, 32 bytes or 64 hex digits (str)".to_owned()
    ))
}

/// `None` (the clock now), an aware `datetime`, or RFC 3339 text (parsed by the core).
fn extract_time(obj: Option<&Bound<'_, PyAny>>) -> PyResult<SystemTime> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(SystemTime::now());
    };
    let py = obj.py();
    let bad = |msg: &str| input_error(py, &format!("`time`: {msg}"), "time", "invalid-field");
    if let Ok(text) = obj.cast::<PyString>() {
        return ga::parse_rfc3339(&text.to_cow()?).ok_or_else(|| bad("not an RFC 3339 time"));
    }
    static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let epoch = EPOCH.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        let dt = py.import("datetime")?;
        let utc = dt.getattr("timezone")?.getattr("utc")?;
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("tzinfo", utc)?;
        Ok(dt
            .getattr("datetime")?
            .call((1970, 1, 1), Some(&kwargs))?
            .unbind())
    })?;
    let epoch = epoch.bind(py);
    if !obj.is_instance(&epoch.get_type())? || obj.getattr("tzinfo")?.is_none() {
        return Err(bad(
            "expected `None`, a timezone-aware `datetime` or RFC 3339 text",
        ));
    }
    let delta = obj.sub(epoch)?;
    let part =
        |name: &str| -> PyResult<i128> { Ok(i128::from(delta.getattr(name)?.extract::<i64>()?)) };
    let micros =
        part("days")? * 86_400_000_000 + part("seconds")? * 1_000_000 + part("microseconds")?;
    let span = Duration::from_micros(u64::try_from(micros.unsigned_abs()).unwrap_or(u64::MAX));
    let time = if micros >= 0 {
        UNIX_EPOCH.checked_add(span)
    } else {
        UNIX_EPOCH.checked_sub(span)
    };
    time.ok_or_else(|| bad("out of range"))
}

/// `None`, an `AuditHead`, or its text `SEQ:HASH` (parsed by the core).
fn extract_head(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<ga::Head>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if let Ok(head) = obj.cast::<AuditHead>() {
        return Ok(Some(head.get().inner.clone()));
    }
    let bad = |msg: String| {
        input_error(
            obj.py(),
            &format!("`expected_head`: {msg}"),
            "expected_head",
            "invalid-field",
        )
    };
    match obj.cast::<PyString>() {
        Ok(text) => text
            .to_cow()?
            .parse()
            .map(Some)
            .map_err(|e: ga::ParseError| bad(e.to_string())),
        Err(_) => Err(bad(
            "expected `None`, an `AuditHead` or `SEQ:HASH` text".to_owned()
        )),
    }
}

fn sink_error(py: Python<'_>, e: &SinkError) -> PyErr {
    match e {
        SinkError::Io(io) => os_error(e.to_string(), io.io(), io.path()),
        SinkError::Corrupt { error, .. } => audit_error(py, error),
        other => pyo3::exceptions::PyOSError::new_err(other.to_string()),
    }
}

/// The head of an audit chain, the checkpoint that makes truncation detectable: the last
/// record's `seq` and `hash`. `str(head)` is `SEQ:HASH` (as `guardrails audit head` prints it);
/// `AuditHead.parse(text)` reads it back.
///
/// >>> h = AuditHead.parse("41:" + "ab" * 32)
/// >>> (h.seq, str(h) == "41:" + "ab" * 32)
/// (41, True)
#[pyclass(frozen, eq, module = "access_guardrails")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditHead {
    inner: ga::Head,
}

#[pymethods]
impl AuditHead {
    /// Parses `SEQ:HASH`. Raises `InputError` when it is not a chain head.
    #[staticmethod]
    fn parse(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Self> {
        guard(py, || {
            extract_head(Some(text.as_any()))?
                .map(|inner| AuditHead { inner })
                .ok_or_else(|| input_error(py, "`expected_head`: empty", "", "invalid-field"))
        })
    }

    /// Sequence number of the last record.
    #[getter]
    fn seq(&self) -> u64 {
        self.inner.seq
    }

    /// Its hash, 64 lowercase hex digits.
    #[getter]
    fn hash(&self) -> &str {
        &self.inner.hash
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!("AuditHead('{}')", self.inner)
    }
}

fn head(h: Option<ga::Head>) -> Option<AuditHead> {
    h.map(|inner| AuditHead { inner })
}

/// What a successful `verify()` saw: `count` records, and the `head` of the chain (`None`
/// when there were no records).
///
/// >>> verify([]).count
/// 0
#[pyclass(frozen, module = "access_guardrails")]
#[derive(Debug)]
pub(crate) struct Verified {
    inner: ga::Verified,
}

#[pymethods]
impl Verified {
    /// Records verified.
    #[getter]
    fn count(&self) -> u64 {
        self.inner.count
    }

    /// The head of the chain (its last record), or `None`.
    #[getter]
    fn head(&self) -> Option<AuditHead> {
        head(self.inner.head.clone())
    }

    fn __repr__(&self) -> String {
        match &self.inner.head {
            Some(h) => format!("Verified(count={}, head='{h}')", self.inner.count),
            None => format!("Verified(count={}, head=None)", self.inner.count),
        }
    }
}

/// Turns decisions into hash-chained audit records (BLAKE3, keyed when `key` is given:
/// recommended, since whoever can edit an unkeyed log can recompute every hash). `key` is 32
/// bytes or 64 hex digits. Thread-safe; the caller stores the lines (`append_line`), or use a
/// `FileSink`.
///
/// >>> chain = AuditChain(b"k" * 32)
/// >>> action = Sql("DROP TABLE users", dialect="postgres")
/// >>> lines = [chain.append_line(action, None, evaluate(action)) for _ in range(3)]
/// >>> verify(lines, key=b"k" * 32, expected_head=chain.head).count
/// 3
#[pyclass(frozen, module = "access_guardrails", name = "AuditChain")]
#[derive(Debug)]
pub(crate) struct AuditChain {
    chain: Mutex<ga::Chain>,
}

impl AuditChain {
    fn chain(&self) -> MutexGuard<'_, ga::Chain> {
        self.chain.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn append_impl(
        &self,
        action: &Bound<'_, PyAny>,
        context: Option<&Bound<'_, PyAny>>,
        decision: &Bound<'_, Decision>,
        time: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let (action, _) = extract_action(action)?;
        let context = extract_context(context)?;
        let now = extract_time(time)?;
        let (_, line) = self
            .chain()
            .append_line(&action, &context, &decision.get().inner, now);
        Ok(line)
    }
}

#[pymethods]
impl AuditChain {
    #[new]
    #[pyo3(signature = (key = None))]
    fn new(py: Python<'_>, key: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        guard(py, || {
            Ok(AuditChain {
                chain: Mutex::new(ga::Chain::new(extract_key(key)?)),
            })
        })
    }

    /// Records a decision: redacts the action and context (secrets never reach the log),
    /// summarises the decision, chains and hashes the record. Returns the record as a dict
    /// (`v`, `seq`, `prev`, `time`, `key_id`, `actor`, `context`, `action`, `decision`, `hash`;
    /// see `docs/audit-format.md`). `time` is `None` (now), an aware `datetime` or RFC 3339.
    ///
    /// >>> r = AuditChain().append(Sql("SELECT 1"), None, evaluate(Sql("SELECT 1")), time="2026-01-01T00:00:00Z")
    /// >>> (r["seq"], r["time"], r["decision"]["verdict"])
    /// (0, '2026-01-01T00:00:00.000000Z', 'allow')
    #[pyo3(signature = (action, context, decision, time = None))]
    fn append<'py>(
        &self,
        py: Python<'py>,
        action: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyAny>>,
        decision: &Bound<'py, Decision>,
        time: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let line = self.append_impl(action, context, decision, time)?;
            py_json_loads(py, &line)
        })
    }

    /// `append`, returning the record as its JSONL line (without the newline): the exact
    /// text whose hash the chain holds, to be written to a log as is.
    ///
    /// >>> AuditChain().append_line(Sql("SELECT 1"), None, evaluate(Sql("SELECT 1"))).endswith('"}')
    /// True
    #[pyo3(signature = (action, context, decision, time = None))]
    fn append_line(
        &self,
        py: Python<'_>,
        action: &Bound<'_, PyAny>,
        context: Option<&Bound<'_, PyAny>>,
        decision: &Bound<'_, Decision>,
        time: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        guard(py, || self.append_impl(action, context, decision, time))
    }

    /// The head after the last appended record, `None` before the first.
    #[getter]
    fn head(&self) -> Option<AuditHead> {
        head(self.chain().head())
    }

    /// Whether the chain is keyed.
    #[getter]
    fn keyed(&self) -> bool {
        self.chain().is_keyed()
    }

    fn __repr__(&self) -> String {
        let chain = self.chain();
        format!(
            "AuditChain(keyed={}, next_seq={})",
            if chain.is_keyed() { "True" } else { "False" },
            chain.next_seq()
        )
    }
}

/// An append-only JSONL audit log (the core's file sink): opens or creates `path` (mode 0600)
/// and resumes its chain after checking its last record; safe to share between threads and
/// processes. `key`: 32 bytes or 64 hex digits, the chain's key. `durability`: when appends
/// are fsynced: `"record"` (each, the default), a count such as `100`, or a time such as
/// `"250ms"`. Raises `OSError` when a file operation fails and `AuditError` when the log's
/// last record does not belong to this chain (e.g. another key). A context manager: leaving
/// it syncs.
///
/// >>> import tempfile, os
/// >>> path = os.path.join(tempfile.mkdtemp(), "audit.jsonl")
/// >>> with FileSink(path, key=b"k" * 32) as sink:
/// ...     record = sink.append(Sql("DELETE FROM users"), None, evaluate(Sql("DELETE FROM users")))
/// >>> (record["decision"]["verdict"], verify(path, key=b"k" * 32).count)
/// ('deny', 1)
#[pyclass(frozen, module = "access_guardrails", name = "FileSink")]
#[derive(Debug)]
pub(crate) struct FileSink {
    inner: ga::FileSink,
}

#[pymethods]
impl FileSink {
    #[new]
    #[pyo3(signature = (path, key = None, durability = None))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        key: Option<&Bound<'_, PyAny>>,
        durability: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let key = extract_key(key)?;
            let durability = match durability.filter(|d| !d.is_none()) {
                None => Durability::default(),
                Some(d) => d.str()?.to_cow()?.parse().map_err(|e: String| {
                    input_error(
                        py,
                        &format!("`durability`: {e}"),
                        "durability",
                        "invalid-field",
                    )
                })?,
            };
            let options = SinkOptions::durability(durability);
            py.detach(|| ga::FileSink::open(&path, key, options))
                .map(|inner| FileSink { inner })
                .map_err(|e| sink_error(py, &e))
        })
    }

    /// Appends a record of a decision (see `AuditChain.append`), with the GIL released while
    /// it writes and syncs. Returns the record as a dict.
    #[pyo3(signature = (action, context, decision, time = None))]
    fn append<'py>(
        &self,
        py: Python<'py>,
        action: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyAny>>,
        decision: &Bound<'py, Decision>,
        time: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let (action, _) = extract_action(action)?;
            let context = extract_context(context)?;
            let now = extract_time(time)?;
            let decision = &decision.get().inner;
            let sink = &self.inner;
            let appended = py
                .detach(|| sink.append(&action, &context, decision, now))
                .map_err(|e| sink_error(py, &e))?;
            py_json_loads(py, &appended.record.to_line())
        })
    }

    /// Flushes every appended record to stable storage.
    fn sync(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            let sink = &self.inner;
            py.detach(|| sink.sync()).map_err(|e| sink_error(py, &e))
        })
    }

    /// The chain head as this sink last saw it (`None` for an empty log).
    #[getter]
    fn head(&self) -> Option<AuditHead> {
        head(self.inner.head())
    }

    /// The log's path.
    #[getter]
    fn path(&self) -> PathBuf {
        self.inner.path().to_owned()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.sync(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("FileSink({:?})", self.inner.path().display().to_string())
    }
}

/// Verifies an audit log in constant memory: a path (`str` or `os.PathLike`; the complete
/// check, including a last line cut short) or an iterable of lines (`str`, one record each,
/// with or without the newline, e.g. an open text file or `AuditChain.append_line` results).
/// `key` must be the chain's key (`None` for an unkeyed chain); `expected_head`, a checkpoint
/// saved earlier (`AuditHead` or `SEQ:HASH`), makes truncation detectable. Returns `Verified`
/// or raises `AuditError` naming the first bad record (`index`, 0-based) and what is wrong
/// (`kind`: `modified`, `dropped`, `reordered`, `inserted`, `truncated`, `wrong-key`,
/// `malformed`); `OSError` when the file cannot be read.
///
/// >>> try:
/// ...     verify(["not a record"])
/// ... except AuditError as e:
/// ...     (e.index, e.kind)
/// (0, 'malformed')
#[pyfunction]
#[pyo3(signature = (path_or_lines, key = None, expected_head = None))]
fn verify(
    py: Python<'_>,
    path_or_lines: &Bound<'_, PyAny>,
    key: Option<&Bound<'_, PyAny>>,
    expected_head: Option<&Bound<'_, PyAny>>,
) -> PyResult<Verified> {
    guard(py, || {
        let key = extract_key(key)?;
        let expected = extract_head(expected_head)?;
        let is_path =
            path_or_lines.is_instance_of::<PyString>() || path_or_lines.hasattr("__fspath__")?;
        let verified = if is_path {
            let path: PathBuf = path_or_lines.extract()?;
            let file = std::fs::File::open(&path).map_err(|e| {
                os_error(format!("cannot open `{}`: {e}", path.display()), &e, &path)
            })?;
            py.detach(|| ga::verify(BufReader::new(file), key.as_ref(), expected.as_ref()))
        } else {
            let mut verifier = ga::Verifier::new(key.as_ref());
            if let Some(h) = expected {
                verifier = verifier.expect_head(h);
            }
            let lines = path_or_lines.try_iter().map_err(|_| {
                input_error(
                    py,
                    "`path_or_lines`: expected a path or an iterable of lines",
                    "path_or_lines",
                    "invalid-type",
                )
            })?;
            let mut fed = Ok(());
            for line in lines {
                let line = line?;
                let text = line.cast::<PyString>().map_err(|_| {
                    input_error(
                        py,
                        "`path_or_lines`: a line must be a `str`",
                        "path_or_lines",
                        "invalid-type",
                    )
                })?;
                let text = text.to_cow()?;
                fed = verifier.feed(text.strip_suffix('\n').unwrap_or(&text));
                if fed.is_err() {
                    break;
                }
            }
            fed.and_then(|()| verifier.finish())
        };
        verified
            .map(|inner| Verified { inner })
            .map_err(|e| audit_error(py, &e))
    })
}
