//! Value detectors: valid values, checksum failures and near-misses in ordinary prose.

use guardrails_core::mask::{detect, Kind};

fn found(text: &str) -> Vec<(Kind, String)> {
    detect(text)
        .iter()
        .map(|m| (m.kind, text[m.span.0..m.span.1].to_owned()))
        .collect()
}

fn one(text: &str, kind: Kind, value: &str) {
    assert_eq!(found(text), vec![(kind, value.to_owned())], "in {text:?}");
}

fn none(text: &str) {
    assert_eq!(found(text), vec![], "in {text:?}");
}

#[test]
fn emails() {
    one(
        "write to jane.doe+tag@mail.example.co.uk today",
        Kind::Email,
        "jane.doe+tag@mail.example.co.uk",
    );
    one("(bob@example.com).", Kind::Email, "bob@example.com");
    none("meet @ noon, user@localhost, a@b.c, @handle, foo@bar.123");
}

#[test]
fn phones() {
    one("call +1 415 555 0100 now", Kind::Phone, "+1 415 555 0100");
    one("call +442079460958", Kind::Phone, "+442079460958");
    one("tel (415) 555-0100", Kind::Phone, "(415) 555-0100");
    one("tel 415.555.0100", Kind::Phone, "415.555.0100");
    one("uk 020 7946 0958", Kind::Phone, "020 7946 0958");
    one("fr 06 12 34 56 78", Kind::Phone, "06 12 34 56 78");
    // Invalid NANP area code, a date, a version, a count, a plain number.
    none("id 155-555-0100, on 2024-01-15, v1.2.3, 100 200 3000 items, order 4155550100");
}

#[test]
fn cards() {
    one(
        "visa 4111 1111 1111 1111 ok",
        Kind::Card,
        "4111 1111 1111 1111",
    );
    one("mc 5555-5555-5555-4444", Kind::Card, "5555-5555-5555-4444");
    one("amex 378282246310005", Kind::Card, "378282246310005");
    // Luhn fails; Luhn holds but no issuer; mixed separators; too short.
    none("visa 4111 1111 1111 1112, 9999999999999995, 4111-1111 1111-1111, 411111111111");
}

#[test]
fn ibans() {
    one(
        "pay GB82 WEST 1234 5698 7654 32 now",
        Kind::Iban,
        "GB82 WEST 1234 5698 7654 32",
    );
    one(
        "DE89370400440532013000",
        Kind::Iban,
        "DE89370400440532013000",
    );
    // Bad check digits, bad length for the country, a part number.
    none("GB82WEST12345698765433 DE8937040044053201300 AB12 is a part");
}

#[test]
fn ssns() {
    one("ssn 536-22-1234.", Kind::Ssn, "536-22-1234");
    one("ssn 536 22 1234", Kind::Ssn, "536 22 1234");
    // Invalid area, group, serial; the advertising number; a plain 9-digit id.
    none("000-12-3456 666-12-3456 912-12-3456 536-00-1234 536-22-0000 078-05-1120 ref 536221234");
}

#[test]
fn tokens() {
    one(
        "AKIAIOSFODNN7EXAMPLE",
        Kind::AwsAccessKeyId,
        "AKIAIOSFODNN7EXAMPLE",
    );
    one(
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        Kind::AwsSecretAccessKey,
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    one(
        "key=AIzaSyA-1234567890abcdefghijklmnopqrstu",
        Kind::GcpApiKey,
        "AIzaSyA-1234567890abcdefghijklmnopqrstu",
    );
    one(
        "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
        Kind::GithubToken,
        "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
    );
    one(
        "glpat-abcdefghij0123456789",
        Kind::GitlabToken,
        "glpat-abcdefghij0123456789",
    );
    one(
        "xoxb-123456789012-abcdefghij",
        Kind::SlackToken,
        "xoxb-123456789012-abcdefghij",
    );
    one(
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        Kind::StripeKey,
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    );
    // Prefixes with too few characters, a wrong alphabet, words that merely start alike.
    none("AKIA1234 AKIAiosfodnn7example ghp_short glpat-x xoxb-1 sk_live_x skating asking ghostly");
}

#[test]
fn jwts() {
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    one(&format!("Bearer {jwt}."), Kind::Jwt, jwt);
    // `eyJ` that does not decode to a JSON header naming `alg` or `typ`.
    none("eyJub3RoaW5nIjoxfQ.eyJ4IjoxfQ.sig and eyJ alone");
}

#[test]
fn private_keys() {
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----";
    one(&format!("key:\n{pem}\nend"), Kind::PrivateKey, pem);
    let truncated = "-----BEGIN PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu";
    one(truncated, Kind::PrivateKey, truncated);
    none("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----");
}

#[test]
fn url_passwords() {
    one(
        "DATABASE_URL=postgres://app:s3cr%40t@db.internal:5432/app",
        Kind::UrlPassword,
        "s3cr%40t",
    );
    // No password, or no user info at all.
    none("see https://example.com/path and postgres://app@db/x");
}

#[test]
fn ip_addresses() {
    one("from 192.168.10.20:443", Kind::Ipv4, "192.168.10.20");
    one(
        "peer 2001:db8::8a2e:370:7334 up",
        Kind::Ipv6,
        "2001:db8::8a2e:370:7334",
    );
    one("lo ::1", Kind::Ipv6, "::1");
    // Octet over 255, five parts, a time, a MAC address, a Rust path.
    none("256.1.1.1 1.2.3.4.5 12:30:45 00:1a:2b:3c:4d:5e std::io::Read");
}

#[test]
fn ordinary_prose_has_nothing() {
    none("On 2024-03-05 at 10:30 the build 1.84.0 ran 1,234 tests in 56.7s; see issue #4521 and PR 88. \
          The team (12 people) met at room 404. Call it v2. Price: $19.99.");
}

#[test]
fn adversarial_input_is_linear() {
    // Long runs that start many candidates must not be quadratic.
    let inputs = [
        "1".repeat(200_000),
        "eyJ".repeat(70_000),
        "a@".repeat(100_000),
        "-----BEGIN ".repeat(20_000),
        "1.".repeat(100_000),
        "a:".repeat(100_000),
    ];
    for s in &inputs {
        let t = std::time::Instant::now();
        let _ = detect(s);
        assert!(t.elapsed().as_secs_f64() < 2.0, "slow on {:?}…", &s[..20]);
    }
}
