//! The tamper matrix: every kind of damage is named, at the right record.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail the test by panicking"
)]

use std::time::{Duration, UNIX_EPOCH};

use guardrails_core::audit::{verify, AuditError, AuditKey, Chain, ErrorKind, Head, Verified};
use guardrails_core::{evaluate, Action, ActorKind, Context, Dialect};

fn key(byte: u8) -> AuditKey {
    AuditKey::from_bytes([byte; 32])
}

fn actions() -> Vec<(Action, Context)> {
    let mut ctx = Context::new(ActorKind::Agent, "production");
    ctx.actor.id = Some("billing-bot".into());
    ctx.actor.roles = vec!["analyst".into()];
    ctx.origin = Some("langchain".into());
    ctx.resource = Some("pg-main".into());
    ctx.labels.insert("ticket".into(), "OPS-1".into());
    vec![
        (
            Action::sql(Dialect::Postgres, "SELECT id FROM users WHERE id = 5"),
            ctx.clone(),
        ),
        (
            Action::sql(Dialect::Postgres, "DELETE FROM users"),
            ctx.clone(),
        ),
        (
            Action::shell("rm -rf /var/lib/data"),
            Context::new(ActorKind::Human, "staging"),
        ),
        (
            Action::exec(["kubectl", "delete", "ns", "prod"]),
            ctx.clone(),
        ),
        (
            Action::tool(
                "run_sql",
                serde_json::json!({"query": "DROP TABLE t", "limit": 5}),
            ),
            ctx.clone(),
        ),
        (
            Action::sql(Dialect::Mysql, "UPDATE t SET a = 1 WHERE id = 2"),
            Context::default(),
        ),
    ]
}

/// A chain of `n` records (cycling through the actions) and its lines (with `\n`).
fn chain(k: Option<&AuditKey>, n: usize, start_secs: u64) -> (Vec<String>, Option<Head>) {
    let mut chain = Chain::new(k.cloned());
    let acts = actions();
    let lines = (0..n)
        .map(|i| {
            let (a, c) = &acts[i % acts.len()];
            let t = UNIX_EPOCH + Duration::from_secs(start_secs + i as u64);
            chain.append(a, c, &evaluate(a, c), t).to_line() + "\n"
        })
        .collect();
    (lines, chain.head())
}

fn check(
    lines: &[String],
    k: Option<&AuditKey>,
    head: Option<&Head>,
) -> Result<Verified, AuditError> {
    verify(lines.concat().as_bytes(), k, head)
}

fn expect(
    lines: &[String],
    k: Option<&AuditKey>,
    head: Option<&Head>,
    index: u64,
    kind: ErrorKind,
    what: &str,
) {
    match check(lines, k, head) {
        Ok(v) => panic!(
            "{what}: verified {} records, expected {kind} at {index}",
            v.count
        ),
        Err(e) => {
            assert_eq!((e.index(), e.kind()), (index, kind), "{what}: {e}");
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("record {index}: ")), "{msg}");
            assert!(
                !msg.contains("AuditRecord") && !msg.contains("Error") && !msg.ends_with('.'),
                "{msg}"
            );
        }
    }
}

/// Changes one character of the value of `field` in `line`, keeping the JSON valid.
fn edit_field(line: &str, field: &str) -> String {
    let at = line
        .find(&format!("\"{field}\":"))
        .unwrap_or_else(|| panic!("no field {field}"))
        + field.len()
        + 3;
    let bytes = line.as_bytes();
    let i = (at..line.len())
        .find(|&i| bytes[i].is_ascii_alphanumeric())
        .unwrap();
    let c = bytes[i];
    let replacement = match c {
        b'0'..=b'8' => c + 1,
        b'9' => b'0',
        b'a'..=b'e' => c + 1,
        b'f' => b'a',
        b'A'..=b'Y' | b'g'..=b'y' => c + 1,
        _ => b'a',
    };
    let mut out = line.as_bytes().to_vec();
    out[i] = replacement;
    String::from_utf8(out).unwrap()
}

const FIELDS: [&str; 10] = [
    "v", "seq", "prev", "time", "key_id", "actor", "context", "action", "decision", "hash",
];
const INNER: [&str; 9] = [
    "id",
    "kind",
    "roles",
    "origin",
    "text",
    "verdict",
    "rules",
    "policy_digest",
    "fingerprint",
];

