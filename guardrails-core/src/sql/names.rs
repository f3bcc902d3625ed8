//! What names say: sensitive tables and columns, credential stores, admin flags, superusers.
//!
//! These run on every statement, so they borrow instead of allocating: lower-casing copies a
//! name only when it has an upper-case ASCII letter.

use std::borrow::Cow;

/// `s` with ASCII letters lower-cased, borrowed when it has none upper-case.
pub(crate) fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

fn last_part(name: &str) -> Cow<'_, str> {
    // One pass from the end finds the dot and notes whether the part needs trimming or
    // lower-casing; most names need neither.
    let mut plain = true;
    let start = name
        .bytes()
        .rposition(|b| {
            plain &= !(b.is_ascii_uppercase() || is_quote(b));
            b == b'.'
        })
        .map_or(0, |i| i + 1);
    let last = name.get(start..).unwrap_or("");
    if plain {
        Cow::Borrowed(last)
    } else {
        lower(trim_quotes(last))
    }
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'`' | b'[' | b']')
}

/// `name.rsplit_once('.')`, or `(None, name)` without a dot, by a byte scan: names are short,
/// and a dot is ASCII so every cut is a character boundary.
pub(crate) fn split_last_dot(name: &str) -> (Option<&str>, &str) {
    match name.bytes().rposition(|b| b == b'.') {
        Some(i) => (name.get(..i), name.get(i + 1..).unwrap_or("")),
        None => (None, name),
    }
}

/// `s.trim_matches(['"', '`', '[', ']'])` on bytes: the quotes are ASCII, so no character
/// needs decoding and every cut is a character boundary.
pub(crate) fn trim_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b.iter().position(|&c| !is_quote(c)).unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|&c| !is_quote(c))
        .map_or(start, |e| e + 1);
    s.get(start..end).unwrap_or("")
}

/// The `_`/`-`/space separated words of a lower-case name (every caller passes one: for
/// those, splitting on separators is all that splitting camelCase words would do).
fn segments(lower_name: &str) -> impl Iterator<Item = &str> + Clone {
    lower_name.split(['_', '-', ' ']).filter(|s| !s.is_empty())
}

/// The last word of a table of people, credentials or payments (`users`, `payroll`): a `match`
/// the compiler turns into a length switch, not a scan of a list.
fn is_people_word(word: &str) -> bool {
    matches!(
        word,
        "users"
            | "user"
            | "customers"
            | "customer"
            | "employees"
            | "employee"
            | "contacts"
            | "contact"
            | "people"
            | "persons"
            | "person"
            | "patients"
            | "patient"
            | "members"
            | "accounts"
            | "credentials"
            | "passwords"
            | "tokens"
            | "secrets"
            | "cards"
            | "payments"
            | "salaries"
            | "payroll"
            | "identities"
            | "profiles"
            | "subscribers"
            | "clients"
            | "applicants"
            | "candidates"
            | "students"
            | "voters"
            | "donors"
            | "guests"
            | "tenants"
            | "cardholders"
            | "ssns"
    )
}

/// Tables of personal data, credentials or payment data.
pub(crate) fn is_sensitive_table(name: &str) -> bool {
    // Lower-casing moves no dot and trimming quotes commutes with it: only the schema part
    // is lower-cased, and only when there is one.
    let schema = split_last_dot(name)
        .0
        .map(|s| lower(trim_quotes(split_last_dot(s).1)));
    if schema.is_some_and(|s| {
        matches!(
            &*s,
            "sys"
                | "information_schema"
                | "pg_catalog"
                | "performance_schema"
                | "mysql"
                | "sqlite_master"
                | "account_usage"
                | "information_schema_tables"
        )
    }) {
        return false;
    }
    let last = last_part(name);
    if matches!(
        &*last,
        "payment_methods"
            | "api_keys"
            | "auth_tokens"
            | "access_tokens"
            | "refresh_tokens"
            | "credit_cards"
            | "user_accounts"
            | "auth_user"
    ) {
        return true;
    }
    last_segment(&last).is_some_and(is_people_word)
}

