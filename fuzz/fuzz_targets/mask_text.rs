//! Maskers under arbitrary input: no panic, valid UTF-8 out, and no value the detectors find
//! in the input survives in the output, whole or streamed in arbitrary chunks.
//!
//! The first input byte picks the chunk size of the streaming run; the rest is the text.

#![no_main]

use guardrails_core::mask::{detect, Masker};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let masker = Masker::default();

    let whole = masker.mask_text(&text);
    let found = detect(&text);
    // Spans are ordered, disjoint and on character boundaries.
    let mut last = 0;
    for m in &found {
        assert!(m.span.0 >= last && m.span.0 < m.span.1 && m.span.1 <= text.len());
        assert!(text.is_char_boundary(m.span.0) && text.is_char_boundary(m.span.1));
        last = m.span.1;
    }
    // A detected value does not survive, unless the same text also appears where it is not a
    // value (inside a longer word, say), which the naive check cannot tell apart.
    for m in &found {
        let value = &text[m.span.0..m.span.1];
        if text.matches(value).count() == 1 {
            assert!(!whole.contains(value), "`{value}` survived masking");
        }
    }

    // Streaming with a tiny window gives valid UTF-8 and never leaks a value shorter than the
    // window.
    let chunk = usize::from(first % 31) + 1;
    let mut stream = masker.stream().with_window(64, 8);
    let mut out = String::new();
    let mut i = 0;
    while i < text.len() {
        let mut j = (i + chunk).min(text.len());
        while !text.is_char_boundary(j) {
            j += 1;
        }
        out.push_str(&stream.push(&text[i..j]));
        i = j;
    }
    out.push_str(&stream.finish());
    for m in &found {
        let value = &text[m.span.0..m.span.1];
        if value.len() < 32 && text.matches(value).count() == 1 {
            assert!(!out.contains(value), "`{value}` survived streaming");
        }
    }

    // JSON: the text as a string member and as a named member.
    let v = serde_json::json!({ "note": text, "email": text });
    let masked = masker.mask_json(&v);
    assert!(masked.get("email").and_then(|e| e.as_str()) == Some("[email]"));
});
