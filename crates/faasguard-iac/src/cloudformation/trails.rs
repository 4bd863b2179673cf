//! CloudTrail trails a template defines (`AWS::CloudTrail::Trail`): whether they record each
//! function's `Invoke` calls as data events. A template without a trail says nothing (the
//! account's trail usually lives in another stack or account), so its functions keep
//! `invoke_logging` absent.

use std::collections::HashMap;

use faasguard_core::{Attr, Location};
use faasguard_model::Function;

use super::Loader;
use super::view::Slot;

const LAMBDA_TYPE: &str = "AWS::Lambda::Function";

/// What the template's trails record, over all of them.
#[derive(Default)]
struct Coverage {
    /// The first trail, where a function no trail covers is reported.
    first_trail: Option<Location>,
    /// A logging trail that records every function's invocations.
    all: Option<Location>,
    /// Functions (logical ids) named one by one, with the selector value naming them.
    named: HashMap<String, Location>,
    /// A selector value that could not be read (an expression naming nothing known): the
    /// functions not otherwise covered are unknown rather than uncovered.
    unknown: Option<(String, Location)>,
}

impl<'a> Loader<'_, 'a> {
    /// Sets `invoke_logging` on every function when the template defines a trail.
    pub(super) fn link_trails(
        &self,
        resources: &[(&'a str, Slot<'a>, &'a str)],
        functions: &mut [Function],
    ) {
        let mut cov = Coverage::default();
        for (id, res, ty) in resources {
            if *ty != "AWS::CloudTrail::Trail" {
                continue;
            }
            let Ok(Some(props)) = self.properties(id, res) else {
                continue;
            };
            let at = self.ctx.loc(res);
            cov.first_trail.get_or_insert_with(|| at.clone());
            let logging = props.get("IsLogging").map(|s| self.ctx.resolve(s.node));
            if matches!(logging, Some(Some(ref v)) if v.eq_ignore_ascii_case("false")) {
                continue;
            }
            if let Some(selectors) = props.get("EventSelectors") {
                for sel in selectors.list() {
                    self.basic_selector(&sel, functions, &mut cov);
                }
            }
            if let Some(selectors) = props.get("AdvancedEventSelectors") {
                for sel in selectors.list() {
                    self.advanced_selector(&sel, functions, &mut cov);
                }
            }
        }
        let Some(first) = cov.first_trail.clone() else {
            return;
        };
        for f in functions.iter_mut() {
            f.invoke_logging = if let Some(at) = &cov.all {
                Attr::explicit(true, at.clone())
            } else if let Some(at) = cov.named.get(&f.id.logical_id) {
                Attr::explicit(true, at.clone())
            } else if let Some((expr, at)) = &cov.unknown {
                Attr::unresolved(expr.clone(), at.clone())
            } else {
                Attr::explicit(false, first.clone())
            };
        }
    }

    /// `EventSelectors[]`: `DataResources` of type `AWS::Lambda::Function`, unless the selector
    /// records only read-only events (an invocation is a write event).
    fn basic_selector(&self, sel: &Slot<'a>, functions: &[Function], cov: &mut Coverage) {
        if sel
            .get("ReadWriteType")
            .and_then(|s| self.ctx.resolve(s.node))
            .is_some_and(|v| v == "ReadOnly")
        {
            return;
        }
        let Some(resources) = sel.get("DataResources") else {
            return;
        };
        for dr in resources.list() {
            let Some(ty) = dr.get("Type") else {
                continue;
            };
            match self.ctx.resolve(ty.node) {
                Some(t) if t == LAMBDA_TYPE => {}
                Some(_) => continue,
                None => {
                    self.mark_unknown(&ty, cov);
                    continue;
                }
            }
            for value in dr.get("Values").map(|v| v.list()).unwrap_or_default() {
                self.cover(&value, functions, cov, false);
            }
        }
    }

    /// `AdvancedEventSelectors[]`: a `resources.type` field equal to `AWS::Lambda::Function`;
    /// narrowed by `resources.ARN` (`Equals` / `StartsWith`) when present; skipped when it
    /// selects only read-only events.
    fn advanced_selector(&self, sel: &Slot<'a>, functions: &[Function], cov: &mut Coverage) {
        let fields = sel
            .get("FieldSelectors")
            .map(|f| f.list())
            .unwrap_or_default();
        let field = |name: &str| {
            fields.iter().find(|f| {
                f.get("Field")
                    .and_then(|s| self.ctx.resolve(s.node))
                    .is_some_and(|v| v == name)
            })
        };
        let equals = |slot: &Slot<'a>| -> Vec<String> {
            slot.get("Equals")
                .map(|e| e.list())
                .unwrap_or_default()
                .iter()
                .filter_map(|v| self.ctx.resolve(v.node))
                .collect()
        };
        let Some(ty) = field("resources.type") else {
            return;
        };
        if !equals(ty).iter().any(|t| t == LAMBDA_TYPE) {
            return;
        }
        if field("readOnly").is_some_and(|r| equals(r).iter().all(|v| v == "true")) {
            return;
        }
        let Some(arn) = field("resources.ARN") else {
            cov.all.get_or_insert_with(|| self.ctx.loc(ty));
            return;
        };
        for (key, prefix) in [("Equals", false), ("StartsWith", true)] {
            for value in arn.get(key).map(|v| v.list()).unwrap_or_default() {
                self.cover(&value, functions, cov, prefix);
            }
        }
    }

    /// One selector value: `arn:aws:lambda` (every function), a function's ARN or name, or
    /// something faasguard cannot tie to a function.
    fn cover(&self, value: &Slot<'a>, functions: &[Function], cov: &mut Coverage, prefix: bool) {
        let at = self.ctx.loc(value);
        let text = self.ctx.resolve(value.node);
        if let Some(text) = &text {
            let rest = text.trim_end_matches(':');
            if rest == "arn:aws:lambda" || (prefix && "arn:aws:lambda:".starts_with(text.as_str()))
            {
                cov.all.get_or_insert(at);
                return;
            }
        }
        match self.link(value.node, functions) {
            Some(id) => {
                cov.named.entry(id.to_owned()).or_insert(at);
            }
            // A literal naming a function of another stack covers none of these.
            None if text.is_some() => {}
            None => self.mark_unknown(value, cov),
        }
    }

    fn mark_unknown(&self, slot: &Slot<'a>, cov: &mut Coverage) {
        if cov.unknown.is_none() {
            let expr = self
                .ctx
                .resolve(slot.node)
                .unwrap_or_else(|| "a selector value faasguard cannot read".to_owned());
            cov.unknown = Some((expr, self.ctx.loc(slot)));
        }
    }
}