/// The last of [`segments`], by a byte scan from the end (the separators are ASCII).
fn last_segment(name: &str) -> Option<&str> {
    let sep = |b: u8| matches!(b, b'_' | b'-' | b' ');
    let end = name.bytes().rposition(|b| !sep(b))? + 1;
    let start = name.bytes().take(end).rposition(sep).map_or(0, |i| i + 1);
    name.get(start..end)
}

/// How sensitive a column's name says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Sensitivity {
    /// Personal data that identifies someone only with other data (postal addresses, full
    /// names): sensitive when read in bulk from a table of people.
    Personal,
    /// Contact data (email, phone, birth date), identifiers and financial or medical data (SSN,
    /// card, salary, tax id, diagnosis), or secrets: sensitive from any table.
    Strong,
}

/// The sensitivity of a column by its name.
pub(crate) fn column_sensitivity(name: &str) -> Option<Sensitivity> {
    if !has_hint(&lower(name)) {
        return None;
    }
    let n = last_part(name);
    if is_secret_column(&n) {
        return Some(Sensitivity::Strong);
    }
    let segs = segments(&n);
    let has = |w: &str| segs.clone().any(|s| s == w);
    let strong = matches!(&*n, "ssn" | "sin" | "pan" | "iban" | "mrn" | "cvv" | "cvc")
        || has("ssn")
        || has("salary")
        || has("salaries")
        || has("iban")
        || has("passport")
        || has("diagnosis")
        || has("cvv")
        || (has("card") && (has("number") || has("num") || has("pan")))
        || (has("tax") && has("id"))
        || (has("national") && has("id"))
        || (has("account") && has("number"))
        || has("compensation")
        || has("payroll")
        || has("mrn");
    if strong {
        return Some(Sensitivity::Strong);
    }
    let contact = matches!(&*n, "email" | "phone" | "dob" | "mobile" | "msisdn")
        || has("email")
        || has("phone")
        || has("dob")
        || (has("birth") && (has("date") || has("day")))
        || (has("cell") && (has("number") || has("phone")))
        || (has("mobile") && has("number"));
    if contact {
        return Some(Sensitivity::Strong);
    }
    let personal = matches!(&*n, "address" | "street" | "full_name" | "home_address")
        || (has("address") && !has("id") && !has("ip"));
    personal.then_some(Sensitivity::Personal)
}

/// The hints of [`column_sensitivity`] by first byte: a name is worth reading further only if
/// one of them occurs in it. One pass over the name instead of a substring search per hint.
fn hints_from(b: u8) -> &'static [&'static str] {
    match b {
        b'p' => &["pass", "pwd", "pan", "passport", "payroll", "phone"],
        b's' => &["secret", "ssn", "sin", "salar", "street"],
        b't' => &["token", "tax"],
        b'k' => &["key"],
        b'o' => &["otp"],
        b'm' => &["mfa", "mrn", "mail", "mobile", "msisdn"],
        b'i' => &["iban"],
        b'c' => &["cvv", "cvc", "card", "compens", "cell"],
        b'd' => &["diagnos", "dob"],
        b'n' => &["national"],
        b'a' => &["account", "address", "auth"],
        b'b' => &["birth"],
        b'f' => &["full_name"],
        _ => &[],
    }
}

/// Whether a lower-case name contains one of the hints of [`column_sensitivity`].
fn has_hint(lower_name: &str) -> bool {
    let b = lower_name.as_bytes();
    (0..b.len()).any(|i| {
        b.get(i..).is_some_and(|rest| {
            rest.first()
                .is_some_and(|&c| hints_from(c).iter().any(|h| rest.starts_with(h.as_bytes())))
        })
    })
}

/// Columns holding personal data or secrets.
pub(crate) fn is_sensitive_column(name: &str) -> bool {
    column_sensitivity(name).is_some()
}

/// System views that show password columns masked (`********`).
pub(crate) fn masks_passwords(table: &str) -> bool {
    matches!(
        &*last_part(table),
        "pg_user" | "pg_roles" | "pg_stat_activity" | "user_privileges"
    )
}

