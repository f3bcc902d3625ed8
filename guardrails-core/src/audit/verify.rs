//! Streaming verification: constant memory, names the first bad record.

use std::io::BufRead;

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::err::{AuditError, ErrorKind};
use super::key::AuditKey;
use super::record::{
    digest, into_string, is_hex64, special_bytes, split_line, AuditRecord, Head, FORMAT_VERSION,
    GENESIS, HIGH,
};
use super::time::{is_writer_time, parse_rfc3339};
use crate::hash::hex32;

/// What a successful verification saw.
///
/// ```
/// let v = guardrails_core::audit::verify("".as_bytes(), None, None)?;
/// assert_eq!((v.count, v.head), (0, None));
/// # Ok::<(), guardrails_core::audit::AuditError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// Records verified.
    pub count: u64,
    /// The head of the chain (its last record), `None` when there were no records.
    pub head: Option<Head>,
}

/// Verifies a log read line by line, in constant memory. `key` must be the chain's key
/// (`None` for an unkeyed chain); `expected_head`, a checkpoint exported earlier, makes
/// truncation of the tail detectable. Returns the count and head, or the first bad record.
///
/// ```
/// use std::time::SystemTime;
/// use guardrails_core::audit::{verify, Chain, ErrorKind};
/// use guardrails_core::{evaluate, Action, Context};
/// let mut chain = Chain::new(None);
/// let a = Action::shell("ls");
/// let d = evaluate(&a, &Context::default());
/// let lines: Vec<String> = (0..3).map(|_| chain.append(&a, &Context::default(), &d, SystemTime::now()).to_line() + "\n").collect();
/// let head = chain.head();
/// // the last record is cut: the checkpoint names it
/// let err = verify(lines[..2].concat().as_bytes(), None, head.as_ref()).unwrap_err();
/// assert_eq!((err.index(), err.kind()), (2, ErrorKind::Truncated));
/// // the middle one is dropped
/// let err = verify([lines[0].as_str(), lines[2].as_str()].concat().as_bytes(), None, None).unwrap_err();
/// assert_eq!((err.index(), err.kind()), (1, ErrorKind::Dropped));
/// ```
pub fn verify<R: BufRead>(
    reader: R,
    key: Option<&AuditKey>,
    expected_head: Option<&Head>,
) -> Result<Verified, AuditError> {
    let mut verifier = Verifier::new(key);
    if let Some(h) = expected_head {
        verifier = verifier.expect_head(h.clone());
    }
    verify_with(reader, verifier)
}

/// [`verify`] with a verifier set up.
fn verify_with<R: BufRead>(mut reader: R, mut verifier: Verifier) -> Result<Verified, AuditError> {
    let cannot_read = |index, e: std::io::Error| {
        AuditError::new(
            index,
            ErrorKind::Malformed,
            format!("cannot read the line: {e}"),
        )
    };
    let mut line = String::new();
    loop {
        // the common case: a whole line in the reader's buffer, laid out as the writer
        // writes it and with the right hash, is checked where it is; anything else is read
        // into `line` and checked there
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(cannot_read(verifier.index, e)),
        };
        if buf.is_empty() {
            break;
        }
        if let Some(used) = verifier.feed_buffered(buf)? {
            reader.consume(used);
            continue;
        }
        line.clear();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| cannot_read(verifier.index, e))?;
        if n == 0 {
            break;
        }
        match line.strip_suffix('\n') {
            Some(l) => verifier.feed(l)?,
            None => return Err(verifier.torn()),
        }
    }
    verifier.finish()
}

/// A record whose sequence number skipped ahead: dropped records, or the first of a reordered
/// pair; the next record decides which.
#[derive(Clone, Debug)]
struct Pending {
    index: u64,
    seq: u64,
    expected: u64,
}

/// The verification state machine behind [`verify`]: feed it lines (without `\n`) of one or
/// several files in order, then [`finish`](Self::finish).
///
/// ```
/// use guardrails_core::audit::{Head, Verifier};
/// let v = Verifier::new(None).starting_after(Head { seq: 9, hash: "ab".repeat(32) });
/// let verified = v.finish()?; // no records after the head: nothing to check
/// assert_eq!(verified.count, 0);
/// # Ok::<(), guardrails_core::audit::AuditError>(())
/// ```
#[derive(Debug)]
pub struct Verifier {
    key: Option<AuditKey>,
    key_id: String,
    index: u64,
    expected_seq: u64,
    /// The hash the next record's `prev` must be (bytes of a `String`).
    expected_prev: Vec<u8>,
    pending: Option<Pending>,
    checkpoint: Option<Head>,
    count: u64,
    /// The last accepted sequence number; its hash is `expected_prev`.
    head_seq: Option<u64>,
    /// Whether lines in the writer's layout are checked by [`scan`] and [`fast_check`]
    /// (always, but in the tests that compare the two ways).
    fast: bool,
}

