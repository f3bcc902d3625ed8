//! Criterion benches of Access Guardrails; see `benches/` and the README.
