//! Export of audit records as OCSF events: class API Activity (6003, category Application
//! Activity), with the Security Control profile's disposition. The mapping is documented in
//! `docs/audit-format.md`.

use serde_json::{json, Map, Value};

use super::record::AuditRecord;
use super::time::parse_rfc3339;
use crate::verdict::Verdict;

/// The OCSF schema version the export follows.
pub const OCSF_VERSION: &str = "1.3.0";

/// API Activity.
const CLASS_UID: u64 = 6003;
/// Application Activity.
const CATEGORY_UID: u64 = 6;
/// Activity `Other`: the action is a command about to run, not a create/read/update/delete of
/// an API resource.
const ACTIVITY_OTHER: u64 = 99;

/// Maps one record to an OCSF API Activity event.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use guardrails_core::audit::{to_ocsf, Chain};
/// use guardrails_core::{evaluate, Action, Context, Dialect};
/// let action = Action::sql(Dialect::Postgres, "DROP TABLE users");
/// let record = Chain::new(None).append(&action, &Context::default(), &evaluate(&action, &Context::default()), UNIX_EPOCH + Duration::from_millis(1500));
/// let event = to_ocsf(&record);
/// assert_eq!((event["class_uid"].as_u64(), event["type_uid"].as_u64()), (Some(6003), Some(600399)));
/// assert_eq!((event["time"].as_u64(), event["disposition"].as_str()), (Some(1500), Some("Blocked")));
/// ```
pub fn to_ocsf(record: &AuditRecord) -> Value {
    let d = &record.decision;
    let (disposition_id, disposition, action_id, action_name) = match (d.verdict, d.enforced) {
        (Verdict::Allow, _) => (1, "Allowed", 1, "Allowed"),
        (_, false) => (15, "Detected", 1, "Allowed"),
        (Verdict::Review, true) => (14, "Delayed", 2, "Denied"),
        (Verdict::Deny, true) => (2, "Blocked", 2, "Denied"),
    };
    let (severity_id, severity) = match d.verdict {
        Verdict::Allow => (1, "Informational"),
        Verdict::Review => (3, "Medium"),
        Verdict::Deny => (4, "High"),
    };
    let time_ms = parse_rfc3339(&record.time)
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let action = record.action.action();
    let operation = match action {
        crate::action::Action::Tool { name, .. } => format!("tool:{name}"),
        other => other.kind_name().to_owned(),
    };
    let mut user = Map::new();
    if let Some(id) = &record.actor.id {
        user.insert("uid".into(), json!(id));
        user.insert("name".into(), json!(id));
    }
    user.insert("type".into(), json!(record.actor.kind.as_str()));
    if !record.actor.roles.is_empty() {
        user.insert(
            "groups".into(),
            Value::Array(
                record
                    .actor
                    .roles
                    .iter()
                    .map(|r| json!({ "name": r }))
                    .collect(),
            ),
        );
    }
    let mut actor = Map::new();
    actor.insert("user".into(), Value::Object(user));
    if let Some(origin) = &record.context.origin {
        actor.insert("app_name".into(), json!(origin));
    }
    let mut event = json!({
        "category_uid": CATEGORY_UID,
        "category_name": "Application Activity",
        "class_uid": CLASS_UID,
        "class_name": "API Activity",
        "activity_id": ACTIVITY_OTHER,
        "activity_name": "Other",
        "type_uid": CLASS_UID * 100 + ACTIVITY_OTHER,
        "type_name": "API Activity: Other",
        "time": time_ms,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": 1,
        "status": "Success",
        "action_id": action_id,
        "action": action_name,
        "disposition_id": disposition_id,
        "disposition": disposition,
        "message": message(record),
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["security_control"],
            "product": { "name": "Access Guardrails", "vendor_name": "Access Guardrails", "version": env!("CARGO_PKG_VERSION") },
            "uid": record.hash,
            "sequence": record.seq,
            "original_time": record.time,
            "log_name": "guardrails-audit",
        },
        "actor": Value::Object(actor),
        "api": {
            "operation": operation,
            "service": { "name": "access-guardrails" },
            "request": { "uid": d.fingerprint, "data": action },
        },
        "policy": { "uid": d.policy_digest, "name": "access-guardrails" },
        "unmapped": {
            "verdict": d.verdict.as_str(),
            "enforced": d.enforced,
            "rules": d.rules,
            "approvals": d.approvals,
            "environment": record.context.environment,
            "labels": record.context.labels,
            "chain": { "seq": record.seq, "prev": record.prev, "hash": record.hash, "key_id": record.key_id },
        },
    });
    if let Some(resource) = &record.context.resource {
        if let Some(obj) = event.as_object_mut() {
            obj.insert(
                "resources".into(),
                json!([{ "name": resource, "type": "target" }]),
            );
        }
    }
    event
}

fn message(record: &AuditRecord) -> String {
    let d = &record.decision;
    let mode = if d.enforced {
        ""
    } else {
        " (monitor mode, not enforced)"
    };
    if d.rules.is_empty() {
        format!("{} {}{mode}", record.action.action().kind_name(), d.verdict)
    } else {
        format!(
            "{} {}{mode}: {}",
            record.action.action().kind_name(),
            d.verdict,
            d.rules.join(", ")
        )
    }
}
