//! Streaming text masking in bounded memory: chunks of any size in, masked text out, values
//! split across chunk boundaries still masked.

use std::io::{BufRead, Write};

use super::detect::detect;
use super::masker::Masker;

/// Text held back so that a value starting before the cut is seen whole: longer than the
/// longest value a detector reports (a PEM block is at most 64 KiB).
const HOLD: usize = 96 * 1024;
/// Text gathered before a pass, so each pass emits at least this much.
const MIN_EMIT: usize = 64 * 1024;
/// Already emitted text kept before the cut as look-back (e-mail local parts, key labels).
const LOOK_BACK: usize = 256;

/// A streaming text masker: [`TextStream::push`] chunks, then [`TextStream::finish`]. Holds at
/// most about 160 KiB plus the last chunk.
///
/// ```
/// use guardrails_core::mask::Masker;
/// let m = Masker::default();
/// let mut s = m.stream();
/// let mut out = s.push("mail bob@exa");
/// out += &s.push("mple.com today");
/// out += &s.finish();
/// assert_eq!(out, "mail [email] today");
/// ```
#[derive(Debug)]
pub struct TextStream<'m> {
    masker: &'m Masker,
    buf: String,
    /// Bytes at the start of `buf` already emitted (look-back only).
    emitted: usize,
    hold: usize,
    min_emit: usize,
}

impl Masker {
    /// A streaming masker for text.
    pub fn stream(&self) -> TextStream<'_> {
        TextStream {
            masker: self,
            buf: String::new(),
            emitted: 0,
            hold: HOLD,
            min_emit: MIN_EMIT,
        }
    }

    /// Masks text from a reader to a writer in bounded memory; invalid UTF-8 is replaced by
    /// U+FFFD. Returns the number of bytes read.
    ///
    /// ```
    /// use guardrails_core::mask::Masker;
    /// let mut out = Vec::new();
    /// Masker::default().mask_reader(&b"token ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"[..], &mut out)?;
    /// assert_eq!(String::from_utf8_lossy(&out), "token [github-token]\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn mask_reader<R: BufRead, W: Write>(
        &self,
        mut reader: R,
        mut writer: W,
    ) -> std::io::Result<u64> {
        let mut stream = self.stream();
        let mut pending: Vec<u8> = Vec::new();
        let mut total = 0u64;
        loop {
            let chunk = reader.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len();
            pending.extend_from_slice(chunk);
            reader.consume(n);
            total += n as u64;
            let valid = match std::str::from_utf8(&pending) {
                Ok(_) => pending.len(),
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(_) => {
                    let text = String::from_utf8_lossy(&pending).into_owned();
                    pending.clear();
                    writer.write_all(stream.push(&text).as_bytes())?;
                    continue;
                }
            };
            let rest = pending.split_off(valid);
            let text = String::from_utf8_lossy(&pending).into_owned();
            pending = rest;
            writer.write_all(stream.push(&text).as_bytes())?;
        }
        if !pending.is_empty() {
            writer.write_all(stream.push(&String::from_utf8_lossy(&pending)).as_bytes())?;
        }
        writer.write_all(stream.finish().as_bytes())?;
        writer.flush()?;
        Ok(total)
    }
}

impl TextStream<'_> {
    /// Uses a smaller window (for tests and fuzzing): values longer than `hold` bytes may then
    /// be cut.
    #[doc(hidden)]
    #[must_use]
    pub fn with_window(mut self, hold: usize, min_emit: usize) -> Self {
        self.hold = hold.max(1);
        self.min_emit = min_emit.max(1);
        self
    }

    /// Adds a chunk; returns the masked text that is now final (possibly empty).
    pub fn push(&mut self, chunk: &str) -> String {
        self.buf.push_str(chunk);
        if self.buf.len() < self.emitted + self.hold + self.min_emit {
            return String::new();
        }
        let matches = detect(&self.buf);
        let mut cut = floor_boundary(&self.buf, self.buf.len() - self.hold);
        // Prefer cutting just after whitespace.
        let window = self
            .buf
            .as_bytes()
            .get(cut.saturating_sub(1024).max(self.emitted)..cut)
            .unwrap_or(&[]);
        if let Some(p) = window.iter().rposition(u8::is_ascii_whitespace) {
            cut = cut - window.len() + p + 1;
        }
        // Never inside a value.
        if let Some(m) = matches.iter().find(|m| m.span.0 < cut && cut < m.span.1) {
            cut = if m.span.0 > self.emitted {
                m.span.0
            } else {
                m.span.1
            };
        }
        if cut <= self.emitted {
            return String::new();
        }
        let mut out = String::with_capacity(cut - self.emitted);
        let inside: Vec<_> = matches
            .into_iter()
            .filter(|m| m.span.1 > self.emitted && m.span.0 < cut)
            .collect();
        self.masker
            .write_masked(&self.buf, self.emitted, cut, &inside, &mut out);
        let keep_from = floor_boundary(&self.buf, cut.saturating_sub(LOOK_BACK));
        self.buf.drain(..keep_from);
        self.emitted = cut - keep_from;
        out
    }

    /// Masks and returns the rest.
    pub fn finish(self) -> String {
        let matches = detect(&self.buf);
        let inside: Vec<_> = matches
            .into_iter()
            .filter(|m| m.span.1 > self.emitted)
            .collect();
        let mut out = String::with_capacity(self.buf.len() - self.emitted);
        self.masker
            .write_masked(&self.buf, self.emitted, self.buf.len(), &inside, &mut out);
        out
    }
}

/// The largest character boundary at or before `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_equals_whole() {
        let unit = "log line user=bob@example.com card=4111 1111 1111 1111 ip 10.1.2.3 é\n";
        let text = unit.repeat(5000);
        let m = Masker::default();
        let whole = m.mask_text(&text);
        for size in [1usize, 7, 4096, 65_537] {
            let mut s = m.stream();
            let mut out = String::new();
            let mut i = 0;
            while i < text.len() {
                let mut j = (i + size).min(text.len());
                while !text.is_char_boundary(j) {
                    j += 1;
                }
                out += &s.push(&text[i..j]);
                i = j;
            }
            out += &s.finish();
            assert_eq!(out.len(), whole.len(), "chunk size {size}");
            assert!(out == whole, "chunk size {size}");
        }
    }

    #[test]
    fn small_window_still_masks_values_across_cuts() {
        let text = "x ".repeat(40) + "bob@example.com " + &"y ".repeat(40);
        let m = Masker::default();
        let mut s = m.stream().with_window(16, 8);
        let mut out = String::new();
        for c in text.split_inclusive(' ') {
            out += &s.push(c);
        }
        out += &s.finish();
        assert!(!out.contains("bob@example.com"));
        assert!(out.contains("[email]"));
    }
}
