//! The JSONL file sink: durable appends, size rotation, crash repair, one writer at a time
//! across threads (a mutex) and processes (an exclusive lock on `FILE.lock`).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use super::chain::Chain;
use super::err::{AuditError, ErrorKind, IoFailure, SinkError};
use super::key::AuditKey;
use super::record::{AuditRecord, Head};
use super::redact::SqlLiterals;
use super::tail::{read_tail, segments};
use crate::action::Action;
use crate::context::Context;
use crate::decision::Decision;

/// When appended records are flushed to stable storage (`fsync`).
///
/// ```
/// use std::time::Duration;
/// use guardrails_core::audit::Durability;
/// assert_eq!("record".parse(), Ok(Durability::EveryRecord));
/// assert_eq!("100".parse(), Ok(Durability::EveryN(100)));
/// assert_eq!("250ms".parse(), Ok(Durability::Interval(Duration::from_millis(250))));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Durability {
    /// Every append is synced before it returns (the default).
    #[default]
    EveryRecord,
    /// Every N-th append syncs (N ≥ 1); in between, appends return before they are durable.
    EveryN(u32),
    /// An append syncs when the last sync is older than this. Nothing runs in the background:
    /// call [`FileSink::sync`] (or drop the sink) to flush the rest.
    Interval(Duration),
}

impl std::str::FromStr for Durability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = || {
            format!("unknown durability `{s}`: expected `record`, a record count such as `100`, or a time such as `250ms`")
        };
        if s == "record" {
            return Ok(Durability::EveryRecord);
        }
        if let Some(ms) = s.strip_suffix("ms") {
            return ms
                .parse()
                .map(|m| Durability::Interval(Duration::from_millis(m)))
                .map_err(|_| bad());
        }
        if let Some(secs) = s.strip_suffix('s') {
            return secs
                .parse()
                .map(|m| Durability::Interval(Duration::from_secs(m)))
                .map_err(|_| bad());
        }
        match s.parse::<u32>() {
            Ok(0) | Err(_) => Err(bad()),
            Ok(1) => Ok(Durability::EveryRecord),
            Ok(n) => Ok(Durability::EveryN(n)),
        }
    }
}

/// Settings of a [`FileSink`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SinkOptions {
    /// When to fsync.
    pub durability: Durability,
    /// Rotate when the file would grow past this many bytes: it is renamed `FILE.N` (N one
    /// more than the newest) and the chain continues in a new `FILE`. `None`: never.
    pub max_bytes: Option<u64>,
    /// Whether SQL literals are kept or replaced by `?`.
    pub sql_literals: SqlLiterals,
}

impl SinkOptions {
    /// Options with this durability and no rotation.
    pub fn durability(durability: Durability) -> Self {
        SinkOptions {
            durability,
            ..SinkOptions::default()
        }
    }

    /// Sets the rotation size.
    #[must_use]
    pub fn rotate_at(mut self, max_bytes: u64) -> Self {
        self.max_bytes = Some(max_bytes);
        self
    }

    /// Sets the SQL literal setting.
    #[must_use]
    pub fn sql_literals(mut self, setting: SqlLiterals) -> Self {
        self.sql_literals = setting;
        self
    }
}

/// What an append did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Appended {
    /// The record written.
    pub record: AuditRecord,
    /// Whether this record is durable (synced) now, under the sink's durability setting.
    pub durable: bool,
}

/// A final line cut short by a crash, found and removed when a log was opened or resumed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Repair {
    /// Where the torn line started.
    pub offset: u64,
    /// How many bytes were removed.
    pub bytes: u64,
}

/// An append-only JSONL audit log: `Send + Sync`, safe to share between threads (appends are
/// serialised by a mutex) and between processes (each append holds an exclusive lock on
/// `FILE.lock` and first catches up with what other processes appended).
///
/// Opening an existing log resumes its chain after checking its last record (full
/// verification is [`verify`](super::verify)); a last line cut short by a crash is removed and
/// reported ([`FileSink::repairs`]); any other malformed last record is an error.
///
/// ```
/// use std::time::SystemTime;
/// use guardrails_core::audit::{AuditKey, FileSink, SinkOptions, verify};
/// use guardrails_core::{evaluate, Action, Context, Dialect};
/// let dir = std::env::temp_dir().join(format!("gr-sink-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("audit.jsonl");
/// let key: AuditKey = "33".repeat(32).parse()?;
/// let sink = FileSink::open(&path, Some(key.clone()), SinkOptions::default())?;
/// let action = Action::sql(Dialect::Postgres, "DELETE FROM users");
/// let decision = evaluate(&action, &Context::default());
/// let appended = sink.append(&action, &Context::default(), &decision, SystemTime::now())?;
/// assert!(appended.durable);
/// drop(sink);
/// let verified = verify(std::io::BufReader::new(std::fs::File::open(&path)?), Some(&key), None)?;
/// assert_eq!(verified.count, 1);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FileSink {
    path: PathBuf,
    key: Option<AuditKey>,
    options: SinkOptions,
    lock: File,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    file: File,
    /// Our idea of the file's length; another length means another process wrote.
    len: u64,
    chain: Chain,
    unsynced: u32,
    last_sync: Instant,
    repairs: Vec<Repair>,
}

