//! Masks traced through queries, probes, exemptions and declared catalogues.

use guardrails_core::mask::{apply, Catalogue};
use guardrails_core::{evaluate, Action, Actor, ActorKind, Context, Decision, Dialect, Verdict};

fn decide(sql: &str) -> Decision {
    evaluate(&Action::sql(Dialect::Postgres, sql), &Context::default())
}

/// `(output, position, source)` of every mask.
fn masks(sql: &str) -> Vec<(String, usize, String)> {
    decide(sql)
        .masks
        .iter()
        .map(|m| (m.output.clone(), m.position, m.source.clone()))
        .collect()
}

fn m(o: &str, p: usize, s: &str) -> (String, usize, String) {
    (o.to_owned(), p, s.to_owned())
}

fn probes(d: &Decision) -> Vec<String> {
    d.findings
        .iter()
        .filter(|f| f.rule == "sql.masked-column-probe")
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn aliases_and_functions() {
    assert_eq!(
        masks("SELECT id, lower(email) AS e FROM users WHERE id = $1"),
        vec![m("e", 1, "users.email")]
    );
    assert_eq!(
        masks("SELECT u.id, concat(u.first_name, u.ssn) FROM people u WHERE u.id = 1"),
        vec![m("concat", 1, "people.ssn")]
    );
    assert_eq!(
        masks("SELECT substring(card_number, 1, 6) AS bin FROM payments LIMIT 5"),
        vec![m("bin", 0, "payments.card_number")]
    );
    assert_eq!(masks("SELECT name FROM users LIMIT 5"), vec![]);
}

#[test]
fn case_and_subqueries() {
    assert_eq!(
        masks("SELECT CASE WHEN vip THEN phone ELSE NULL END AS p FROM customers LIMIT 1"),
        vec![m("p", 0, "customers.phone")]
    );
    assert_eq!(
        masks("SELECT id, (SELECT max(email) FROM users x WHERE x.id = o.user_id) AS who FROM orders o LIMIT 3"),
        vec![m("who", 1, "users.email")]
    );
    assert_eq!(
        masks("SELECT t.e FROM (SELECT email AS e FROM users) t LIMIT 9"),
        vec![m("e", 0, "users.email")]
    );
    assert_eq!(
        masks("SELECT * FROM (SELECT id, password AS pw FROM accounts) a LIMIT 1"),
        vec![m("pw", 1, "accounts.password")]
    );
}

#[test]
fn ctes_and_unions() {
    assert_eq!(
        masks("WITH c(k, v) AS (SELECT id, ssn FROM people) SELECT k, v FROM c LIMIT 2"),
        vec![m("v", 1, "people.ssn")]
    );
    assert_eq!(
        masks("SELECT id, name FROM staff UNION ALL SELECT id, email FROM users LIMIT 10"),
        vec![m("name", 1, "users.email")]
    );
}

#[test]
fn joins_resolve_qualified_columns() {
    assert_eq!(
        masks("SELECT o.id, c.phone, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1"),
        vec![m("phone", 1, "customers.phone")]
    );
}

#[test]
fn wildcards_expand_through_named_columns() {
    let d = decide("SELECT * FROM users WHERE id = $1");
    let names: Vec<&str> = d.masks.iter().map(|m| m.output.as_str()).collect();
    assert!(
        names.contains(&"email") && names.contains(&"ssn") && names.contains(&"password"),
        "{names:?}"
    );
    assert!(d.masks.iter().all(|m| m.by_name));
    // Globs (`*_email`) are not expanded: nothing names such a column.
    assert!(!names.iter().any(|n| n.contains('*')));
}

#[test]
fn views_named_in_the_catalogue() {
    let cat = Catalogue::from_json(
        r#"{"views":[{"name":"active_users","columns":{"contact":["users.email"]}}]}"#,
    )
    .unwrap();
    let mut d = decide("SELECT id, contact FROM active_users LIMIT 5");
    assert!(d.masks.is_empty());
    apply(&mut d, &cat, &Context::default());
    assert_eq!(d.masks.len(), 1);
    assert_eq!(
        (d.masks[0].output.as_str(), d.masks[0].source.as_str()),
        ("contact", "users.email")
    );
    let mut d = decide("SELECT * FROM active_users LIMIT 5");
    apply(&mut d, &cat, &Context::default());
    assert_eq!(d.masks[0].output, "contact");
}

#[test]
fn probes_are_notices_under_the_builtin_catalogue() {
    for sql in [
        "SELECT id FROM users WHERE ssn LIKE '123%'",
        "SELECT id FROM users WHERE card_number BETWEEN '4000' AND '4100'",
        "SELECT id FROM users ORDER BY email LIMIT 5",
        "SELECT email, count(*) FROM users GROUP BY email",
        "SELECT count(*) FROM users GROUP BY substring(ssn, 1, 1)",
        "SELECT string_agg(email, ',') FROM users",
        "SELECT id FROM users WHERE substring(ssn, 1, 3) = '123'",
        "SELECT id FROM users WHERE starts_with(phone, '+1')",
    ] {
        let d = decide(sql);
        assert_eq!(probes(&d).len(), 1, "{sql}: {:?}", probes(&d));
        assert!(
            d.findings
                .iter()
                .filter(|f| f.rule == "sql.masked-column-probe")
                .all(|f| f.verdict == Verdict::Allow),
            "{sql}"
        );
    }
}

#[test]
fn lookups_are_not_probes() {
    for sql in [
        "SELECT id FROM users WHERE email = $1",
        "SELECT id FROM users WHERE lower(email) = lower($1)",
        "SELECT id FROM users WHERE email IN ($1, $2)",
        "SELECT u.id FROM users u JOIN contacts c ON c.email = u.email WHERE u.id = 3",
        "SELECT count(email) FROM users",
        "SELECT id FROM users WHERE email IS NOT NULL LIMIT 5",
    ] {
        assert_eq!(probes(&decide(sql)), Vec::<String>::new(), "{sql}");
    }
}

#[test]
fn a_declared_catalogue_makes_probes_review() {
    let cat = Catalogue::builtin().clone().explicit();
    let mut d = decide("SELECT id FROM users WHERE ssn LIKE '1%'");
    assert_eq!(d.verdict, Verdict::Allow);
    apply(&mut d, &cat, &Context::default());
    assert_eq!(d.verdict, Verdict::Review);
    assert_eq!(
        probes(&d),
        vec!["a pattern match on the masked column `users.ssn` can reveal its values"]
    );
    // Where mistakes are cheap the risky class allows it.
    let dev = Context::new(ActorKind::Human, "dev");
    let mut d = evaluate(
        &Action::sql(
            Dialect::Postgres,
            "SELECT id FROM users WHERE ssn LIKE '1%'",
        ),
        &dev,
    );
    apply(&mut d, &cat, &dev);
    assert_eq!(d.verdict, Verdict::Allow);
}

#[test]
fn exemptions_are_honoured_and_recorded() {
    let cat = Catalogue::from_json(
        r#"{"exempt":[{"roles":["dpo"],"tags":["pii.*"]},{"actors":["auditor-7"]}]}"#,
    )
    .unwrap()
    .explicit();
    let dpo = Context {
        actor: Actor {
            roles: vec!["dpo".into()],
            ..Actor::default()
        },
        ..Context::default()
    };
    let sql = "SELECT email, password FROM users WHERE email LIKE '%@x.com'";
    let mut d = evaluate(&Action::sql(Dialect::Postgres, sql), &dpo);
    apply(&mut d, &cat, &dpo);
    let email = d.masks.iter().find(|m| m.source == "users.email").unwrap();
    let pw = d
        .masks
        .iter()
        .find(|m| m.source == "users.password")
        .unwrap();
    assert_eq!(email.exempt.as_deref(), Some("role `dpo`"));
    assert_eq!(pw.exempt, None, "the role covers pii only");
    assert!(
        probes(&d).is_empty(),
        "no probe on a column the actor may see"
    );
    let auditor = Context {
        actor: Actor {
            id: Some("auditor-7".into()),
            ..Actor::default()
        },
        ..Context::default()
    };
    let mut d = evaluate(&Action::sql(Dialect::Postgres, sql), &auditor);
    apply(&mut d, &cat, &auditor);
    assert!(d
        .masks
        .iter()
        .all(|m| m.exempt.as_deref() == Some("actor `auditor-7`")));
    let masker = guardrails_core::mask::Masker::new(&d, &cat);
    assert_eq!(masker.column_masks(), 0);
}

#[test]
fn select_into_is_an_export_probe() {
    let d = decide("SELECT email INTO backup_emails FROM users");
    assert!(
        probes(&d).iter().any(|p| p.starts_with("copying out")),
        "{:?}",
        probes(&d)
    );
}
