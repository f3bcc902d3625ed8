//! Streaming verification: constant memory, names the first bad record.

use std::io::BufRead;

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::err::{AuditError, ErrorKind};
use super::key::AuditKey;
use super::record::{digest, plain_len, split_line, AuditRecord, Head, FORMAT_VERSION, GENESIS};
use super::time::parse_rfc3339;

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
    mut reader: R,
    key: Option<&AuditKey>,
    expected_head: Option<&Head>,
) -> Result<Verified, AuditError> {
    let mut verifier = Verifier::new(key);
    if let Some(h) = expected_head {
        verifier = verifier.expect_head(h.clone());
    }
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|e| {
            AuditError::new(
                verifier.index,
                ErrorKind::Malformed,
                format!("cannot read the line: {e}"),
            )
        })?;
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
    expected_prev: String,
    pending: Option<Pending>,
    checkpoint: Option<Head>,
    count: u64,
    /// The last accepted sequence number; its hash is `expected_prev`.
    head_seq: Option<u64>,
}

impl Verifier {
    /// A verifier of a chain from its first record.
    pub fn new(key: Option<&AuditKey>) -> Self {
        Verifier {
            key: key.cloned(),
            key_id: key.map(AuditKey::id).unwrap_or_default(),
            index: 0,
            expected_seq: 0,
            expected_prev: GENESIS.to_owned(),
            pending: None,
            checkpoint: None,
            count: 0,
            head_seq: None,
        }
    }

    /// Verifies records that continue after `head` (older files were archived), instead of
    /// from the start of the chain.
    #[must_use]
    pub fn starting_after(mut self, head: Head) -> Self {
        self.expected_seq = head.seq.saturating_add(1);
        self.expected_prev = head.hash;
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
        let index = self.index;
        self.index += 1;
        let first = index == 0 && self.head_seq.is_none();
        let checked = check_link(line, self.key.as_ref(), &self.key_id, first);
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
            if c.seq == link.seq && c.hash != link.hash {
                return Err(AuditError::new(index, ErrorKind::Modified, format!("sequence {} does not have the checkpoint's hash `{}`: the chain was rewritten", c.seq, c.hash)));
            }
        }
        self.expected_seq = link.seq.saturating_add(1);
        self.count += 1;
        self.head_seq = Some(link.seq);
        self.expected_prev.clear();
        self.expected_prev.push_str(link.hash);
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
            hash: self.expected_prev,
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
    let link = match fast_link(line) {
        Some(l) => Ok(l),
        None => serde_json::from_str::<Link<'_>>(line),
    };
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

/// The chain members of a line as the writer lays it out: the members in their order, no
/// whitespace, the chain strings without escapes, and the other members' values in a strict
/// subset of JSON (no `\\u` escapes, nesting up to 64). `None` for anything else, which then
/// goes to serde_json: this only takes lines serde_json reads the same way, faster (it is most
/// of a verify), and leaves every error to serde_json.
fn fast_link(line: &str) -> Option<Link<'_>> {
    let mut p = Scan {
        s: line.as_bytes(),
        i: 0,
    };
    p.lit(b"{\"v\":")?;
    let v = u32::try_from(p.uint()?).ok()?;
    p.lit(b",\"seq\":")?;
    let seq = p.uint()?;
    p.lit(b",\"prev\":")?;
    let prev = p.plain_str(line)?;
    p.lit(b",\"time\":")?;
    let time = p.plain_str(line)?;
    p.lit(b",\"key_id\":")?;
    let key_id = p.plain_str(line)?;
    for name in [
        &b",\"actor\":"[..],
        b",\"context\":",
        b",\"action\":",
        b",\"decision\":",
    ] {
        p.lit(name)?;
        p.value(0)?;
    }
    p.lit(b",\"hash\":")?;
    let hash = p.plain_str(line)?;
    p.lit(b"}")?;
    if p.i != p.s.len() {
        return None;
    }
    Some(Link {
        v,
        seq,
        prev,
        time,
        key_id,
        _actor: IgnoredAny,
        _context: IgnoredAny,
        _action: IgnoredAny,
        _decision: IgnoredAny,
        hash,
    })
}

