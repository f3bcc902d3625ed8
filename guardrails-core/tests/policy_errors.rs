//! Bad policy documents fail to load with errors that name the line, the column and the field,
//! follow the message style, and suggest fixes.

#![allow(
    clippy::panic,
    clippy::print_stdout,
    reason = "test helpers fail loudly and print the messages they check"
)]

use guardrails_core::{Policy, PolicyError};

fn err(text: &str) -> PolicyError {
    match Policy::from_toml(text) {
        Ok(_) => panic!("loaded:\n{text}"),
        Err(e) => e,
    }
}

/// Messages: lowercase start, no final period, no line break, no Rust type names.
fn styled(e: &PolicyError) {
    let m = e.message();
    assert!(
        m.chars().next().is_some_and(|c| !c.is_uppercase()),
        "starts uppercase: {m}"
    );
    assert!(!m.ends_with('.'), "ends with a period: {m}");
    assert!(!m.contains('\n'), "line break: {m}");
    for rust in [
        "Doc",
        "OneOrMany",
        "struct ",
        "Vec<",
        "Option<",
        "String",
        "u32",
        "enum ",
    ] {
        assert!(!m.contains(rust), "names a Rust type (`{rust}`): {m}");
    }
    if let Some(h) = e.help() {
        assert!(!h.contains('\n'), "help has a line break: {h}");
    }
}

#[track_caller]
fn check(text: &str, line: usize, field: &str, contains: &str) -> PolicyError {
    let e = err(text);
    println!("{e}  [help: {:?}]", e.help());
    styled(&e);
    assert_eq!(e.line(), Some(line), "line of: {e}");
    assert_eq!(e.field(), field, "field of: {e}");
    assert!(e.to_string().contains(contains), "`{e}` lacks `{contains}`");
    e
}

#[test]
fn unknown_field_in_a_rule_suggests_the_right_one() {
    let e = check(
        "version = 1\n\n[[rules]]\nid = \"no-prod-drop\"\nverdict = \"deny\"\nsql = { kind = \"drop table\" }\n[rules.when]\nenviroment = \"production\"\n",
        8,
        "rules[0].when.enviroment",
        "unknown field `enviroment` in rule `no-prod-drop`",
    );
    assert_eq!(
        e.to_string(),
        "policy.toml:8:1: unknown field `enviroment` in rule `no-prod-drop`"
    );
    assert_eq!(e.help(), Some("did you mean `environment`?"));
    assert_eq!(e.column(), Some(1));
}

#[test]
fn unknown_top_level_field() {
    let e = check(
        "version = 1\nmdoe = \"monitor\"\n",
        2,
        "mdoe",
        "unknown field `mdoe`",
    );
    assert_eq!(e.help(), Some("did you mean `mode`?"));
}

#[test]
fn unknown_verdict_value() {
    let e = check("version = 1\n[[rules]]\nid = \"x\"\nverdict = \"denny\"\nsql = { kind = \"drop table\" }\n", 4, "rules[0].verdict", "unknown value `denny` for `verdict` in rule `x`");
    assert_eq!(e.help(), Some("did you mean `deny`?"));
}

#[test]
fn wrong_type_says_what_was_expected() {
    check("version = 1\n[[rules]]\nid = \"x\"\nverdict = \"deny\"\nwhen = 3\nsql = { kind = \"drop table\" }\n", 5, "rules[0].when", "expected a table");
    check(
        "version = 1\n[[builtin]]\nrule = \"sql.drop\"\ndisable = \"yes\"\n",
        4,
        "builtin[0].disable",
        "expected `true` or `false`",
    );
}

#[test]
fn missing_fields() {
    check(
        "version = 1\n[[rules]]\nid = \"x\"\nsql = { kind = \"drop table\" }\n",
        2,
        "rules[0]",
        "missing field `verdict` in rule `x`",
    );
    check("mode = \"monitor\"\n", 1, "", "missing field `version`");
}

#[test]
fn syntax_errors_have_a_position() {
    let e = err("version = 1\n[[rules]\n");
    styled(&e);
    assert_eq!(e.line(), Some(2));
    assert!(matches!(e, PolicyError::Syntax(_)));
    let e = Policy::from_json("{\"version\": 1,\n \"mode\": }").unwrap_err();
    assert_eq!(e.line(), Some(2));
}

#[test]
fn unsupported_version() {
    let e = check("version = 2\n", 1, "version", "unsupported version `2`");
    assert!(matches!(e, PolicyError::Invalid(_)));
}

#[test]
fn unknown_builtin_rule_suggests() {
    let e = check(
        "version = 1\n\n[[builtin]]\nrule = \"sql.delete-without-were\"\ndisable = true\n",
        4,
        "builtin[0].rule",
        "unknown rule `sql.delete-without-were`",
    );
    assert_eq!(e.help(), Some("did you mean `sql.delete-without-where`?"));
    check(
        "version = 1\n[[builtin]]\nrule = \"nosql.*\"\ndisable = true\n",
        3,
        "builtin[0].rule",
        "unknown rule `nosql.*`",
    );
}

#[test]
fn bad_globs_and_regexes() {
    check("version = 1\n[[rules]]\nid = \"x\"\nverdict = \"deny\"\nsql = { objects = [\"public.[users\"] }\n", 5, "rules[0].sql.objects", "bad pattern `public.[users` in `objects` in rule `x`");
    check("version = 1\n[[rules]]\nid = \"x\"\nverdict = \"deny\"\ntext = { regex = \"DROP (TABLE\" }\n", 5, "rules[0].text.regex", "bad regex `DROP (TABLE` in rule `x`");
    check("version = 1\n[[rules]]\nid = \"x\"\nverdict = \"deny\"\nsql = { kind = \"drop\" }\nwhen = { actor = \"bot[\" }\n", 6, "rules[0].when.actor", "bad pattern `bot[`");
}