/// Columns holding secrets: passwords, tokens, keys.
pub(crate) fn is_secret_column(name: &str) -> bool {
    let n = last_part(name);
    let segs = segments(&n);
    let has = |w: &str| segs.clone().any(|s| s == w);
    n.contains("password")
        || n.contains("passwd")
        || has("secret")
        || has("token")
        || has("apikey")
        || (has("api") && has("key"))
        || (has("private") && has("key"))
        || has("otp")
        || has("totp")
        || has("mfa")
        || &*n == "rolpassword"
        || &*n == "authentication_string"
}

/// Columns that hold a password or its hash.
pub(crate) fn is_password_column(name: &str) -> bool {
    let n = last_part(name);
    n.contains("password")
        || n.contains("passwd")
        || &*n == "authentication_string"
        || &*n == "password_hash"
}

/// The database's own account tables.
pub(crate) fn is_credential_store(name: &str) -> bool {
    let n: Cow<'_, str> = if name
        .bytes()
        .any(|b| b.is_ascii_uppercase() || matches!(b, b'"' | b'`' | b'[' | b']'))
    {
        Cow::Owned(name.to_ascii_lowercase().replace(['"', '`', '[', ']'], ""))
    } else {
        Cow::Borrowed(name)
    };
    let last = last_part(&n);
    matches!(
        &*last,
        "pg_authid" | "pg_shadow" | "sql_logins" | "syslogins" | "pg_auth_members_secret"
    ) || &*n == "mysql.user"
        || n.ends_with(".mysql.user")
        || &*n == "mysql.global_priv"
        || n.ends_with("sys.sql_logins")
        || &*n == "master.dbo.syslogins"
}

/// Application columns that grant privileges when set.
pub(crate) fn is_admin_flag(col: &str) -> bool {
    matches!(
        col,
        "is_admin"
            | "admin"
            | "is_superuser"
            | "superuser"
            | "is_staff"
            | "role"
            | "roles"
            | "user_role"
            | "access_level"
            | "permissions"
            | "privileges"
            | "is_root"
            | "is_owner"
            | "isadmin"
            | "is_sysadmin"
    )
}

/// Built-in superuser accounts.
pub(crate) fn is_superuser_name(name: &str) -> bool {
    let n = name
        .trim_matches(['"', '`', '\'', '[', ']'])
        .to_ascii_lowercase();
    let n = n
        .split('@')
        .next()
        .unwrap_or(&n)
        .trim_matches(['\'', '"', '`']);
    matches!(
        n,
        "postgres"
            | "root"
            | "sa"
            | "rdsadmin"
            | "admin"
            | "sys"
            | "system"
            | "accountadmin"
            | "securityadmin"
            | "sysadmin"
            | "azure_superuser"
            | "cloudsqlsuperuser"
            | "rds_superuser"
            | "mysql.sys"
            | "dbo"
    )
}

/// Roles and privileges that are admin-equivalent or break out of the database.
pub(crate) fn is_admin_role(name: &str) -> bool {
    let n = name
        .trim_matches(['"', '`', '\'', '[', ']'])
        .to_ascii_lowercase();
    matches!(
        n.as_str(),
        "superuser"
            | "bypassrls"
            | "createrole"
            | "sysadmin"
            | "accountadmin"
            | "securityadmin"
            | "orgadmin"
            | "ownership"
            | "control"
            | "pg_read_server_files"
            | "pg_write_server_files"
            | "pg_execute_server_program"
            | "pg_write_all_data"
            | "rds_superuser"
            | "cloudsqlsuperuser"
            | "azure_superuser"
            | "db_owner"
            | "db_securityadmin"
            | "db_accessadmin"
            | "file"
            | "super"
            | "process"
            | "shutdown"
            | "replication"
            | "replication slave"
            | "grant"
            | "roles/owner"
            | "roles/admin"
            | "roles/editor"
            | "dbadmin"
            | "serveradmin"
            | "root"
            | "postgres"
            | "sa"
            | "all"
            | "admin"
            | "system_user"
            | "create user"
            | "impersonate"
            | "alter any login"
            | "pg_signal_backend"
            | "pg_monitor_admin"
            | "pg_database_owner"
            | "rds_iam"
    ) || n.starts_with("roles/owner")
        || n.starts_with("roles/admin")
        || n.ends_with(".admin")
        || n.ends_with("admin")
}