impl Verifier {
    /// A verifier of a chain from its first record.
    pub fn new(key: Option<&AuditKey>) -> Self {
        Verifier {
            key: key.cloned(),
            key_id: key.map(AuditKey::id).unwrap_or_default(),
            index: 0,
            expected_seq: 0,
            expected_prev: GENESIS.as_bytes().to_vec(),
            pending: None,
            checkpoint: None,
            count: 0,
            head_seq: None,
            fast: true,
        }
    }

    /// Checks every line the slow way (serde_json), for the tests that compare.
    #[cfg(test)]
    fn slow_only(mut self) -> Self {
        self.fast = false;
        self
    }

    /// Verifies records that continue after `head` (older files were archived), instead of
    /// from the start of the chain.
    #[must_use]
    pub fn starting_after(mut self, head: Head) -> Self {
        self.expected_seq = head.seq.saturating_add(1);
        self.expected_prev = head.hash.into_bytes();
        self.head_seq = Some(head.seq);
        self
    }

    /// Requires the chain to reach this checkpoint, with the same hash at its sequence number.
    #[must_use]
    pub fn expect_head(mut self, head: Head) -> Self {
        self.checkpoint = Some(head);
        self
    }

    /// The index the next line gets.
    pub fn next_index(&self) -> u64 {
        self.index
    }

    /// The error for a last line without its newline (an interrupted write).
    pub fn torn(&self) -> AuditError {
        match &self.pending {
            Some(p) => dropped(p),
            None => AuditError::new(self.index, ErrorKind::Malformed, "the last line is cut short (an interrupted write): opening the log for appending removes it"),
        }
    }

    /// Checks the next line (without its `\n`): its hash and its place in the chain. The
    /// members `actor`, `context`, `action` and `decision` must be present; their inside is
    /// read only by [`feed_record`](Self::feed_record).
    pub fn feed(&mut self, line: &str) -> Result<(), AuditError> {
        self.step(line).map(|_| ())
    }

    /// [`feed`](Self::feed), also reading the whole record; returns it when it is accepted
    /// (`None` while a gap waits for the next line to tell dropped from reordered; that line
    /// then fails).
    pub fn feed_record(&mut self, line: &str) -> Result<Option<AuditRecord>, AuditError> {
        let index = self.index;
        if !self.step(line)? {
            return Ok(None);
        }
        let record =
            parse_record(line).map_err(|(kind, detail)| AuditError::new(index, kind, detail))?;
        Ok(Some(record))
    }

    /// One line; `Ok(true)` when accepted, `Ok(false)` when pending.
    fn step(&mut self, line: &str) -> Result<bool, AuditError> {
        let first = self.index == 0 && self.head_seq.is_none();
        let fast = scan(line.as_bytes(), &self.key_id)
            .filter(|s| self.fast && s.end == line.len())
            .and_then(|s| fast_check(self.key.as_ref(), line.as_bytes(), &s));
        let checked = match fast {
            Some(link) => Ok(link),
            None => check_link(line, self.key.as_ref(), &self.key_id, first).map(|l| Linked {
                seq: l.seq,
                prev: l.prev.as_bytes(),
                hash: l.hash.as_bytes(),
            }),
        };
        self.advance(checked)
    }

    /// The start of `buf` as a line (up to its `\n`) when it is a whole line in the writer's
    /// layout, valid UTF-8, with the right hash: advances past it and returns its length with
    /// the `\n`. `Ok(None)` for anything else, which the caller then reads as a line and feeds
    /// (the checks, and every error, are [`step`](Self::step)'s).
    fn feed_buffered(&mut self, buf: &[u8]) -> Result<Option<usize>, AuditError> {
        let Some(s) = scan(buf, &self.key_id).filter(|_| self.fast) else {
            return Ok(None);
        };
        let Some(line) = buf.get(..s.end).filter(|_| buf.get(s.end) == Some(&b'\n')) else {
            return Ok(None);
        };
        if !s.ascii && std::str::from_utf8(line).is_err() {
            return Ok(None);
        }
        let Some(link) = fast_check(self.key.as_ref(), line, &s) else {
            return Ok(None);
        };
        self.advance(Ok(link))?;
        Ok(Some(s.end + 1))
    }