#[test]
fn intact_chains_verify_keyed_and_unkeyed() {
    let k = key(7);
    let (lines, head) = chain(Some(&k), 8, 1_700_000_000);
    let v = check(&lines, Some(&k), head.as_ref()).unwrap();
    assert_eq!((v.count, v.head), (8, head));
    let (lines, head) = chain(None, 3, 0);
    assert_eq!(check(&lines, None, head.as_ref()).unwrap().count, 3);
}

#[test]
fn an_edited_byte_in_any_field_is_modified() {
    let k = key(7);
    let (lines, _) = chain(Some(&k), 6, 1_700_000_000);
    for field in FIELDS.iter().chain(INNER.iter()) {
        for target in [2usize, 5] {
            if !lines[target].contains(&format!("\"{field}\":")) {
                continue;
            }
            let mut damaged = lines.clone();
            damaged[target] = edit_field(&lines[target], field);
            assert_ne!(damaged[target], lines[target]);
            expect(
                &damaged,
                Some(&k),
                None,
                target as u64,
                ErrorKind::Modified,
                &format!("edit `{field}` of record {target}"),
            );
        }
    }
    // record 0: an edit is `modified`, except its key id, which is read as the wrong key
    for field in FIELDS {
        let mut damaged = lines.clone();
        damaged[0] = edit_field(&lines[0], field);
        let kind = if field == "key_id" {
            ErrorKind::WrongKey
        } else {
            ErrorKind::Modified
        };
        expect(
            &damaged,
            Some(&k),
            None,
            0,
            kind,
            &format!("edit `{field}` of record 0"),
        );
    }
}

#[test]
fn an_edit_of_an_unkeyed_record_is_modified_too() {
    let (lines, _) = chain(None, 4, 0);
    let mut damaged = lines.clone();
    damaged[1] = lines[1].replace("DELETE FROM users", "DELETE FROM userz");
    expect(&damaged, None, None, 1, ErrorKind::Modified, "unkeyed edit");
}

#[test]
fn dropped_records_are_named_where_the_gap_is() {
    let k = key(7);
    let (lines, _) = chain(Some(&k), 6, 0);
    for drop in 0..5 {
        let mut damaged = lines.clone();
        damaged.remove(drop);
        expect(
            &damaged,
            Some(&k),
            None,
            drop as u64,
            ErrorKind::Dropped,
            &format!("drop {drop}"),
        );
    }
    let damaged = [
        lines[0].clone(),
        lines[1].clone(),
        lines[4].clone(),
        lines[5].clone(),
    ];
    expect(
        &damaged,
        Some(&k),
        None,
        2,
        ErrorKind::Dropped,
        "drop 2 and 3",
    );
}

#[test]
fn swapped_records_are_reordered() {
    let k = key(7);
    let (lines, _) = chain(Some(&k), 6, 0);
    for i in 0..5 {
        let mut damaged = lines.clone();
        damaged.swap(i, i + 1);
        expect(
            &damaged,
            Some(&k),
            None,
            i as u64,
            ErrorKind::Reordered,
            &format!("swap {i} and {}", i + 1),
        );
    }
    let mut damaged = lines.clone();
    damaged.swap(1, 4);
    expect(
        &damaged,
        Some(&k),
        None,
        1,
        ErrorKind::Reordered,
        "swap 1 and 4",
    );
}

#[test]
fn inserted_records_are_named() {
    let k = key(7);
    let (lines, _) = chain(Some(&k), 6, 0);
    // a copy of an earlier record
    let mut damaged = lines.clone();
    damaged.insert(4, lines[1].clone());
    expect(
        &damaged,
        Some(&k),
        None,
        4,
        ErrorKind::Inserted,
        "replay of record 1",
    );
    // a duplicated line
    let mut damaged = lines.clone();
    damaged.insert(3, lines[2].clone());
    expect(
        &damaged,
        Some(&k),
        None,
        3,
        ErrorKind::Inserted,
        "duplicate of record 2",
    );
    // a valid record of another chain (same key, same sequence number, other history)
    let (other, _) = chain(Some(&k), 6, 99);
    let mut damaged = lines.clone();
    damaged.insert(3, other[3].clone());
    expect(
        &damaged,
        Some(&k),
        None,
        3,
        ErrorKind::Inserted,
        "record of another chain",
    );
    // a forged record: not hashed with the key
    let mut damaged = lines.clone();
    let (forged, _) = chain(Some(&key(8)), 4, 0);
    damaged.insert(3, forged[3].clone());
    expect(
        &damaged,
        Some(&k),
        None,
        3,
        ErrorKind::Modified,
        "forged record",
    );
}