fn io<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> SinkError + 'a {
    move |e| SinkError::Io(IoFailure::new(op, path, e))
}

fn open_log(path: &Path) -> std::io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true).append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
}

fn sync_dir(path: &Path) {
    // Makes a rename or a new file durable; not possible (nor needed) everywhere.
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    true
}

/// Holds the exclusive lock on `FILE.lock` until dropped.
struct ProcessLock<'a>(&'a File);

impl<'a> ProcessLock<'a> {
    fn take(file: &'a File, path: &Path) -> Result<Self, SinkError> {
        fs4::FileExt::lock(file).map_err(io("lock", path))?;
        Ok(ProcessLock(file))
    }
}

impl Drop for ProcessLock<'_> {
    fn drop(&mut self) {
        let _ = fs4::FileExt::unlock(self.0);
    }
}

impl FileSink {
    /// Opens (or creates, mode 0600) the log at `path`, resuming its chain. `key` must be the
    /// chain's key: an existing log written with another key is refused.
    pub fn open(
        path: impl AsRef<Path>,
        key: Option<AuditKey>,
        options: SinkOptions,
    ) -> Result<Self, SinkError> {
        let path = path.as_ref().to_owned();
        let lock_path = lock_path(&path);
        let lock = open_log(&lock_path).map_err(io("open", &lock_path))?;
        let state = {
            let _guard = ProcessLock::take(&lock, &lock_path)?;
            let file = open_log(&path).map_err(io("open", &path))?;
            sync_dir(&path);
            let mut state = State {
                file,
                len: u64::MAX,
                chain: Chain::new(key.clone()),
                unsynced: 0,
                last_sync: Instant::now(),
                repairs: Vec::new(),
            };
            catch_up(&path, key.as_ref(), &options, &mut state)?;
            state
        };
        Ok(FileSink {
            path,
            key,
            options,
            lock,
            state: Mutex::new(state),
        })
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the mutex leaves at worst a stale length, which the next
        // append detects and repairs from the file itself.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Torn lines removed so far (when opening, or when catching up with another process).
    pub fn repairs(&self) -> Vec<Repair> {
        self.state().repairs.clone()
    }

    /// The chain head as this sink last saw it.
    pub fn head(&self) -> Option<Head> {
        self.state().chain.head()
    }

    /// Appends a record of a decision. Returns once the record is written, and synced if the
    /// durability setting says so now; [`Appended::durable`] tells which.
    pub fn append(
        &self,
        action: &Action,
        context: &Context,
        decision: &Decision,
        now: SystemTime,
    ) -> Result<Appended, SinkError> {
        let mut state = self.state();
        let _guard = ProcessLock::take(&self.lock, &self.path)?;
        catch_up(&self.path, self.key.as_ref(), &self.options, &mut state)?;
        let (record, mut line) = state.chain.append_line(action, context, decision, now);
        line.push('\n');
        let size = line.len() as u64;
        if let Some(max) = self.options.max_bytes {
            if state.len > 0 && state.len.saturating_add(size) > max {
                self.rotate(&mut state)?;
            }
        }
        if let Err(e) = state.file.write_all(line.as_bytes()) {
            state.len = u64::MAX; // re-read (and repair) before the next append
            return Err(io("write", &self.path)(e));
        }
        state.len += size;
        state.unsynced += 1;
        let due = match self.options.durability {
            Durability::EveryRecord => true,
            Durability::EveryN(n) => state.unsynced >= n,
            Durability::Interval(t) => state.last_sync.elapsed() >= t,
        };
        if due {
            self.sync_locked(&mut state)?;
        }
        Ok(Appended {
            record,
            durable: state.unsynced == 0,
        })
    }

    /// Flushes every appended record to stable storage.
    pub fn sync(&self) -> Result<(), SinkError> {
        let mut state = self.state();
        self.sync_locked(&mut state)
    }

    fn sync_locked(&self, state: &mut State) -> Result<(), SinkError> {
        if state.unsynced > 0 {
            state.file.sync_data().map_err(io("sync", &self.path))?;
            state.unsynced = 0;
        }
        state.last_sync = Instant::now();
        Ok(())
    }

    fn rotate(&self, state: &mut State) -> Result<(), SinkError> {
        self.sync_locked(state)?;
        let next = segments(&self.path)
            .map_err(io("list rotated files of", &self.path))?
            .iter()
            .filter_map(|p| segment_number(p))
            .max()
            .unwrap_or(0)
            + 1;
        let target = PathBuf::from(format!("{}.{next}", self.path.display()));
        std::fs::rename(&self.path, &target).map_err(io("rotate", &self.path))?;
        state.file = open_log(&self.path).map_err(io("open", &self.path))?;
        sync_dir(&self.path);
        state.len = 0;
        Ok(())
    }
}

impl Drop for FileSink {
    fn drop(&mut self) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if state.unsynced > 0 {
            let _ = state.file.sync_data();
            state.unsynced = 0;
        }
    }
}