#[test]
fn contradictory_scopes_and_changes() {
    check("version = 1\n[[rules]]\nid = \"x\"\nverdict = \"deny\"\nsql = { kind = \"drop table\" }\nwhen = { environment = [] }\n", 6, "rules[0].when.environment", "empty list");
    check(
        "version = 1\n[[builtin]]\nrule = \"sql.drop\"\nverdict = \"review\"\nwhen = { environment = \"staging\" }\n[[builtin]]\nrule = \"sql.drop\"\nverdict = \"allow\"\nwhen = { environment = \"staging\" }\n",
        6,
        "builtin[1]",
        "contradicts `builtin[0]`",
    );
    check(
        "version = 1\n[[builtin]]\nrule = \"sql.drop\"\ndisable = true\nverdict = \"review\"\n",
        4,
        "builtin[0].disable",
        "both disables",
    );
}

#[test]
fn fail_closed_rules_cannot_be_lowered() {
    let e = check(
        "version = 1\n[[builtin]]\nrule = \"sql.unparseable\"\ndisable = true\n",
        4,
        "builtin[0].disable",
        "cannot be disabled or lowered",
    );
    assert!(e.help().is_some());
}

#[test]
fn duplicate_and_builtin_rule_ids() {
    check(
        "version = 1\n[[rules]]\nid = \"x\"\nverdict = \"deny\"\nsql = { kind = \"drop table\" }\n[[rules]]\nid = \"x\"\nverdict = \"deny\"\nsql = { kind = \"truncate\" }\n",
        7,
        "rules[1].id",
        "used twice",
    );
    check("version = 1\n[[rules]]\nid = \"sql.drop\"\nverdict = \"deny\"\nsql = { kind = \"drop table\" }\n", 3, "rules[0].id", "is a built-in rule");
    check(
        "version = 1\n[[rules]]\nid = \"x\"\nverdict = \"deny\"\n",
        2,
        "rules[0]",
        "has no matcher",
    );
}

#[test]
fn examples_that_misbehave_name_the_rule_and_the_example() {
    let e = check(
        "version = 1\n[[rules]]\nid = \"no-users-delete\"\nverdict = \"deny\"\nsql = { kind = \"delete\", objects = \"public.users\" }\nmatch = [\"DELETE FROM users WHERE id = 1\", \"DELETE FROM orders\"]\n",
        6,
        "rules[0].match[1]",
        "rule `no-users-delete` does not match its example `DELETE FROM orders`",
    );
    assert!(matches!(e, PolicyError::Example(_)));
    check(
        "version = 1\n[[rules]]\nid = \"no-users-delete\"\nverdict = \"deny\"\nsql = { kind = \"delete\" }\nnot_match = [\"DELETE FROM users\"]\n",
        6,
        "rules[0].not_match[0]",
        "listed in `not_match`",
    );
    check("version = 1\n[[builtin]]\nrule = \"sql.drop\"\nverdict = \"review\"\nmatch = [\"SELECT 1\"]\n", 5, "builtin[0].match[0]", "`sql.drop` does not fire on its example `SELECT 1`");
}

#[test]
fn keys_must_be_32_bytes_of_hex() {
    check(
        "version = 1\n[[approvers]]\nid = \"alice\"\nkey = \"abc\"\n",
        4,
        "approvers[0].key",
        "not 64 hex digits",
    );
    check(
        "version = 1\nfingerprint_key = \"zz\"\n",
        2,
        "fingerprint_key",
        "not 64 hex digits",
    );
}

#[test]
fn tool_mappings_are_checked() {
    check(
        "version = 1\n[[tools]]\nname = \"run_sql\"\nkind = \"sql\"\n",
        2,
        "tools[0]",
        "missing field `argument`",
    );
    let e = check(
        "version = 1\n[[tools]]\nname = \"run_sql\"\nkind = \"sqll\"\nargument = \"query\"\n",
        4,
        "tools[0].kind",
        "unknown value `sqll`",
    );
    assert_eq!(e.help(), Some("did you mean `sql`?"));
}

#[test]
fn catalogue_strategies_are_checked() {
    let e = check(
        "version = 1\n[catalogue]\n[[catalogue.data]]\ntable = \"users\"\ncolumns = \"email\"\ntags = \"pii.email\"\n[catalogue.strategies]\n\"pii.email\" = \"partail\"\n",
        8,
        "catalogue.strategies.pii.email",
        "unknown masking strategy `partail`",
    );
    assert_eq!(e.help(), Some("did you mean `partial`?"));
}

#[test]
fn json_documents_name_the_field() {
    let e = Policy::from_json(r#"{"version":1,"rules":[{"id":"x","verdict":"deny","sql":{"kind":"drop table"},"when":{"enviroment":"prod"}}]}"#).unwrap_err();
    println!("{e}");
    styled(&e);
    assert_eq!(e.field(), "rules[0].when.enviroment");
    assert_eq!(e.help(), Some("did you mean `environment`?"));
    assert_eq!(e.line(), Some(1));
}

#[test]
fn io_errors_name_the_file() {
    let e = Policy::from_path("/nonexistent/policy.toml").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/nonexistent/policy.toml: cannot read the policy"),
        "{e}"
    );
}