#[test]
fn two_valid_chains_spliced_are_caught_at_the_seam() {
    let k = key(7);
    let (a, _) = chain(Some(&k), 6, 0);
    let (b, _) = chain(Some(&k), 6, 500);
    let spliced: Vec<String> = a[..3].iter().chain(b[3..].iter()).cloned().collect();
    expect(&spliced, Some(&k), None, 3, ErrorKind::Inserted, "splice");
    // a second chain appended after the first restarts at sequence 0
    let both: Vec<String> = a.iter().chain(b.iter()).cloned().collect();
    expect(
        &both,
        Some(&k),
        None,
        6,
        ErrorKind::Inserted,
        "concatenation",
    );
}

#[test]
fn truncation_is_caught_against_the_checkpoint() {
    let k = key(7);
    let (lines, head) = chain(Some(&k), 6, 0);
    for keep in 0..6 {
        expect(
            &lines[..keep],
            Some(&k),
            head.as_ref(),
            keep as u64,
            ErrorKind::Truncated,
            &format!("keep {keep}"),
        );
        // without a checkpoint a shorter chain is still a valid chain
        assert_eq!(
            check(&lines[..keep], Some(&k), None).unwrap().count,
            keep as u64
        );
    }
    // a torn last line (an interrupted write) is not a record
    let mut torn = lines.clone();
    torn[5] = lines[5][..40].to_owned();
    expect(
        &torn,
        Some(&k),
        None,
        5,
        ErrorKind::Malformed,
        "torn last line",
    );
    // an older checkpoint is fine: the chain grew after it
    let (short, old_head) = chain(Some(&k), 3, 0);
    assert_eq!(short[..], lines[..3]);
    assert_eq!(check(&lines, Some(&k), old_head.as_ref()).unwrap().count, 6);
}

#[test]
fn a_rewritten_unkeyed_chain_is_caught_only_by_the_checkpoint() {
    let (lines, head) = chain(None, 5, 0);
    // the attacker edits record 1 and recomputes every hash (possible without a key)
    let mut c = Chain::new(None);
    let acts = actions();
    let rewritten: Vec<String> = (0..5)
        .map(|i| {
            let (a, ctx) = &acts[i % acts.len()];
            let a = if i == 1 {
                Action::sql(Dialect::Postgres, "SELECT 1")
            } else {
                a.clone()
            };
            c.append(
                &a,
                ctx,
                &evaluate(&a, ctx),
                UNIX_EPOCH + Duration::from_secs(i as u64),
            )
            .to_line()
                + "\n"
        })
        .collect();
    assert_ne!(rewritten, lines);
    assert_eq!(check(&rewritten, None, None).unwrap().count, 5);
    expect(
        &rewritten,
        None,
        head.as_ref(),
        4,
        ErrorKind::Modified,
        "rewrite vs checkpoint",
    );
}

#[test]
fn the_wrong_key_is_named_as_such() {
    let (lines, _) = chain(Some(&key(7)), 3, 0);
    expect(
        &lines,
        Some(&key(9)),
        None,
        0,
        ErrorKind::WrongKey,
        "other key",
    );
    expect(&lines, None, None, 0, ErrorKind::WrongKey, "no key");
    let (unkeyed, _) = chain(None, 3, 0);
    expect(
        &unkeyed,
        Some(&key(7)),
        None,
        0,
        ErrorKind::WrongKey,
        "key for unkeyed log",
    );
}

#[test]
fn malformed_lines_are_errors_not_skips() {
    let k = key(7);
    let (lines, _) = chain(Some(&k), 4, 0);
    for (bad, what) in [
        ("\n", "empty line"),
        ("garbage\n", "text"),
        ("{\"v\":1}\n", "object without hash"),
    ] {
        let mut damaged = lines.clone();
        damaged.insert(2, bad.to_owned());
        expect(&damaged, Some(&k), None, 2, ErrorKind::Malformed, what);
    }
    // a record with an unknown member, hashed correctly (a writer bug, or a forger with the key)
    let (unkeyed, _) = chain(None, 2, 0);
    let prefix = &unkeyed[1][..unkeyed[1].len() - 76];
    let prefix = format!("{prefix},\"extra\":1");
    let line = format!(
        "{prefix},\"hash\":\"{}\"}}\n",
        blake3::hash(prefix.as_bytes()).to_hex()
    );
    expect(
        &[unkeyed[0].clone(), line],
        None,
        None,
        1,
        ErrorKind::Malformed,
        "unknown member",
    );
}