fn lock_path(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.lock", path.display()))
}

fn segment_number(p: &Path) -> Option<u64> {
    p.extension()?.to_str()?.parse().ok()
}

/// Under the process lock: follows a rotation by another process, and when the file is not
/// the length we wrote, repairs a torn last line and resumes the chain from the last record.
fn catch_up(
    path: &Path,
    key: Option<&AuditKey>,
    options: &SinkOptions,
    state: &mut State,
) -> Result<(), SinkError> {
    let on_disk = std::fs::metadata(path);
    let ours = state.file.metadata().map_err(io("inspect", path))?;
    if !on_disk.as_ref().is_ok_and(|m| same_file(m, &ours)) {
        state.file = open_log(path).map_err(io("open", path))?;
        sync_dir(path);
        state.len = u64::MAX;
    }
    let len = state.file.metadata().map_err(io("inspect", path))?.len();
    if len == state.len {
        return Ok(());
    }
    let tail = read_tail(&mut state.file, len).map_err(io("read", path))?;
    let mut len = len;
    if let Some(from) = tail.torn_from {
        state
            .file
            .set_len(from)
            .map_err(io("truncate a torn line of", path))?;
        state.file.sync_data().map_err(io("sync", path))?;
        state.repairs.push(Repair {
            offset: from,
            bytes: len - from,
        });
        len = from;
    }
    let chain = match tail.last {
        Some((line, _)) => {
            Chain::resume_line(key.cloned(), &line, 0).map_err(|error| SinkError::Corrupt {
                path: path.to_owned(),
                error: last_record(error),
            })?
        }
        None => resume_from_segments(path, key)?,
    };
    state.chain = chain.with_sql_literals(options.sql_literals);
    state.len = len;
    Ok(())
}

fn last_record(error: AuditError) -> AuditError {
    AuditError::new(
        error.index(),
        error.kind(),
        format!("the last record cannot be continued: {}", error.detail()),
    )
}

/// An empty (new or just rotated) log continues the newest rotated file's chain.
fn resume_from_segments(path: &Path, key: Option<&AuditKey>) -> Result<Chain, SinkError> {
    let segs = segments(path).map_err(io("list rotated files of", path))?;
    let Some(newest) = segs.last() else {
        return Ok(Chain::new(key.cloned()));
    };
    let mut f = File::open(newest).map_err(io("open", newest))?;
    let len = f.metadata().map_err(io("inspect", newest))?.len();
    let tail = read_tail(&mut f, len).map_err(io("read", newest))?;
    match (tail.last, tail.torn_from) {
        (Some((line, _)), None) => {
            Chain::resume_line(key.cloned(), &line, 0).map_err(|error| SinkError::Corrupt {
                path: newest.clone(),
                error: last_record(error),
            })
        }
        (None, None) => Ok(Chain::new(key.cloned())),
        (_, Some(_)) => Err(SinkError::Corrupt {
            path: newest.clone(),
            error: AuditError::new(
                0,
                ErrorKind::Malformed,
                "a rotated file ends with a line cut short",
            ),
        }),
    }
}