    /// The chain checks of a line whose own checks gave `checked`.
    fn advance(
        &mut self,
        checked: Result<Linked<'_>, (ErrorKind, String)>,
    ) -> Result<bool, AuditError> {
        let index = self.index;
        self.index += 1;
        if let Some(p) = self.pending.take() {
            return Err(match checked {
                Ok(r) if r.seq < p.seq => AuditError::new(
                    p.index,
                    ErrorKind::Reordered,
                    format!(
                        "sequence {} comes before {}: records are out of order",
                        p.seq, r.seq
                    ),
                ),
                _ => dropped(&p),
            });
        }
        let link = checked.map_err(|(kind, detail)| AuditError::new(index, kind, detail))?;
        if link.seq > self.expected_seq {
            self.pending = Some(Pending {
                index,
                seq: link.seq,
                expected: self.expected_seq,
            });
            return Ok(false);
        }
        if link.seq < self.expected_seq {
            return Err(AuditError::new(
                index,
                ErrorKind::Inserted,
                format!(
                    "sequence {} was already seen (expected {}): a copied or replayed record",
                    link.seq, self.expected_seq
                ),
            ));
        }
        if link.prev != self.expected_prev {
            let what = if index == 0 {
                "the chain does not start here"
            } else {
                "it does not follow the previous record"
            };
            return Err(AuditError::new(index, ErrorKind::Inserted, format!("{what}: its `prev` is not the previous record's hash (a record of another chain)")));
        }
        if let Some(c) = &self.checkpoint {
            if c.seq == link.seq && c.hash.as_bytes() != link.hash {
                return Err(AuditError::new(index, ErrorKind::Modified, format!("sequence {} does not have the checkpoint's hash `{}`: the chain was rewritten", c.seq, c.hash)));
            }
        }
        self.expected_seq = link.seq.saturating_add(1);
        self.count += 1;
        self.head_seq = Some(link.seq);
        self.expected_prev.clear();
        self.expected_prev.extend_from_slice(link.hash);
        Ok(true)
    }

    /// Ends the stream: checks what only the end can tell (a pending gap, the checkpoint).
    pub fn finish(self) -> Result<Verified, AuditError> {
        if let Some(p) = &self.pending {
            return Err(dropped(p));
        }
        if let Some(c) = &self.checkpoint {
            let reached = self.head_seq;
            if reached.is_none_or(|s| s < c.seq) {
                let have = reached.map_or("no record".to_owned(), |s| format!("sequence {s}"));
                return Err(AuditError::new(self.index, ErrorKind::Truncated, format!("the chain ends at {have} but the checkpoint is at sequence {}: records were cut from the end", c.seq)));
            }
        }
        let head = self.head_seq.map(|seq| Head {
            seq,
            hash: into_string(self.expected_prev),
        });
        Ok(Verified {
            count: self.count,
            head,
        })
    }
}

fn dropped(p: &Pending) -> AuditError {
    AuditError::new(
        p.index,
        ErrorKind::Dropped,
        format!(
            "sequence {} where {} was expected: {} record(s) missing before it",
            p.seq,
            p.expected,
            p.seq - p.expected
        ),
    )
}

#[derive(Deserialize)]
struct KeyIdOnly {
    #[serde(default)]
    key_id: Option<String>,
}

/// Checks one line on its own: shape, key, hash, fields. `first`: the first record of the
/// stream, where another key id means the wrong key rather than an edit.
pub(crate) fn check_line(
    line: &str,
    key: Option<&AuditKey>,
    key_id: &str,
    first: bool,
) -> Result<AuditRecord, (ErrorKind, String)> {
    check_link(line, key, key_id, first)?;
    parse_record(line)
}

/// The chain members of a line, borrowed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Link<'a> {
    v: u32,
    seq: u64,
    prev: &'a str,
    time: &'a str,
    key_id: &'a str,
    #[serde(rename = "actor")]
    _actor: IgnoredAny,
    #[serde(rename = "context")]
    _context: IgnoredAny,
    #[serde(rename = "action")]
    _action: IgnoredAny,
    #[serde(rename = "decision")]
    _decision: IgnoredAny,
    hash: &'a str,
}

