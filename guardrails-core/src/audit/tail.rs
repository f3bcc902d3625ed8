//! Reading the end of a log file: the last complete line, and a torn line after it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

const CHUNK: u64 = 64 * 1024;

/// The end of a log file.
#[derive(Debug, Default)]
pub(crate) struct Tail {
    /// The last complete line (without `\n`) and its byte offset.
    pub last: Option<(String, u64)>,
    /// Where a final line without `\n` starts (an interrupted write), if there is one.
    pub torn_from: Option<u64>,
}

/// Offset just after the last `\n` before `end` (0 when there is none).
fn line_start(file: &mut File, end: u64) -> std::io::Result<u64> {
    let mut pos = end;
    let mut buf = vec![0u8; usize::try_from(CHUNK).unwrap_or(65_536)];
    while pos > 0 {
        let from = pos.saturating_sub(CHUNK);
        let n = usize::try_from(pos - from).unwrap_or(0);
        let part = buf.get_mut(..n).unwrap_or_default();
        file.seek(SeekFrom::Start(from))?;
        file.read_exact(part)?;
        if let Some(i) = memchr::memrchr(b'\n', part) {
            return Ok(from + i as u64 + 1);
        }
        pos = from;
    }
    Ok(0)
}

/// Reads the tail of a file `len` bytes long.
pub(crate) fn read_tail(file: &mut File, len: u64) -> std::io::Result<Tail> {
    if len == 0 {
        return Ok(Tail::default());
    }
    let mut last = [0u8; 1];
    file.seek(SeekFrom::Start(len - 1))?;
    file.read_exact(&mut last)?;
    let mut tail = Tail::default();
    let mut end = len;
    if last != *b"\n" {
        let start = line_start(file, len)?;
        tail.torn_from = Some(start);
        end = start;
    }
    if end == 0 {
        return Ok(tail);
    }
    let start = line_start(file, end - 1)?;
    let mut bytes = vec![0u8; usize::try_from(end - 1 - start).unwrap_or(0)];
    file.seek(SeekFrom::Start(start))?;
    file.read_exact(&mut bytes)?;
    let line = String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the last line is not UTF-8",
        )
    })?;
    tail.last = Some((line, start));
    Ok(tail)
}

/// The rotated files of a log `path`: `path.1`, `path.2`, ... in order, oldest first.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("gr-seg-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// for n in ["2", "10", "1", "x", "lock"] {
///     std::fs::write(dir.join(format!("audit.jsonl.{n}")), "")?;
/// }
/// let names: Vec<String> = guardrails_core::audit::segments(&dir.join("audit.jsonl"))?
///     .iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
/// assert_eq!(names, ["audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.10"]);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn segments(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Ok(Vec::new());
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let prefix = format!("{name}.");
    let mut found: Vec<(u64, PathBuf)> = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(num) = n.parse::<u64>() {
                found.push((num, entry.path()));
            }
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tail_of(content: &[u8]) -> Tail {
        let path =
            std::env::temp_dir().join(format!("gr-tail-{}-{}", std::process::id(), content.len()));
        let mut f = File::create(&path).unwrap();
        f.write_all(content).unwrap();
        let mut f = File::open(&path).unwrap();
        let t = read_tail(&mut f, content.len() as u64).unwrap();
        std::fs::remove_file(&path).unwrap();
        t
    }

    #[test]
    fn finds_the_last_line_and_a_torn_one() {
        let t = tail_of(b"a\nbb\n");
        assert_eq!((t.last, t.torn_from), (Some(("bb".to_owned(), 2)), None));
        let t = tail_of(b"a\nbb\ncc");
        assert_eq!((t.last, t.torn_from), (Some(("bb".to_owned(), 2)), Some(5)));
        let t = tail_of(b"only-torn");
        assert_eq!((t.last, t.torn_from), (None, Some(0)));
        let long = format!("x\n{}\n", "y".repeat(200_000));
        let t = tail_of(long.as_bytes());
        assert_eq!(t.last.map(|(l, at)| (l.len(), at)), Some((200_000, 2)));
    }
}
