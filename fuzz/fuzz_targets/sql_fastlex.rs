//! The fast SQL lexer against sqlparser's tokenizer: wherever the fast path takes an input, its
//! tokens, byte spans and line/column spans must be sqlparser's, in every dialect.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(difference) = guardrails_core::fuzzing::fastlex_agrees(text) {
            panic!("fast lexer disagrees with sqlparser: {difference}");
        }
    }
});
