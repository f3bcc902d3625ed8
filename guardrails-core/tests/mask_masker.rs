//! The masker: every strategy on rows, JSON and text; hash stability; streaming.

use guardrails_core::mask::{Catalogue, Masker, Strategy};
use guardrails_core::{Action, Context, Dialect, Policy};
use serde_json::{json, Value};

fn decision(sql: &str) -> guardrails_core::Decision {
    Policy::builtin().evaluate(&Action::sql(Dialect::Postgres, sql), &Context::default())
}

#[cfg(test)]
fn with(strategies: &str) -> Catalogue {
    Catalogue::from_json(&format!(r#"{{"strategies": {strategies}}}"#)).unwrap()
}

#[test]
fn redact_names_the_tag() {
    let d = decision("SELECT id, email, ssn FROM users WHERE id = $1");
    let row = Policy::builtin().masker(&d).mask_row(
        &["id", "email", "ssn"],
        &[json!(1), json!("a@b.io"), json!("536-22-1234")],
    );
    assert_eq!(row, vec![json!(1), json!("[email]"), json!("[ssn]")]);
}

#[test]
fn partial_keeps_what_it_is_told() {
    let d = decision("SELECT card_number FROM payments WHERE id = $1");
    let cat = with(r#"{"pci": {"kind": "partial", "keep_first": 6, "keep_last": 4}}"#);
    let row = Masker::new(&d, &cat).mask_row(&["card_number"], &[json!("4111 1111 1111 1111")]);
    assert_eq!(row, vec![json!("4111 11** **** 1111")]);
    assert_eq!(
        d.masks[0].strategy, "redact",
        "the decision names the built-in catalogue's strategy"
    );
}

#[test]
fn hash_is_stable_per_key_so_joins_work() {
    let d = decision("SELECT email FROM users WHERE id = $1");
    let cat = with(r#"{"*": {"kind": "hash"}}"#);
    let m = Masker::new(&d, &cat);
    let a = m.mask_row(&["email"], &[json!("bob@example.com")]);
    let b = m.mask_row(&["email"], &[json!("bob@example.com")]);
    let c = m.mask_row(&["email"], &[json!("eve@example.com")]);
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(a[0].as_str().unwrap().starts_with("hash:"));
    let other = m
        .clone()
        .with_key([9u8; 32])
        .mask_row(&["email"], &[json!("bob@example.com")]);
    assert_ne!(a, other, "another key gives another token");
    let keyed = Catalogue::from_json(&format!(
        r#"{{"hash_key":"{}","strategies":{{"*":{{"kind":"hash"}}}}}}"#,
        "11".repeat(32)
    ))
    .unwrap();
    assert_eq!(
        Masker::new(&d, &keyed).mask_row(&["email"], &[json!("bob@example.com")]),
        m.clone()
            .with_key([0x11; 32])
            .mask_row(&["email"], &[json!("bob@example.com")])
    );
}

#[test]
fn null_fixed_and_format_preserving() {
    let d = decision("SELECT phone FROM customers WHERE id = $1");
    let null = Masker::new(&d, &with(r#"{"pii": {"kind": "null"}}"#));
    assert_eq!(
        null.mask_row(&["phone"], &[json!("+44 20 7946 0958")]),
        vec![Value::Null]
    );
    assert_eq!(null.mask_text("call +44 20 7946 0958."), "call .");
    let fixed = Masker::new(
        &d,
        &with(r#"{"pii.phone": {"kind": "fixed", "value": "withheld"}}"#),
    );
    assert_eq!(
        fixed.mask_row(&["phone"], &[json!("+44 20 7946 0958")]),
        vec![json!("withheld")]
    );
    let fpe = Masker::new(&d, &with(r#"{"*": {"kind": "format-preserving"}}"#));
    let out = fpe.mask_row(&["phone"], &[json!("+44 20 7946 0958")]);
    let s = out[0].as_str().unwrap();
    assert_eq!(s.len(), "+44 20 7946 0958".len());
    assert_eq!(s.chars().filter(char::is_ascii_digit).count(), 12);
    assert!(s.starts_with('+') && s.chars().nth(3) == Some(' '));
    assert_ne!(s, "+44 20 7946 0958");
    assert_eq!(
        fpe.mask_row(&["phone"], &[json!("+44 20 7946 0958")]),
        out,
        "deterministic"
    );
}

#[test]
fn unknown_strategy_fields_are_refused() {
    let e = Catalogue::from_json(r#"{"strategies": {"pii": {"kind": "partial", "keep": 2}}}"#)
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("invalid catalogue: strategies.pii: unknown field `keep`"),
        "{e}"
    );
    let e = Catalogue::from_json(r#"{"hash_key": "abc"}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "hash key must be 64 hexadecimal characters, got 3"
    );
}

#[test]
fn rows_after_a_wildcard_are_matched_by_name() {
    let d = decision("SELECT *, lower(email) AS e FROM users WHERE id = $1");
    let m = Policy::builtin().masker(&d);
    let row = m.mask_row(
        &["id", "email", "name", "e"],
        &[json!(1), json!("A@B.IO"), json!("Ann"), json!("a@b.io")],
    );
    assert_eq!(
        row,
        vec![json!(1), json!("[email]"), json!("Ann"), json!("[email]")]
    );
}

#[test]
fn json_masks_named_members_and_detected_values() {
    let m = Masker::default();
    let v = json!({"rows": [{"id": 1, "work_email": "a@b.io", "api_token": 12345, "bio": "ssn 536-22-1234", "ok": true}], "card": 4111111111111111u64});
    assert_eq!(
        m.mask_json(&v),
        json!({"rows": [{"id": 1, "work_email": "[email]", "api_token": "[secret]", "bio": "ssn [ssn]", "ok": true}], "card": "[card]"})
    );
}

#[test]
fn text_override_strategy() {
    let m = Masker::default().with_strategy(Strategy::parse("partial:0:2").unwrap());
    assert_eq!(m.mask_text("ip 10.1.2.3"), "ip **.*.2.3");
}

#[test]
fn reader_streams_large_input_in_bounded_memory() {
    let unit = "2024-05-01 GET /api?u=bob@example.com&card=4111111111111111 from 10.0.0.7 token=ghp_0123456789abcdefghijklmnopqrstuvwxyz\n";
    let text = unit.repeat(20_000);
    let m = Masker::default();
    let mut out = Vec::new();
    let n = m
        .mask_reader(
            std::io::BufReader::with_capacity(1000, text.as_bytes()),
            &mut out,
        )
        .unwrap();
    assert_eq!(n as usize, text.len());
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out, m.mask_text(&text));
    assert!(
        !out.contains("bob@example.com")
            && !out.contains("4111111111111111")
            && !out.contains("ghp_")
    );
}

#[test]
fn reader_keeps_split_utf8_and_replaces_invalid_bytes() {
    let mut bytes = "é bob@example.com ü".as_bytes().to_vec();
    bytes.push(0xff);
    let mut out = Vec::new();
    Masker::default()
        .mask_reader(std::io::BufReader::with_capacity(1, &bytes[..]), &mut out)
        .unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "é [email] ü\u{fffd}");
}