/// Whether a table name is provably temporary by its own spelling.
pub(crate) fn is_temporary_spelling(name: &str) -> bool {
    let n = lower(name.trim_matches(['"', '`', '[', ']']));
    n.starts_with('#')
        || n.starts_with("temp.")
        || n.starts_with("pg_temp.")
        || n.starts_with("pg_temp_") && n.contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The substrings that make a column name worth reading (see [`column_sensitivity`]).
    const HINTS: &[&str] = &[
        "pass",
        "pwd",
        "secret",
        "token",
        "key",
        "otp",
        "mfa",
        "ssn",
        "sin",
        "pan",
        "iban",
        "mrn",
        "cvv",
        "cvc",
        "salar",
        "passport",
        "diagnos",
        "card",
        "tax",
        "national",
        "account",
        "compens",
        "payroll",
        "mail",
        "phone",
        "dob",
        "birth",
        "cell",
        "mobile",
        "msisdn",
        "address",
        "street",
        "full_name",
        "auth",
    ];

    #[test]
    fn hint_table_holds_exactly_the_hints() {
        let mut from_table: Vec<&str> = (0..=255u8).flat_map(hints_from).copied().collect();
        for b in 0..=255u8 {
            assert!(hints_from(b)
                .iter()
                .all(|h| h.as_bytes().first() == Some(&b)));
        }
        let mut hints = HINTS.to_vec();
        from_table.sort_unstable();
        hints.sort_unstable();
        assert_eq!(from_table, hints);
    }

    #[test]
    fn has_hint_is_a_substring_search() {
        for name in [
            "",
            "id",
            "name",
            "email",
            "user_email",
            "x_passport_no",
            "pa",
            "ssn",
            "dob_",
            "abc_full_name",
            "fullname",
            "zzzauth",
            "au",
            "tax_id",
            "street2",
            "cel",
        ] {
            assert_eq!(
                has_hint(name),
                HINTS.iter().any(|h| name.contains(h)),
                "{name}"
            );
        }
    }

    #[test]
    fn trim_quotes_is_trim_matches() {
        for s in [
            "", "\"", "\"\"", "[a]", "`é`", "\"x\"y\"", "]]x[[", "ab", "[\"`]",
        ] {
            assert_eq!(trim_quotes(s), s.trim_matches(['"', '`', '[', ']']), "{s}");
        }
    }

    #[test]
    fn segments_split_on_separators() {
        let v: Vec<&str> = segments("__a-b c__d_").collect();
        assert_eq!(v, ["a", "b", "c", "d"]);
        assert_eq!(segments("").count(), 0);
    }

    /// The former, allocating implementation: the new one must agree with it on every name.
    mod former {
        fn last_part(name: &str) -> String {
            name.rsplit('.')
                .next()
                .unwrap_or(name)
                .trim_matches(['"', '`', '[', ']'])
                .to_ascii_lowercase()
        }

        fn segments(name: &str) -> Vec<String> {
            let mut out = Vec::new();
            let mut cur = String::new();
            let mut prev_lower = false;
            for c in name.chars() {
                if c == '_' || c == '-' || c == ' ' {
                    if !cur.is_empty() {
                        out.push(std::mem::take(&mut cur));
                    }
                    prev_lower = false;
                    continue;
                }
                if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                prev_lower = c.is_ascii_lowercase();
                cur.push(c.to_ascii_lowercase());
            }
            if !cur.is_empty() {
                out.push(cur);
            }
            out
        }

        /// Tables of personal data, credentials or payment data.
        pub(crate) fn is_sensitive_table(name: &str) -> bool {
            const WHOLE: &[&str] = &[
                "payment_methods",
                "api_keys",
                "auth_tokens",
                "access_tokens",
                "refresh_tokens",
                "credit_cards",
                "user_accounts",
                "auth_user",
            ];
            const LAST: &[&str] = &[
                "users",
                "user",
                "customers",
                "customer",
                "employees",
                "employee",
                "contacts",
                "contact",
                "people",
                "persons",
                "person",
                "patients",
                "patient",
                "members",
                "accounts",
                "credentials",
                "passwords",
                "tokens",
                "secrets",
                "cards",
                "payments",
                "salaries",
                "payroll",
                "identities",
                "profiles",
                "subscribers",
                "clients",
                "applicants",
                "candidates",
                "students",
                "voters",
                "donors",
                "guests",
                "tenants",
                "cardholders",
                "ssns",
            ];
            let lower = name.to_ascii_lowercase();
            let schema = lower.rsplit_once('.').map(|(s, _)| {
                s.rsplit('.')
                    .next()
                    .unwrap_or(s)
                    .trim_matches(['"', '`', '[', ']'])
                    .to_owned()
            });
            if schema.as_deref().is_some_and(|s| {
                matches!(
                    s,
                    "sys"
                        | "information_schema"
                        | "pg_catalog"
                        | "performance_schema"
                        | "mysql"
                        | "sqlite_master"
                        | "account_usage"
                        | "information_schema_tables"
                )
            }) {
                return false;
            }
            let last = last_part(name);
            if WHOLE.contains(&last.as_str()) {
                return true;
            }
            segments(&last)
                .last()
                .is_some_and(|s| LAST.contains(&s.as_str()))
        }

        /// The sensitivity of a column by its name.
        pub(crate) fn column_sensitivity(name: &str) -> Option<super::super::Sensitivity> {
            const HINTS: &[&str] = &[
                "pass",
                "pwd",
                "secret",
                "token",
                "key",
                "otp",
                "mfa",
                "ssn",
                "sin",
                "pan",
                "iban",
                "mrn",
                "cvv",
                "cvc",
                "salar",
                "passport",
                "diagnos",
                "card",
                "tax",
                "national",
                "account",
                "compens",
                "payroll",
                "mail",
                "phone",
                "dob",
                "birth",
                "cell",
                "mobile",
                "msisdn",
                "address",
                "street",
                "full_name",
                "auth",
            ];
            let lower = name.to_ascii_lowercase();
            if !HINTS.iter().any(|h| lower.contains(h)) {
                return None;
            }
            let n = last_part(name);
            if is_secret_column(&n) {
                return Some(super::super::Sensitivity::Strong);
            }
            let segs = segments(&n);
            let has = |w: &str| segs.iter().any(|s| s == w);
            let strong = matches!(
                n.as_str(),
                "ssn" | "sin" | "pan" | "iban" | "mrn" | "cvv" | "cvc"
            ) || has("ssn")
                || has("salary")
                || has("salaries")
                || has("iban")
                || has("passport")
                || has("diagnosis")
                || has("cvv")
                || (has("card") && (has("number") || has("num") || has("pan")))
                || (has("tax") && has("id"))
                || (has("national") && has("id"))
                || (has("account") && has("number"))
                || has("compensation")
                || has("payroll")
                || has("mrn");
            if strong {
                return Some(super::super::Sensitivity::Strong);
            }
            let contact = matches!(n.as_str(), "email" | "phone" | "dob" | "mobile" | "msisdn")
                || has("email")
                || has("phone")
                || has("dob")
                || (has("birth") && (has("date") || has("day")))
                || (has("cell") && (has("number") || has("phone")))
                || (has("mobile") && has("number"));
            if contact {
                return Some(super::super::Sensitivity::Strong);
            }
            let personal = matches!(
                n.as_str(),
                "address" | "street" | "full_name" | "home_address"
            ) || (has("address") && !has("id") && !has("ip"));
            personal.then_some(super::super::Sensitivity::Personal)
        }

        /// System views that show password columns masked (`********`).
        pub(crate) fn masks_passwords(table: &str) -> bool {
            matches!(
                last_part(table).as_str(),
                "pg_user" | "pg_roles" | "pg_stat_activity" | "user_privileges"
            )
        }

        /// Columns holding secrets: passwords, tokens, keys.
        pub(crate) fn is_secret_column(name: &str) -> bool {
            let n = last_part(name);
            let segs = segments(&n);
            let has = |w: &str| segs.iter().any(|s| s == w);
            n.contains("password")
                || n.contains("passwd")
                || has("secret")
                || has("token")
                || has("apikey")
                || (has("api") && has("key"))
                || (has("private") && has("key"))
                || has("otp")
                || has("totp")
                || has("mfa")
                || n == "rolpassword"
                || n == "authentication_string"
        }

        /// Columns that hold a password or its hash.
        pub(crate) fn is_password_column(name: &str) -> bool {
            let n = last_part(name);
            n.contains("password")
                || n.contains("passwd")
                || n == "authentication_string"
                || n == "password_hash"
        }

        /// The database's own account tables.
        pub(crate) fn is_credential_store(name: &str) -> bool {
            let n = name.to_ascii_lowercase().replace(['"', '`', '[', ']'], "");
            let last = last_part(&n);
            matches!(
                last.as_str(),
                "pg_authid" | "pg_shadow" | "sql_logins" | "syslogins" | "pg_auth_members_secret"
            ) || n == "mysql.user"
                || n.ends_with(".mysql.user")
                || n == "mysql.global_priv"
                || n.ends_with("sys.sql_logins")
                || n == "master.dbo.syslogins"
        }

        /// Whether a table name is provably temporary by its own spelling.
        pub(crate) fn is_temporary_spelling(name: &str) -> bool {
            let n = name.trim_matches(['"', '`', '[', ']']).to_ascii_lowercase();
            n.starts_with('#')
                || n.starts_with("temp.")
                || n.starts_with("pg_temp.")
                || n.starts_with("pg_temp_") && n.contains('.')
        }
    }

    #[test]
    fn same_answers_as_the_former_implementation() {
        let parts = [
            "",
            "users",
            "Users",
            "USER_ACCOUNTS",
            "api_keys",
            "products",
            "sessions",
            "audit_log",
            "pg_authid",
            "PG_SHADOW",
            "\"pg_authid\"",
            "`mysql`.`user`",
            "[master].[dbo].[syslogins]",
            "mysql.user",
            "x.mysql.user",
            "mysql.global_priv",
            "sys.sql_logins",
            "pg_catalog",
            "information_schema",
            "sys",
            "pg_temp",
            "pg_temp_3",
            "temp",
            "#tmp",
            "\"#Tmp\"",
            "email",
            "user_email",
            "Email",
            "phone_number",
            "cell_phone",
            "birth_date",
            "dob",
            "ssn",
            "SSN",
            "salary",
            "iban",
            "card_number",
            "tax_id",
            "national_id",
            "account_number",
            "home_address",
            "ip_address",
            "address_id",
            "street",
            "full_name",
            "password",
            "password_hash",
            "passwd",
            "rolpassword",
            "authentication_string",
            "api_key",
            "apiKey",
            "private_key",
            "otp_secret",
            "mfa",
            "totp",
            "token",
            "id",
            "name",
            "pg_user",
            "pg_roles",
            "user_privileges",
            "customerEmail",
            "x-y z",
            "a__b",
            "pan",
            "é_mail",
            "pass",
            "diagnosis",
            "compensation",
            "payroll",
            "mrn",
            "cvv",
            "mobile",
            "msisdn",
            "auth",
            "key",
            "pwd",
            "pg_auth_members_secret",
        ];
        let mut names: Vec<String> = parts.iter().map(|p| (*p).to_owned()).collect();
        for a in parts {
            for b in parts.iter().take(30) {
                names.push(format!("{b}.{a}"));
                names.push(format!("{b}.{a}.{b}"));
            }
        }
        for n in &names {
            let n = n.as_str();
            assert_eq!(is_sensitive_table(n), former::is_sensitive_table(n), "{n}");
            assert_eq!(column_sensitivity(n), former::column_sensitivity(n), "{n}");
            assert_eq!(masks_passwords(n), former::masks_passwords(n), "{n}");
            assert_eq!(is_secret_column(n), former::is_secret_column(n), "{n}");
            assert_eq!(is_password_column(n), former::is_password_column(n), "{n}");
            assert_eq!(
                is_credential_store(n),
                former::is_credential_store(n),
                "{n}"
            );
            assert_eq!(
                is_temporary_spelling(n),
                former::is_temporary_spelling(n),
                "{n}"
            );
        }
    }
}