/// Checks a line's shape, key, hash and chain members. `first`: the first record of the
/// stream, where another key id means the wrong key rather than an edit.
fn check_link<'a>(
    line: &'a str,
    key: Option<&AuditKey>,
    key_id: &str,
    first: bool,
) -> Result<Link<'a>, (ErrorKind, String)> {
    let (prefix, hash) = split_line(line)?;
    let link = serde_json::from_str::<Link<'_>>(line);
    if first {
        let written = match &link {
            Ok(l) => Some(l.key_id.to_owned()),
            Err(_) => serde_json::from_str::<KeyIdOnly>(line)
                .ok()
                .and_then(|k| k.key_id),
        };
        if let Some(written) = written.filter(|w| w != key_id) {
            let detail = match (written.is_empty(), key_id.is_empty()) {
                (true, _) => "the log is not keyed but a key was given".to_owned(),
                (false, true) => format!("the log is keyed (key id `{written}`): give its key"),
                (false, false) => format!(
                    "the log was written with key id `{written}`, the given key's id is `{key_id}`"
                ),
            };
            return Err((ErrorKind::WrongKey, detail));
        }
    }
    // `hash` is 64 lowercase hex digits (split_line checked): comparing its bytes with the
    // digest (`blake3::Hash` compares in constant time) is comparing the hex texts
    let actual = digest(key, prefix.as_bytes());
    if blake3::Hash::from_hex(hash).ok() != Some(actual) {
        return Err((
            ErrorKind::Modified,
            "its hash does not match its content".into(),
        ));
    }
    let link = link.map_err(|e| (ErrorKind::Malformed, format!("not a record: {}", clean(&e))))?;
    if link.v != FORMAT_VERSION {
        return Err((
            ErrorKind::Malformed,
            format!(
                "format version {} is not supported (expected {FORMAT_VERSION})",
                link.v
            ),
        ));
    }
    if link.key_id != key_id {
        return Err((
            ErrorKind::WrongKey,
            format!("written with key id `{}`, expected `{key_id}`", link.key_id),
        ));
    }
    if link.prev.len() != 64
        || !link
            .prev
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err((
            ErrorKind::Malformed,
            "`prev` is not 64 lowercase hex digits".into(),
        ));
    }
    if parse_rfc3339(link.time).is_none() {
        return Err((
            ErrorKind::Malformed,
            format!("`time` is not an RFC 3339 time: `{}`", link.time),
        ));
    }
    Ok(link)
}

/// The members of a record the chain checks need, borrowed from its line.
struct Linked<'a> {
    seq: u64,
    prev: &'a [u8],
    hash: &'a [u8],
}

/// A line laid out as the writer writes it, as [`scan`] read it.
#[derive(Debug)]
struct Scanned {
    seq: u64,
    /// Where `prev`'s 64 lowercase hex digits start.
    prev: usize,
    /// Where the stored hash's 64 bytes start.
    hash: usize,
    /// The line's length: where its closing `}` ends.
    end: usize,
    /// Whether every byte of the line before the stored hash is ASCII: then the whole line
    /// is, when the stored hash is right (hex digits), and it is UTF-8 without a check.
    ascii: bool,
}

/// Reads the start of `s` as a record line exactly as the writer lays it out: the members in
/// their order, no whitespace, `"v":1`, `prev` 64 lowercase hex digits, `time` in the writer's
/// layout and a date that exists, `key_id` equal to `key_id`, the other members' values in a
/// strict subset of JSON (no `\\u` escapes, nesting up to 64), then `"hash":"<64 bytes>"}`.
/// `None` for anything else. Whatever it takes, serde_json reads the same way and
/// [`check_link`] accepts up to the hash, which [`fast_check`] compares: such a line is
/// checked in one pass without serde_json (a test compares the two over mutated lines).
fn scan(s: &[u8], key_id: &str) -> Option<Scanned> {
    let mut c = Cursor { s, i: 0, high: 0 };
    c.lit(b"{\"v\":1,\"seq\":")?;
    let seq = c.uint()?;
    c.lit(b",\"prev\":\"")?;
    let prev = c.skip(64)?;
    if !is_hex64(s.get(prev..c.i)?) {
        return None;
    }
    c.lit(b"\",\"time\":\"")?;
    let time = c.skip(27)?;
    if !is_writer_time(s.get(time..c.i)?) {
        return None;
    }
    c.lit(b"\",\"key_id\":\"")?;
    c.bytes(key_id.as_bytes())?;
    c.lit(b"\",\"actor\":")?;
    c.member(Cursor::actor)?;
    c.lit(b",\"context\":")?;
    c.member(Cursor::context)?;
    c.lit(b",\"action\":")?;
    c.member(Cursor::action)?;
    c.lit(b",\"decision\":")?;
    c.member(Cursor::decision)?;
    c.lit(b",\"hash\":\"")?;
    let hash = c.skip(64)?;
    c.lit(b"\"}")?;
    Some(Scanned {
        seq,
        prev,
        hash,
        end: c.i,
        ascii: c.high & HIGH == 0,
    })
}

