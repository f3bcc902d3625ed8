//! Signed approvals. An approval lifts a `review` only when it names the action's fingerprint,
//! comes from an approver other than the actor, has not expired at the evaluation time and
//! carries a valid keyed BLAKE3 MAC by an approver key listed in the policy, over the
//! fingerprint, environment, resource, actor and expiry. A `deny` is never lifted.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::context::{Approval, Context};

/// An approval that lifted findings of a decision.
///
/// ```
/// let a = guardrails_core::policy::AppliedApproval { approver: "alice".into(), expires_at: "2030-01-01T00:00:00Z".into(), lifted: vec!["sql.drop".into()] };
/// assert_eq!(a.lifted, ["sql.drop"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppliedApproval {
    /// Who approved.
    pub approver: String,
    /// Until when.
    pub expires_at: String,
    /// The rule ids of the `review` findings it lifted.
    pub lifted: Vec<String>,
}

/// What an approver signs: the approval's claims, bound to one action in one context.
///
/// ```
/// use guardrails_core::policy::{approval, ApprovalClaims};
/// let key = [7u8; 32];
/// let claims = ApprovalClaims {
///     approver: "alice".into(),
///     fingerprint: "ab".repeat(32),
///     environment: Some("production".into()),
///     resource: Some("pg-main".into()),
///     actor: Some("billing-bot".into()),
///     expires_at: "2030-01-01T00:00:00Z".into(),
/// };
/// let a = approval::sign(&key, &claims);
/// assert_eq!(a.signature.as_deref().map(str::len), Some(64));
/// assert!(approval::verify_signature(&key, &claims, a.signature.as_deref().unwrap_or("")));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalClaims {
    /// The approver's id, as listed in the policy's `[[approvers]]`.
    pub approver: String,
    /// The action's fingerprint (from a previous decision).
    pub fingerprint: String,
    /// The environment name of the context (missing means `production`).
    #[serde(default)]
    pub environment: Option<String>,
    /// The resource of the context.
    #[serde(default)]
    pub resource: Option<String>,
    /// The actor id of the context.
    #[serde(default)]
    pub actor: Option<String>,
    /// RFC 3339 expiry.
    pub expires_at: String,
}

impl ApprovalClaims {
    /// The claims an approval makes in a context.
    pub fn for_context(approval: &Approval, ctx: &Context) -> ApprovalClaims {
        ApprovalClaims {
            approver: approval.approver.clone(),
            fingerprint: approval.fingerprint.clone(),
            environment: ctx.environment.clone(),
            resource: ctx.resource.clone(),
            actor: ctx.actor.id.clone(),
            expires_at: approval.expires_at.clone().unwrap_or_default(),
        }
    }

    /// The canonical byte string the MAC is computed over: each field as `name=len:value\n`,
    /// in a fixed order, so no two claim sets share a string.
    pub fn canonical(&self) -> String {
        let mut out = String::from("access-guardrails approval v1\n");
        let env = self.environment.as_deref().unwrap_or("production");
        for (k, v) in [
            ("approver", self.approver.as_str()),
            ("fingerprint", self.fingerprint.as_str()),
            ("environment", env),
            ("resource", self.resource.as_deref().unwrap_or("")),
            ("actor", self.actor.as_deref().unwrap_or("")),
            ("expires_at", self.expires_at.as_str()),
        ] {
            out.push_str(&format!("{k}={}:{v}\n", v.len()));
        }
        out
    }
}

/// Signs claims with an approver's key: a keyed BLAKE3 MAC over [`ApprovalClaims::canonical`].
pub fn sign(key: &[u8; 32], claims: &ApprovalClaims) -> Approval {
    Approval {
        approver: claims.approver.clone(),
        fingerprint: claims.fingerprint.clone(),
        expires_at: Some(claims.expires_at.clone()),
        signature: Some(mac(key, claims).to_hex().to_string()),
    }
}

fn mac(key: &[u8; 32], claims: &ApprovalClaims) -> blake3::Hash {
    blake3::keyed_hash(key, claims.canonical().as_bytes())
}

