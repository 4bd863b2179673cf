//! IAM analysis over the policy model: the IAM action database (service → action → access
//! level), wildcard expansion, and privilege classification.