/// The hash check of a line [`scan`] read (`line` is the whole line): the keyed hash of the
/// bytes before `,"hash":"` against the stored digits, compared without an early exit.
/// `None` when they differ (the slow path then names the error).
fn fast_check<'a>(key: Option<&AuditKey>, line: &'a [u8], s: &Scanned) -> Option<Linked<'a>> {
    let prefix = line.get(..s.hash.checked_sub(9)?)?;
    let stored = line.get(s.hash..s.hash.checked_add(64)?)?;
    let actual = hex32(digest(key, prefix).as_bytes());
    let diff = actual.iter().zip(stored).fold(0u8, |d, (a, b)| d | (a ^ b));
    if diff != 0 {
        return None;
    }
    Some(Linked {
        seq: s.seq,
        prev: line.get(s.prev..s.prev.checked_add(64)?)?,
        hash: stored,
    })
}

/// A cursor for [`scan`]; every method returns `None` where it gives up. `high` collects the
/// bytes of strings (and some after them), to tell whether a line is ASCII.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
    high: u64,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn lit<const N: usize>(&mut self, want: &[u8; N]) -> Option<()> {
        let got = self.s.get(self.i..)?.first_chunk::<N>()?;
        (got == want).then(|| self.i += N)
    }

    fn bytes(&mut self, want: &[u8]) -> Option<()> {
        let end = self.i.checked_add(want.len())?;
        (self.s.get(self.i..end)? == want).then(|| self.i = end)
    }

    /// Moves `n` bytes on; returns where they start.
    fn skip(&mut self, n: usize) -> Option<usize> {
        let start = self.i;
        let end = start.checked_add(n).filter(|&e| e <= self.s.len())?;
        self.i = end;
        Some(start)
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    /// A non-negative integer without leading zeros that fits in a `u64`.
    fn uint(&mut self) -> Option<u64> {
        if self.peek()? == b'0' {
            self.i += 1;
            return (!self.peek().is_some_and(|b| b.is_ascii_digit())).then_some(0);
        }
        let start = self.i;
        let mut n: u64 = 0;
        while let Some(d) = self.peek().filter(u8::is_ascii_digit) {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.i += 1;
        }
        (self.i > start).then_some(n)
    }

    /// A string; simple escapes are taken, `\\u` gives up. Unescaped bytes go 8 at a time.
    fn string(&mut self) -> Option<()> {
        let s = self.s;
        let mut i = self.i;
        if s.get(i) != Some(&b'"') {
            return None;
        }
        i += 1;
        let mut high = self.high;
        loop {
            for chunk in s.get(i..).unwrap_or_default().chunks_exact(8) {
                let Ok(word) = <[u8; 8]>::try_from(chunk) else {
                    break;
                };
                let w = u64::from_le_bytes(word);
                high |= w;
                let special = special_bytes(w);
                if special != 0 {
                    // the byte index of the lowest flag: below 8
                    i += (special.trailing_zeros() / 8) as usize;
                    break;
                }
                i += 8;
            }
            match *s.get(i)? {
                b'"' => {
                    self.i = i + 1;
                    self.high = high;
                    return Some(());
                }
                b'\\' => match s.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    _ => return None,
                },
                b if b < 0x20 => return None,
                b => {
                    // the last bytes, fewer than 8
                    high |= u64::from(b);
                    i += 1;
                }
            }
        }
    }

    /// An array of strings.
    fn strings(&mut self) -> Option<()> {
        self.lit(b"[")?;
        if self.lit(b"]").is_some() {
            return Some(());
        }
        loop {
            self.string()?;
            if self.lit(b",").is_none() {
                return self.lit(b"]");
            }
        }
    }

    /// A member's value: first as `layout` expects the writer to write it (literal keys
    /// compared, not scanned), else any value [`value`](Self::value) takes. The layouts take
    /// only JSON (literals, strings, arrays of strings, values), so this takes no more than
    /// `value` does.
    fn member(&mut self, layout: fn(&mut Self) -> Option<()>) -> Option<()> {
        let start = self.i;
        if layout(self).is_some() {
            return Some(());
        }
        self.i = start;
        self.value()
    }

    /// `{"id":"…","kind":"…","roles":[…]}`, `id` and `roles` when present.
    fn actor(&mut self) -> Option<()> {
        self.lit(b"{")?;
        if self.lit(b"\"id\":").is_some() {
            self.string()?;
            self.lit(b",")?;
        }
        self.lit(b"\"kind\":")?;
        self.string()?;
        if self.lit(b",\"roles\":").is_some() {
            self.strings()?;
        }
        self.lit(b"}")
    }

    /// `{"origin":"…","environment":"…","resource":"…","labels":{…}}`, each when present.
    fn context(&mut self) -> Option<()> {
        self.lit(b"{")?;
        let mut first = true;
        if self.key(first, b"\"origin\":") {
            self.string()?;
            first = false;
        }
        if self.key(first, b"\"environment\":") {
            self.string()?;
            first = false;
        }
        if self.key(first, b"\"resource\":") {
            self.string()?;
            first = false;
        }
        if self.key(first, b"\"labels\":") {
            self.value()?;
        }
        self.lit(b"}")
    }

    /// Moves past `,"name":` (`"name":` for the first member) when that comes next.
    fn key<const N: usize>(&mut self, first: bool, name: &[u8; N]) -> bool {
        let at = self.i;
        if (first || self.lit(b",").is_some()) && self.lit(name).is_some() {
            return true;
        }
        self.i = at;
        false
    }

    /// A SQL, shell or exec action.
    fn action(&mut self) -> Option<()> {
        if self.lit(b"{\"kind\":\"sql\",\"dialect\":").is_some() {
            self.string()?;
            self.lit(b",\"text\":")?;
            self.string()?;
        } else if self.lit(b"{\"kind\":\"shell\",\"command\":").is_some() {
            self.string()?;
            self.lit(b",\"shell\":")?;
            self.string()?;
        } else {
            self.lit(b"{\"kind\":\"exec\",\"argv\":")?;
            self.strings()?;
        }
        self.lit(b"}")
    }

    /// The decision summary.
    fn decision(&mut self) -> Option<()> {
        self.lit(b"{\"verdict\":")?;
        self.string()?;
        if self.lit(b",\"enforced\":true").is_none() {
            self.lit(b",\"enforced\":false")?;
        }
        self.lit(b",\"rules\":")?;
        self.strings()?;
        self.lit(b",\"policy_digest\":")?;
        self.string()?;
        self.lit(b",\"fingerprint\":")?;
        self.string()?;
        self.lit(b",\"approvals\":")?;
        self.strings()?;
        self.lit(b"}")
    }

    /// A JSON number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    /// One JSON value without whitespace, containers nested up to 64 deep; iterative, with
    /// the open containers as bits (1: an array).
    fn value(&mut self) -> Option<()> {
        const MAX_DEPTH: u32 = 64;
        let mut arrays: u64 = 0;
        let mut depth: u32 = 0;
        loop {
            match self.peek()? {
                b'"' => self.string()?,
                b'{' => {
                    self.i += 1;
                    if self.peek()? == b'}' {
                        self.i += 1;
                    } else {
                        if depth == MAX_DEPTH {
                            return None;
                        }
                        arrays &= !(1u64 << depth);
                        depth += 1;
                        self.string()?;
                        self.lit(b":")?;
                        continue;
                    }
                }
                b'[' => {
                    self.i += 1;
                    if self.peek()? == b']' {
                        self.i += 1;
                    } else {
                        if depth == MAX_DEPTH {
                            return None;
                        }
                        arrays |= 1u64 << depth;
                        depth += 1;
                        continue;
                    }
                }
                b't' => self.lit(b"true")?,
                b'f' => self.lit(b"false")?,
                b'n' => self.lit(b"null")?,
                _ => self.number()?,
            }
            // a value ended: close containers until one goes on
            loop {
                let Some(top) = depth.checked_sub(1) else {
                    return Some(());
                };
                let in_array = arrays >> top & 1 == 1;
                match self.peek()? {
                    b',' => {
                        self.i += 1;
                        if !in_array {
                            self.string()?;
                            self.lit(b":")?;
                        }
                        break;
                    }
                    b']' if in_array => {
                        self.i += 1;
                        depth = top;
                    }
                    b'}' if !in_array => {
                        self.i += 1;
                        depth = top;
                    }
                    _ => return None,
                }
            }
        }
    }
}