/// Whether `signature` (hex) is the MAC of `claims` under `key`, compared in constant time.
pub fn verify_signature(key: &[u8; 32], claims: &ApprovalClaims, signature: &str) -> bool {
    let Some(bytes) = decode_hex32(signature) else {
        return false;
    };
    mac(key, claims) == blake3::Hash::from_bytes(bytes)
}

/// Decodes 64 hex digits into 32 bytes.
///
/// ```
/// assert_eq!(guardrails_core::policy::approval::decode_hex32(&"00".repeat(32)), Some([0u8; 32]));
/// assert_eq!(guardrails_core::policy::approval::decode_hex32("zz"), None);
/// ```
pub fn decode_hex32(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Seconds since the Unix epoch of an RFC 3339 time (`2030-01-01T00:00:00Z`,
/// `2030-01-01T01:00:00.5+01:00`); `None` when it is not one.
///
/// ```
/// use guardrails_core::policy::approval::parse_rfc3339;
/// assert_eq!(parse_rfc3339("1970-01-02T00:00:00Z"), Some(86_400));
/// assert_eq!(parse_rfc3339("2030-01-01T01:00:00+01:00"), parse_rfc3339("2030-01-01T00:00:00Z"));
/// assert_eq!(parse_rfc3339("tomorrow"), None);
/// ```
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let s = b.get(from..from + len)?;
        if !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse().ok()
    };
    let sep = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    if sep(i, b".") {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(s @ (b'+' | b'-')) if i + 6 == b.len() && sep(i + 3, b":") => {
            let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
            let o = h * 3600 + m * 60;
            if *s == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    let days = crate::audit::time::days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Formats seconds since the epoch as RFC 3339 UTC (`2030-01-01T00:00:00Z`).
///
/// ```
/// use guardrails_core::policy::approval::{format_rfc3339, parse_rfc3339};
/// assert_eq!(format_rfc3339(86_400), "1970-01-02T00:00:00Z");
/// assert_eq!(parse_rfc3339(&format_rfc3339(1_900_000_000)), Some(1_900_000_000));
/// ```
pub fn format_rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = crate::audit::time::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The evaluation time of a context: its `time`, else the clock.
pub(crate) fn now(ctx: &Context) -> Option<i64> {
    match &ctx.time {
        Some(t) => parse_rfc3339(t),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok()),
    }
}

/// Checks one approval for an action with fingerprint `fingerprint` in `ctx`. `Err` says why
/// it lifts nothing.
pub(crate) fn check(
    approval: &Approval,
    fingerprint: &str,
    ctx: &Context,
    approvers: &[(String, [u8; 32])],
) -> Result<(), String> {
    let who = &approval.approver;
    let Some((_, key)) = approvers.iter().find(|(id, _)| id == who) else {
        return Err(format!("approver `{who}` is not listed in the policy"));
    };
    if approval.fingerprint != fingerprint {
        return Err(format!("the approval of `{who}` names another action"));
    }
    if ctx.actor.id.as_deref() == Some(who.as_str()) {
        return Err(format!("`{who}` cannot approve their own action"));
    }
    let Some(expires) = approval.expires_at.as_deref() else {
        return Err(format!("the approval of `{who}` has no expiry"));
    };
    let Some(until) = parse_rfc3339(expires) else {
        return Err(format!(
            "the approval of `{who}` has an unreadable expiry `{expires}`"
        ));
    };
    let Some(now) = now(ctx) else {
        return Err("the context's `time` is not an RFC 3339 time".into());
    };
    if now >= until {
        return Err(format!("the approval of `{who}` expired at `{expires}`"));
    }
    let Some(sig) = approval.signature.as_deref() else {
        return Err(format!("the approval of `{who}` is not signed"));
    };
    if !verify_signature(key, &ApprovalClaims::for_context(approval, ctx), sig) {
        return Err(format!(
            "the signature of `{who}` does not verify for this action and context"
        ));
    }
    Ok(())
}
