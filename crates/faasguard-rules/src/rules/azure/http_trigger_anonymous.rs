use faasguard_model::{EventKind, Function, Inventory};

use crate::{RuleSettings, Violation, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports Azure Functions HTTP triggers (`"type": "httpTrigger"` in `function.json`) whose
    /// `authLevel` is `anonymous`. A missing `authLevel` means `function` (a function key is
    /// required) and is not reported; neither is a value faasguard cannot resolve.
    ///
    /// ## Why is this bad?
    /// An anonymous HTTP trigger answers any request to
    /// `https://<app>.azurewebsites.net/api/<function>` with no key and no identity. Unless
    /// something in front of it (App Service Authentication, API Management, Front Door with
    /// restrictions) authenticates callers, anyone on the internet can invoke it with any
    /// payload, as often as they like, on the owner's bill. If such a front end exists,
    /// suppress the finding with that reason.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "scriptFile": "__init__.py",
    ///   "bindings": [
    ///     {
    ///       "authLevel": "anonymous",
    ///       "type": "httpTrigger",
    ///       "direction": "in",
    ///       "name": "req",
    ///       "methods": ["get", "post"]
    ///     },
    ///     { "type": "http", "direction": "out", "name": "$return" }
    ///   ]
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```json
    /// {
    ///   "scriptFile": "__init__.py",
    ///   "bindings": [
    ///     {
    ///       "authLevel": "function",
    ///       "type": "httpTrigger",
    ///       "direction": "in",
    ///       "name": "req",
    ///       "methods": ["get", "post"]
    ///     },
    ///     { "type": "http", "direction": "out", "name": "$return" }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-2: Broken Authentication
    /// - CWE-306: Missing Authentication for Critical Function
    /// - <https://learn.microsoft.com/en-us/azure/azure-functions/functions-bindings-http-webhook-trigger>
    /// - <https://learn.microsoft.com/en-us/azure/azure-functions/security-concepts>
    pub HttpTriggerAnonymous {
        id: "FG-AZ-001",
        name: "http-trigger-anonymous",
        title: "Azure HTTP trigger allows anonymous access",
        severity: High,
        family: Azure,
        status: Stable,
        since: "0.1.0",
        remediation: "Set authLevel to function (or admin), or enable App Service Authentication / put API Management in front and keep anonymous only behind it.",
        references: &[
            "OWASP Serverless Top 10 SAS-2: Broken Authentication",
            "CWE-306",
            "https://learn.microsoft.com/en-us/azure/azure-functions/functions-bindings-http-webhook-trigger",
            "https://learn.microsoft.com/en-us/azure/azure-functions/security-concepts",
        ],
    }
}

impl HttpTriggerAnonymous {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        for event in func
            .events
            .iter()
            .filter(|e| e.kind == EventKind::AzureHttp)
        {
            let anonymous = event
                .auth_level
                .get()
                .is_some_and(|l| l.trim().eq_ignore_ascii_case("anonymous"));
            if anonymous {
                out.push(Violation::new(
                    Some(event.auth_level.location().unwrap_or(&event.at)),
                    format!(
                        "HTTP trigger `{}` has authLevel anonymous: anyone can call it without a key",
                        event.name
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use faasguard_core::{Attr, Location};
    use faasguard_model::EventSource;

    use super::*;
    use crate::rules::function::support::testing::{self, azure_function};

    fn at(line: u32) -> Location {
        Location::at("http/function.json", line, 7)
    }

    fn http(auth_level: Attr<String>) -> EventSource {
        EventSource {
            kind: EventKind::AzureHttp,
            name: "req".to_owned(),
            auth_level,
            at: at(4),
        }
    }

    fn run(events: Vec<EventSource>) -> Vec<Violation> {
        let mut f = azure_function("http");
        f.events = events;
        testing::run(&HttpTriggerAnonymous, &f)
    }

    /// authLevel anonymous (any case) fires at the authLevel line and names the binding.
    #[test]
    fn anonymous_fires() {
        let out = run(vec![http(Attr::explicit("Anonymous".to_owned(), at(5)))]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].at, Some(at(5)));
        assert!(out[0].message.contains("`req`"));
    }

    /// function/admin levels, the default, unresolved values and non-HTTP triggers are silent.
    #[test]
    fn keyed_default_and_other_triggers_are_silent() {
        let mut queue = http(Attr::explicit("anonymous".to_owned(), at(5)));
        queue.kind = EventKind::Other;
        let out = run(vec![
            http(Attr::explicit("function".to_owned(), at(5))),
            http(Attr::explicit("admin".to_owned(), at(5))),
            http(Attr::default_value("function".to_owned())),
            http(Attr::unresolved("%AUTH_LEVEL%", at(5))),
            queue,
        ]);
        assert!(out.is_empty());
    }
}