/// Reads a whole record (after [`check_link`] accepted its line).
fn parse_record(line: &str) -> Result<AuditRecord, (ErrorKind, String)> {
    serde_json::from_str(line)
        .map_err(|e| (ErrorKind::Malformed, format!("not a record: {}", clean(&e))))
}

fn clean(e: &serde_json::Error) -> String {
    let s = e.to_string();
    s.split(" at line ").next().unwrap_or(&s).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::testgen::{edits, edits_with, Rng};
    use crate::audit::Chain;

    /// Lines of every shape, keyed or not, as the writer writes them (with their key).
    fn written(seed: u64, n: usize) -> Vec<(Option<AuditKey>, String)> {
        let mut rng = Rng::new(seed);
        let mut out = Vec::new();
        for keyed in [true, false] {
            let key = keyed.then(|| AuditKey::from_bytes([3; 32]));
            let mut chain = Chain::new(key.clone());
            for _ in 0..n {
                let action = rng.action();
                let context = rng.context();
                let decision = rng.decision(&action, &context);
                let line = chain
                    .append_line(&action, &context, &decision, rng.time())
                    .1;
                out.push((key.clone(), line));
            }
        }
        out
    }

    /// The fast check of a whole line as its callers make it (a line they take is UTF-8),
    /// `None` where it leaves the line to the slow one.
    fn fast(line: &[u8], key: Option<&AuditKey>, key_id: &str) -> Option<(u64, Vec<u8>, Vec<u8>)> {
        let s = scan(line, key_id).filter(|s| s.end == line.len())?;
        let utf8 = std::str::from_utf8(line).is_ok();
        let l = fast_check(key, line, &s).filter(|_| s.ascii || utf8)?;
        assert!(
            !s.ascii || line.is_ascii(),
            "{}",
            String::from_utf8_lossy(line)
        );
        assert!(utf8);
        Some((l.seq, l.prev.to_vec(), l.hash.to_vec()))
    }

    /// The line with its prefix edited and the hash made right again, as a key holder could
    /// write it: only the other checks can tell.
    fn rehashed(prefix: &[u8], key: Option<&AuditKey>) -> Vec<u8> {
        let mut line = prefix.to_vec();
        line.extend_from_slice(b",\"hash\":\"");
        line.extend_from_slice(&hex32(digest(key, prefix).as_bytes()));
        line.extend_from_slice(b"\"}");
        line
    }

    /// Every edit of a line: each byte of its prefix edited (hash made right again), each
    /// byte of the line edited (hash left as it was).
    fn all_edits(line: &[u8], key: Option<&AuditKey>) -> Vec<Vec<u8>> {
        let prefix = &line[..line.len() - 75];
        let mut out = Vec::new();
        for i in 0..prefix.len() {
            out.extend(edits(prefix, i).iter().map(|e| rehashed(e, key)));
        }
        for i in 0..line.len() {
            out.extend(edits(line, i));
        }
        out
    }

    fn has_u_escape(b: &[u8]) -> bool {
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'\\' {
                if b.get(i + 1) == Some(&b'u') {
                    return true;
                }
                i += 2;
            } else {
                i += 1;
            }
        }
        false
    }

    /// Whatever the fast check takes, the slow one (serde_json and the checks one by one)
    /// takes too, with the same members: on written lines of every shape and on every
    /// one-byte edit of some of them, rehashed or not. And it does take the writer's lines.
    #[test]
    fn the_fast_check_takes_only_what_the_slow_one_takes() {
        let mut taken = 0;
        let mut edited = 0;
        let mut edits_taken = 0;
        let lines = written(11, 60);
        for (n, (key, line)) in lines.iter().enumerate() {
            let key_id = key.as_ref().map(AuditKey::id).unwrap_or_default();
            let mut check = |bytes: &[u8]| {
                let Some((seq, prev, hash)) = fast(bytes, key.as_ref(), &key_id) else {
                    return false;
                };
                let text = std::str::from_utf8(bytes).unwrap();
                let slow = check_link(text, key.as_ref(), &key_id, false)
                    .unwrap_or_else(|e| panic!("{e:?}: {text}"));
                assert_eq!(
                    (slow.seq, slow.prev.as_bytes(), slow.hash.as_bytes()),
                    (seq, &prev[..], &hash[..]),
                    "{text}"
                );
                edits_taken += 1;
                true
            };
            // a time of year 10000 or later is written but not read (not RFC 3339); `\\u`
            // escapes (control characters) are left to the slow check
            let readable = check_link(line, key.as_ref(), &key_id, true).is_ok();
            let plain = !has_u_escape(line.as_bytes());
            assert_eq!(check(line.as_bytes()), readable && plain, "{line}");
            taken += usize::from(readable);
            if n % 20 < 2 {
                for e in all_edits(line.as_bytes(), key.as_ref()) {
                    check(&e);
                    edited += 1;
                }
            }
            // the wrong key, another key id
            let other = AuditKey::from_bytes([4; 32]);
            assert!(fast(line.as_bytes(), Some(&other), &other.id()).is_none());
            assert!(fast(line.as_bytes(), None, "").is_none() || key.is_none());
        }
        assert!(taken > 100, "{taken}");
        assert!(edited > 100_000, "{edited}");
        // edits the slow check takes too (digits of `seq`, letters of strings, …) are taken
        assert!(edits_taken > taken + 1000, "{edits_taken}");
    }

    fn both_ways(log: &[u8], key: Option<&AuditKey>, head: Option<&Head>, capacity: usize) {
        let set_up = |v: Verifier| match head {
            Some(h) => v.expect_head(h.clone()),
            None => v,
        };
        let fast = verify_with(
            std::io::BufReader::with_capacity(capacity, log),
            set_up(Verifier::new(key)),
        );
        let slow = verify_with(log, set_up(Verifier::new(key).slow_only()));
        assert_eq!(fast, slow, "{}", String::from_utf8_lossy(log));
    }

    /// `verify` gives the same result (count and head, or the same error at the same record)
    /// with the fast checks as with the slow ones alone: on logs, every one-byte edit of
    /// them, lines dropped, swapped or repeated, other keys, and readers whose buffer cuts
    /// lines anywhere.
    #[test]
    fn verify_gives_the_same_answer_with_and_without_the_fast_checks() {
        let lines = written(5, 12);
        for keyed in [true, false] {
            let chain: Vec<&(Option<AuditKey>, String)> = lines
                .iter()
                .filter(|(k, _)| k.is_some() == keyed)
                .take(6)
                .collect();
            let key = chain[0].0.clone();
            let log: Vec<u8> = chain
                .iter()
                .flat_map(|(_, l)| format!("{l}\n").into_bytes())
                .collect();
            let head = Head {
                seq: 5,
                hash: chain[5].1[chain[5].1.len() - 66..chain[5].1.len() - 2].to_owned(),
            };
            let other = AuditKey::from_bytes([8; 32]);
            for capacity in [1, 7, 64, 300, 700, 8192] {
                for k in [key.as_ref(), Some(&other), None] {
                    both_ways(&log, k, Some(&head), capacity);
                    both_ways(&log, k, None, capacity);
                }
                both_ways(&log[..log.len() - 1], key.as_ref(), Some(&head), capacity);
            }
            // (the line checks are compared over every edit byte above: fewer here)
            const SOME: &[u8] = b"0\"\\,}\n\xff";
            for i in 0..log.len() {
                for e in edits_with(&log, i, SOME) {
                    both_ways(&e, key.as_ref(), Some(&head), 8192);
                }
                if i % 97 == 0 {
                    for e in edits(&log, i) {
                        both_ways(&e, key.as_ref(), None, 100);
                    }
                }
            }
            // the first line and one in the middle edited and rehashed
            for n in [0, 3] {
                let l = &chain[n].1;
                let prefix = &l.as_bytes()[..l.len() - 75];
                for i in 0..prefix.len() {
                    for e in edits_with(prefix, i, SOME) {
                        let e = rehashed(&e, key.as_ref());
                        let mut log = Vec::new();
                        for (m, (_, other)) in chain.iter().enumerate() {
                            log.extend_from_slice(if m == n { &e } else { other.as_bytes() });
                            log.push(b'\n');
                        }
                        both_ways(&log, key.as_ref(), Some(&head), 8192);
                    }
                }
            }
            let line = |i: usize| format!("{}\n", chain[i].1);
            for order in [
                vec![0, 1, 3, 4, 5],
                vec![0, 2, 1, 3, 4, 5],
                vec![0, 1, 1, 2, 3, 4, 5],
                vec![1, 2, 3],
                vec![0, 1, 2, 3, 4],
                vec![0, 1, 2, 5, 4, 3],
            ] {
                let log: String = order.iter().map(|&i| line(i)).collect();
                both_ways(log.as_bytes(), key.as_ref(), Some(&head), 8192);
                both_ways(log.as_bytes(), key.as_ref(), None, 8192);
            }
        }
    }
}
