//! IAM policy documents written in a template (role `Policies`, `AWS::IAM::Policy`, SAM inline
//! statements), parsed into model statements with their own locations.

use faasguard_model::{Effect, PolicyDocument, Statement, StringOrPattern};

use super::Ctx;
use super::view::{Slot, intrinsic, render};
use crate::yaml::{self, Value};

/// Parses a policy document. A document given as a JSON string is parsed too (its statements
/// are located at the string). An intrinsic (`!If`, `!Ref`) gives an empty document.
pub(crate) fn document(ctx: &Ctx<'_>, doc: &Slot<'_>) -> PolicyDocument {
    if let Value::Str(text) = &doc.node.value {
        return match yaml::parse(text) {
            // A string that parses to a string again (`'"x"'`, or plain text) is not a
            // document; parsing it once more would never end.
            Ok(parsed) if matches!(parsed.value, Value::Str(_)) => {
                ctx.diag(
                    doc,
                    "policy document must be a mapping with a Statement list, found text",
                );
                PolicyDocument::default()
            }
            Ok(parsed) => {
                let inner = Slot {
                    node: &parsed,
                    ptr: doc.ptr.clone(),
                    line: doc.line,
                    col: doc.col,
                };
                let mut out = document(ctx, &inner);
                for st in &mut out.statements {
                    st.at = ctx.loc(doc);
                }
                out
            }
            Err(e) => {
                ctx.diag(doc, format!("policy document is not valid JSON: {e}"));
                PolicyDocument::default()
            }
        };
    }
    if intrinsic(doc.node).is_some() {
        return PolicyDocument::default();
    }
    if !doc.node.is_map() {
        ctx.diag(
            doc,
            "policy document must be a mapping with a Statement list",
        );
        return PolicyDocument::default();
    }
    let Some(statements) = doc.get("Statement") else {
        ctx.diag(doc, "policy document has no Statement");
        return PolicyDocument::default();
    };
    PolicyDocument {
        statements: statements
            .list()
            .iter()
            .filter_map(|s| statement(ctx, s))
            .collect(),
    }
}

/// One statement; `None` (with a diagnostic) when it is not a mapping or has no valid Effect.
pub(crate) fn statement(ctx: &Ctx<'_>, st: &Slot<'_>) -> Option<Statement> {
    if intrinsic(st.node).is_some() {
        return None;
    }
    if !st.node.is_map() {
        ctx.diag(st, "policy statement must be a mapping");
        return None;
    }
    let effect = match st.get("Effect").map(|e| ctx.resolve(e.node)) {
        Some(Some(e)) if e == "Allow" => Effect::Allow,
        Some(Some(e)) if e == "Deny" => Effect::Deny,
        Some(Some(e)) => {
            ctx.diag(
                st,
                format!("policy statement Effect `{e}` is neither Allow nor Deny"),
            );
            return None;
        }
        Some(None) => return None,
        None => {
            ctx.diag(st, "policy statement has no Effect");
            return None;
        }
    };
    Some(Statement {
        sid: st.get("Sid").and_then(|s| s.node.scalar_text()),
        effect,
        action: patterns(ctx, st.get("Action")),
        not_action: patterns(ctx, st.get("NotAction")),
        resource: patterns(ctx, st.get("Resource")),
        not_resource: patterns(ctx, st.get("NotResource")),
        principal: st.get("Principal").map(|p| p.node.to_json()),
        condition: st.get("Condition").map(|c| c.node.to_json()),
        at: ctx.loc(st),
    })
}

/// A string-or-list field as patterns; expressions stay unresolved.
fn patterns(ctx: &Ctx<'_>, slot: Option<Slot<'_>>) -> Vec<StringOrPattern> {
    let Some(slot) = slot else {
        return Vec::new();
    };
    if intrinsic(slot.node).is_some() {
        return vec![pattern(ctx, &slot)];
    }
    slot.list().iter().map(|s| pattern(ctx, s)).collect()
}

/// One entry: a literal (or statically resolvable expression) or the expression as written.
pub(crate) fn pattern(ctx: &Ctx<'_>, slot: &Slot<'_>) -> StringOrPattern {
    match ctx.resolve(slot.node) {
        Some(text) => StringOrPattern::literal(text),
        None => StringOrPattern::unresolved(render(slot.node)),
    }
}