/// A cursor for [`fast_link`]; every method returns `None` where it gives up.
struct Scan<'a> {
    s: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn byte(&mut self, want: u8) -> Option<()> {
        (self.peek()? == want).then(|| self.i += 1)
    }

    fn lit(&mut self, want: &[u8]) -> Option<()> {
        let end = self.i.checked_add(want.len())?;
        (self.s.get(self.i..end)? == want).then(|| self.i = end)
    }

    /// Moves past bytes a string holds as they are.
    fn skip_plain(&mut self) {
        self.i += plain_len(self.s.get(self.i..).unwrap_or(&[]));
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
        let start = self.i;
        let n = self.digits();
        let text = self.s.get(start..self.i)?;
        if n == 0 || n > 19 || (n > 1 && text.first() == Some(&b'0')) {
            return None;
        }
        text.iter().try_fold(0u64, |acc, &b| {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        })
    }

    /// A string without escapes or control characters, borrowed from `line`.
    fn plain_str<'l>(&mut self, line: &'l str) -> Option<&'l str> {
        self.lit(b"\"")?;
        let start = self.i;
        self.skip_plain();
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' => return None,
                b if b < 0x20 => return None,
                _ => self.i += 1,
            }
        }
        let text = line.get(start..self.i)?;
        self.i += 1;
        Some(text)
    }

    /// Skips a string; simple escapes are taken, `\\u` gives up.
    fn skip_str(&mut self) -> Option<()> {
        self.byte(b'"')?;
        loop {
            self.skip_plain();
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                b'\\' => {
                    self.i += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 1,
                        _ => return None,
                    }
                }
                b if b < 0x20 => return None,
                _ => self.i += 1,
            }
        }
    }

    /// Skips a JSON number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    fn skip_number(&mut self) -> Option<()> {
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

    /// Skips one JSON value without whitespace.
    fn value(&mut self, depth: u32) -> Option<()> {
        if depth > 64 {
            return None;
        }
        match self.peek()? {
            b'"' => self.skip_str(),
            b'{' => {
                self.i += 1;
                if self.byte(b'}').is_some() {
                    return Some(());
                }
                loop {
                    self.skip_str()?;
                    self.byte(b':')?;
                    self.value(depth + 1)?;
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                if self.byte(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.value(depth + 1)?;
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b't' => self.lit(b"true"),
            b'f' => self.lit(b"false"),
            b'n' => self.lit(b"null"),
            _ => self.skip_number(),
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

    fn same(line: &str) -> bool {
        let Some(fast) = fast_link(line) else {
            return true;
        };
        match serde_json::from_str::<Link<'_>>(line) {
            Ok(slow) => {
                (
                    fast.v,
                    fast.seq,
                    fast.prev,
                    fast.time,
                    fast.key_id,
                    fast.hash,
                ) == (
                    slow.v,
                    slow.seq,
                    slow.prev,
                    slow.time,
                    slow.key_id,
                    slow.hash,
                )
            }
            Err(_) => false,
        }
    }

    /// Whatever the fast reader takes, serde_json reads the same way: checked on written
    /// records and on every one-byte edit and insertion of them.
    #[test]
    fn fast_link_agrees_with_serde_json() {
        use crate::{Action, Context, Dialect};
        let mut chain = super::super::Chain::new(None);
        let mut ctx = Context::default();
        ctx.actor.id = Some("bot".into());
        ctx.actor.roles = vec!["a".into()];
        ctx.environment = Some("prod".into());
        ctx.labels.insert("k".into(), "v\"w".into());
        let actions = [
            Action::sql(Dialect::Postgres, "SELECT 'a\\b' -- \"x\"\n\t/"),
            Action::shell("ls -l"),
            Action::exec(["a", "b"]),
            Action::tool(
                "t",
                serde_json::json!({"n": [0, -1, 2.5, 1e10, -0.0e-3, 12345678901234567890u64], "b": [true, false, null], "o": {}, "e": [], "s": "é/\\", "u": "\u{1}"}),
            ),
        ];
        let mut lines = Vec::new();
        for a in &actions {
            let d = crate::evaluate(a, &ctx);
            lines.push(
                chain
                    .append_line(a, &ctx, &d, std::time::SystemTime::now())
                    .1,
            );
        }
        for line in &lines {
            // `\u0001` is left to serde_json
            assert_eq!(
                fast_link(line).is_some(),
                !line.contains("\\u0001"),
                "{line}"
            );
            assert!(same(line));
        }
        let bytes: &[u8] = b"0189-+.eE\"\\/ubnt,:{}[]x \t\x01\x7f";
        let mut edited = 0;
        for line in &lines {
            for i in 0..line.len() {
                for &b in bytes {
                    for insert in [false, true] {
                        let mut v = line.as_bytes().to_vec();
                        if insert {
                            v.insert(i, b);
                        } else {
                            v[i] = b;
                        }
                        let Ok(s) = String::from_utf8(v) else {
                            continue;
                        };
                        assert!(same(&s), "{s}");
                        edited += 1;
                    }
                }
            }
        }
        assert!(edited > 10_000);
        for s in [
            "{\"v\":01",
            "",
            "{",
            "{\"v\":1}",
            "{\"v\":4294967296,\"seq\":0",
        ] {
            assert!(same(s));
        }
    }
}
