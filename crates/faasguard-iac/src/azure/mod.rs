//! Azure Functions: `function.json`, `host.json`, `local.settings.json`, and ARM templates
//! (Bicep compiled to JSON) with role assignments to a function app's managed identity.
//!
//! JSON is first checked with serde_json (exact error line and column for malformed files),
//! then read through [`crate::yaml`] (JSON is YAML 1.2 flow syntax) so every value keeps its
//! line and column; pointers are JSON pointers into the file.
//!
//! Files of one app are related by directory: `<app>/<function>/function.json` takes its
//! environment (and `FUNCTIONS_WORKER_RUNTIME` as runtime) from `<app>/local.settings.json` and
//! its timeout from `<app>/host.json` `functionTimeout`. [`load_all`] sees all of an app's files;
//! [`load`] handles one file on its own.
//!
//! An ARM app setting written as `[parameters('p')]` stays unresolved; when `p` has a literal
//! `defaultValue` it is kept in [`EnvVar::default_from`] at the default's line (see
//! `arm_parameter_defaults`).

use std::collections::HashMap;
use std::path::Path;

use aho_corasick::AhoCorasick;

use faasguard_core::{Attr, Diagnostic, Location};
use faasguard_model::{
    EnvVar, EventKind, EventSource, Function, FunctionId, Inventory, Provider, RoleAssignment,
    SourceKind,
};

use crate::yaml::{self, Node, Value};
use crate::{MAX_SOURCE_BYTES, SourceFile, resolve_beside};

/// Well-known Azure built-in role definition ids.
const BUILT_IN_ROLES: &[(&str, &str)] = &[
    ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"),
    ("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor"),
    (
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "User Access Administrator",
    ),
    ("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader"),
];

/// How deeply nested ARM `resources` arrays are followed.
const MAX_NESTING: usize = 8;

/// Whether an Azure loader wants the file (by lower-cased file name and content).
pub fn wants(lower_name: &str, text: &str) -> bool {
    lower_name == "function.json"
        || lower_name == "local.settings.json"
        || lower_name == "host.json"
        || (Path::new(lower_name)
            .extension()
            .is_some_and(|e| e == "json")
            && is_arm_template(text))
}

/// An ARM deployment template: a `$schema` naming `deploymentTemplate`.
pub fn is_arm_template(text: &str) -> bool {
    text.contains("$schema") && text.contains("deploymentTemplate.json")
}

/// Loads one Azure file on its own (a `function.json` without its app's settings).
pub fn load(file: &SourceFile) -> Inventory {
    load_all(&[file])
}

/// Loads the Azure files of a scan together, so that each `function.json` gets its app's
/// `local.settings.json` values and `host.json` timeout.
pub fn load_all(files: &[&SourceFile]) -> Inventory {
    let mut inv = Inventory::default();
    let mut parsed = Vec::new();
    for &file in files {
        match parse(file) {
            Ok(root) => parsed.push((file, root)),
            Err(d) => inv.diagnostics.push(d),
        }
    }
    let mut settings: HashMap<&str, AppSettings> = HashMap::new();
    for (file, root) in &parsed {
        let (dir, name) = split(&file.path);
        match name.to_ascii_lowercase().as_str() {
            "local.settings.json" => {
                settings.entry(dir).or_default().values = local_settings(file, root);
            }
            "host.json" => settings.entry(dir).or_default().timeout = host_timeout(file, root),
            _ => {}
        }
    }
    for (file, root) in &parsed {
        let (dir, name) = split(&file.path);
        if name.eq_ignore_ascii_case("function.json") {
            let app = split(dir).0;
            inv.functions
                .push(function_json(file, root, settings.get(app)));
        } else if is_arm_template(&file.text) {
            inv.extend(arm_template(file, root));
        }
    }
    inv
}

/// What an app directory's `local.settings.json` and `host.json` contribute to its functions.
#[derive(Debug, Default)]
struct AppSettings {
    values: Vec<EnvVar>,
    timeout: Attr<u32>,
}

/// `(dir, file name)` of a `/`-separated path.
fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// Checks the JSON (exact error position) and reads it with positions.
fn parse(file: &SourceFile) -> Result<Node, Diagnostic> {
    if u64::try_from(file.text.len()).unwrap_or(u64::MAX) > MAX_SOURCE_BYTES {
        return Err(Diagnostic::new(
            Location::file(&file.path),
            format!("file is larger than {MAX_SOURCE_BYTES} bytes; not parsed"),
        ));
    }
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        return Err(Diagnostic::new(
            Location::at(
                &file.path,
                u32::try_from(e.line()).unwrap_or(u32::MAX),
                u32::try_from(e.column()).unwrap_or(u32::MAX),
            ),
            format!("malformed JSON: {e}"),
        ));
    }
    yaml::parse(text).map_err(|e| {
        Diagnostic::new(
            Location::at(&file.path, e.line, e.col),
            format!("malformed JSON: {}", e.message),
        )
    })
}

fn loc(file: &SourceFile, node: &Node, pointer: &str) -> Location {
    let l = Location::at(&file.path, node.line, node.col);
    if pointer.is_empty() {
        l
    } else {
        l.with_pointer(pointer)
    }
}

/// A string value: explicit, or unresolved when it is an ARM expression (`[parameters('x')]`).
fn string(file: &SourceFile, node: &Node, pointer: &str) -> Attr<String> {
    match node.scalar_text() {
        Some(s) if is_arm_expression(&s) => Attr::unresolved(s, loc(file, node, pointer)),
        Some(s) => Attr::explicit(s, loc(file, node, pointer)),
        None => Attr::unresolved(node.to_json().to_string(), loc(file, node, pointer)),
    }
}

/// `[...]` is an ARM template expression; `[[` escapes a literal bracket.
fn is_arm_expression(s: &str) -> bool {
    s.starts_with('[') && !s.starts_with("[[") && s.ends_with(']')
}

/// `local.settings.json` `Values` as environment variables.
fn local_settings(file: &SourceFile, root: &Node) -> Vec<EnvVar> {
    let Some(values) = root.entry("Values") else {
        return Vec::new();
    };
    values
        .value
        .entries()
        .iter()
        .map(|e| {
            let pointer = format!("/Values/{}", escape(&e.key));
            EnvVar {
                name: e.key.clone(),
                value: match e.value.scalar_text() {
                    Some(s) => Attr::explicit(s, loc(file, &e.value, &pointer)),
                    None => Attr::unresolved(
                        e.value.to_json().to_string(),
                        loc(file, &e.value, &pointer),
                    ),
                },
                at: Location::at(&file.path, e.key_line, e.key_col).with_pointer(pointer),
                default_from: None,
            }
        })
        .collect()
}

/// `host.json` `functionTimeout` (`hh:mm:ss`, or `-1` for unbounded on dedicated plans).
fn host_timeout(file: &SourceFile, root: &Node) -> Attr<u32> {
    let Some(node) = root.get("functionTimeout") else {
        return Attr::absent();
    };
    let at = loc(file, node, "/functionTimeout");
    let text = node.scalar_text().unwrap_or_default();
    let parts: Option<Vec<u32>> = text
        .split(':')
        .map(|p| p.trim().parse::<u32>().ok())
        .collect();
    match parts.as_deref() {
        Some([h, m, s]) => Attr::explicit(
            h.saturating_mul(3600)
                .saturating_add(m.saturating_mul(60))
                .saturating_add(*s),
            at,
        ),
        _ => Attr::unresolved(text, at),
    }
}

/// One `function.json`: a function named after its folder.
fn function_json(file: &SourceFile, root: &Node, app: Option<&AppSettings>) -> Function {
    let (dir, _) = split(&file.path);
    let folder = split(dir).1;
    let id = FunctionId {
        provider: Provider::Azure,
        source: SourceKind::AzureFunctions,
        file: file.path.clone(),
        logical_id: folder.to_owned(),
        name: Some(folder.to_owned()),
        account: None,
        region: None,
    };
    let mut f = Function::new(id, loc(file, root, ""));
    let script = root.get("scriptFile");
    let entry = root.get("entryPoint").and_then(Node::scalar_text);
    if let Some(script_node) = script {
        let script_text = script_node.scalar_text().unwrap_or_default();
        let handler = match &entry {
            Some(e) => format!("{script_text}:{e}"),
            None => script_text.clone(),
        };
        f.handler = Attr::explicit(handler, loc(file, script_node, "/scriptFile"));
        f.code = Attr::explicit(
            resolve_beside(&file.abs, &script_text),
            loc(file, script_node, "/scriptFile"),
        );
    } else {
        if let (Some(e), Some(node)) = (entry, root.get("entryPoint")) {
            f.handler = Attr::explicit(e, loc(file, node, "/entryPoint"));
        }
        if let Some(parent) = file.abs.parent() {
            f.code = Attr::explicit(parent.to_path_buf(), loc(file, root, ""));
        }
    }
    for (i, binding) in root
        .get("bindings")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let pointer = format!("/bindings/{i}");
        let kind = binding
            .get("type")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let lower = kind.to_ascii_lowercase();
        if !lower.ends_with("trigger") {
            continue;
        }
        let http = lower == "httptrigger";
        let auth_level = match (http, binding.get("authLevel")) {
            (true, Some(node)) => string(file, node, &format!("{pointer}/authLevel")),
            // The Functions host treats a missing authLevel as `function`.
            (true, None) => Attr::default_value("function".to_owned()),
            (false, _) => Attr::absent(),
        };
        f.events.push(EventSource {
            kind: if http {
                EventKind::AzureHttp
            } else {
                EventKind::Other
            },
            name: binding
                .get("name")
                .and_then(Node::scalar_text)
                .unwrap_or(kind),
            auth_level,
            at: loc(file, binding, &pointer),
        });
    }
    if let Some(app) = app {
        f.environment.clone_from(&app.values);
        if let Some(rt) = app
            .values
            .iter()
            .find(|v| v.name == "FUNCTIONS_WORKER_RUNTIME")
        {
            f.runtime = rt.value.clone();
        }
        f.timeout_s = app.timeout.clone();
    }
    f
}

/// An ARM template: function apps and the role assignments granted to their identities.
fn arm_template(file: &SourceFile, root: &Node) -> Inventory {
    let mut resources = Vec::new();
    collect_resources(root, "", 0, &mut resources);
    let sites: Vec<&(String, &Node)> = resources
        .iter()
        .filter(|(_, r)| {
            let ty = r
                .get("type")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            let kind = r
                .get("kind")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            ty.eq_ignore_ascii_case("Microsoft.Web/sites")
                && kind.to_ascii_lowercase().contains("functionapp")
        })
        .collect();
    let assignments: Vec<&(String, &Node)> = resources
        .iter()
        .filter(|(_, r)| {
            r.get("type")
                .and_then(Node::scalar_text)
                .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Authorization/roleAssignments"))
        })
        .collect();
    let principals: Vec<String> = assignments
        .iter()
        .map(|(_, a)| {
            a.get("properties")
                .and_then(|p| p.get("principalId"))
                .and_then(Node::scalar_text)
                .unwrap_or_default()
        })
        .collect();
    let names: Vec<String> = sites
        .iter()
        .map(|(_, site)| {
            site.get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_default()
        })
        .collect();
    let needles: Vec<String> = names.iter().map(|n| name_reference(n)).collect();
    let granted = assignments_by_site(&needles, &principals);
    let mut inv = Inventory::default();
    for (((pointer, site), name), granted) in sites.iter().zip(names).zip(granted) {
        let id = FunctionId {
            provider: Provider::Azure,
            source: SourceKind::AzureArm,
            file: file.path.clone(),
            logical_id: name.clone(),
            name: (!is_arm_expression(&name)).then(|| name.clone()),
            account: None,
            region: None,
        };
        let mut f = Function::new(id, loc(file, site, pointer));
        site_config(file, site, pointer, &mut f);
        arm_parameter_defaults(file, root, &mut f.environment);
        for (aptr, a) in granted.into_iter().map(|i| assignments[i]) {
            let props = a.get("properties");
            let definition = props
                .and_then(|p| p.get("roleDefinitionId"))
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            let scope = match (props.and_then(|p| p.get("scope")), a.get("scope")) {
                (Some(s), _) => string(file, s, &format!("{aptr}/properties/scope")),
                (None, Some(s)) => string(file, s, &format!("{aptr}/scope")),
                (None, None) => Attr::default_value("resourceGroup".to_owned()),
            };
            f.role_assignments.push(RoleAssignment {
                role: role_name(&definition, &with_variables(root, &definition)),
                scope,
                at: loc(file, a, aptr),
            });
        }
        inv.functions.push(f);
    }
    inv
}

/// For each site (by the [`name_reference`] its assignments' principals contain), the indices
/// of the role assignments granted to its identity, in template order. An assignment is for a
/// site when its `principalId` reads an identity's `principalId` and contains the site's name
/// reference, or, in a template with one site, names any `Microsoft.Web/sites`. The names are
/// searched for all at once (Aho-Corasick), so N sites and M assignments cost the length of
/// the principals plus the matches, not N × M substring searches.
fn assignments_by_site(needles: &[String], principals: &[String]) -> Vec<Vec<usize>> {
    let reads_identity = |p: &str| p.contains("principalId");
    let mut granted = vec![Vec::new(); needles.len()];
    // Each distinct non-empty name reference once, with the sites it stands for; an empty
    // one is in every principal.
    let mut patterns: Vec<&str> = Vec::new();
    let mut sites_of: Vec<Vec<usize>> = Vec::new();
    let mut everywhere: Vec<usize> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (site, needle) in needles.iter().enumerate() {
        if needle.is_empty() {
            everywhere.push(site);
            continue;
        }
        let k = *index.entry(needle).or_insert_with(|| {
            patterns.push(needle);
            sites_of.push(Vec::new());
            patterns.len() - 1
        });
        sites_of[k].push(site);
    }
    let matcher = match needles {
        [_] => None,
        _ => AhoCorasick::new(&patterns).ok(),
    };
    let Some(matcher) = matcher else {
        // One site (which also takes any assignment naming a site), or no matcher: compare
        // every pair.
        for (site, needle) in needles.iter().enumerate() {
            for (i, p) in principals.iter().enumerate() {
                if reads_identity(p)
                    && (p.contains(needle.as_str())
                        || (needles.len() == 1 && p.contains("Microsoft.Web/sites")))
                {
                    granted[site].push(i);
                }
            }
        }
        return granted;
    };
    // The last assignment each pattern was credited to, so that a pattern found several
    // times in one principal grants it once.
    let mut credited = vec![usize::MAX; patterns.len()];
    for (i, p) in principals.iter().enumerate() {
        if !reads_identity(p) {
            continue;
        }
        for &site in &everywhere {
            granted[site].push(i);
        }
        for m in matcher.find_overlapping_iter(p.as_str()) {
            let k = m.pattern().as_usize();
            if credited[k] != i {
                credited[k] = i;
                for &site in &sites_of[k] {
                    granted[site].push(i);
                }
            }
        }
    }
    granted
}

/// An app setting written as exactly `[parameters('p')]` stays unresolved but keeps the
/// parameter's literal `defaultValue` in [`EnvVar::default_from`], at that value's line: a
/// default is written in the template (a hard-coded secret if it is one, `securestring` or
/// not). A parameter without a default, or whose default is an expression, gives `None`.
fn arm_parameter_defaults(file: &SourceFile, root: &Node, env: &mut [EnvVar]) {
    let Some(params) = root.get("parameters") else {
        return;
    };
    for var in env.iter_mut() {
        let faasguard_core::Origin::Unresolved { expr } = &var.value.origin else {
            continue;
        };
        let Some(name) = expr
            .trim()
            .strip_prefix("[parameters('")
            .and_then(|s| s.strip_suffix("')]"))
            .filter(|n| !n.contains('\''))
        else {
            continue;
        };
        let Some(default) = params.get(name).and_then(|p| p.get("defaultValue")) else {
            continue;
        };
        let Some(text) = default.scalar_text().filter(|t| !is_arm_expression(t)) else {
            continue;
        };
        let pointer = format!("/parameters/{}/defaultValue", escape(name));
        var.default_from = Some(Attr::explicit(text, loc(file, default, &pointer)));
    }
}

/// A site's `appSettings` (environment) and runtime (`linuxFxVersion`, else
/// `FUNCTIONS_WORKER_RUNTIME`).
fn site_config(file: &SourceFile, site: &Node, pointer: &str, f: &mut Function) {
    if let Some(settings) = site
        .get("properties")
        .and_then(|p| p.get("siteConfig"))
        .and_then(|c| c.get("appSettings"))
    {
        for (i, s) in settings.items().iter().enumerate() {
            let (Some(n), Some(v)) = (s.get("name").and_then(Node::scalar_text), s.get("value"))
            else {
                continue;
            };
            let vptr = format!("{pointer}/properties/siteConfig/appSettings/{i}");
            let value = string(file, v, &format!("{vptr}/value"));
            if n == "FUNCTIONS_WORKER_RUNTIME" {
                f.runtime = value.clone();
            }
            f.environment.push(EnvVar {
                name: n,
                value,
                at: loc(file, s, &vptr),
                default_from: None,
            });
        }
    }
    if let Some(fx) = site
        .get("properties")
        .and_then(|p| p.get("siteConfig"))
        .and_then(|c| c.get("linuxFxVersion"))
    {
        f.runtime = string(
            file,
            fx,
            &format!("{pointer}/properties/siteConfig/linuxFxVersion"),
        );
    }
}

/// Every resource of the template with its JSON pointer, nested child resources included.
fn collect_resources<'n>(
    node: &'n Node,
    pointer: &str,
    depth: usize,
    out: &mut Vec<(String, &'n Node)>,
) {
    if depth > MAX_NESTING {
        return;
    }
    let Some(list) = node.get("resources") else {
        return;
    };
    match &list.value {
        Value::Seq(items) => {
            for (i, r) in items.iter().enumerate() {
                let p = format!("{pointer}/resources/{i}");
                out.push((p.clone(), r));
                collect_resources(r, &p, depth + 1, out);
            }
        }
        // languageVersion 2.0 templates use a map of symbolic names.
        Value::Map(entries) => {
            for e in entries {
                let p = format!("{pointer}/resources/{}", escape(&e.key));
                out.push((p.clone(), &e.value));
                collect_resources(&e.value, &p, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// What a role assignment's `principalId` expression contains when it refers to this site:
/// `parameters('appName')` for `[parameters('appName')]`, `'my-app'` for a literal name.
fn name_reference(name: &str) -> String {
    if is_arm_expression(name) {
        name[1..name.len() - 1].trim().to_owned()
    } else {
        format!("'{name}'")
    }
}

/// `definition` followed by the values of the template variables it names
/// (`[variables('ownerRoleId')]`), so that a GUID kept in a variable is found.
fn with_variables(root: &Node, definition: &str) -> String {
    let mut out = definition.to_owned();
    let Some(vars) = root.get("variables") else {
        return out;
    };
    for e in vars.entries() {
        if definition.contains(&format!("variables('{}')", e.key)) {
            out.push(' ');
            out.push_str(&e.value.scalar_text().unwrap_or_default());
        }
    }
    out
}

/// The built-in role name for a role definition id (searched in `expanded`), or the id as
/// written.
fn role_name(definition: &str, expanded: &str) -> String {
    let lower = expanded.to_ascii_lowercase();
    BUILT_IN_ROLES
        .iter()
        .find(|(guid, _)| lower.contains(guid))
        .map_or_else(|| definition.to_owned(), |(_, name)| (*name).to_owned())
}

/// JSON pointer escaping (`~` → `~0`, `/` → `~1`).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The all-at-once search grants exactly the pairs the plain rule grants (principal reads
    /// `principalId` and contains the site's name reference), in template order: with
    /// references inside other references, sites sharing a name, an empty reference, a
    /// reference found twice in one principal, and a principal that reads no identity.
    #[test]
    fn assignments_by_site_matches_every_pair_rule() {
        let needles: Vec<String> = [
            "parameters('a')",
            "concat(parameters('a'), '-x')",
            "'app'",
            "'app'",
            "",
            "'unused'",
        ]
        .map(String::from)
        .to_vec();
        let principals: Vec<String> = [
            "[reference(resourceId('Microsoft.Web/sites', concat(parameters('a'), '-x'))).identity.principalId]",
            "[reference(resourceId('Microsoft.Web/sites', 'app')).identity.principalId]",
            "[reference(resourceId('Microsoft.Web/sites', 'app')).identity.tenantId]",
            "[parameters('a')] [parameters('a')] principalId",
            "[reference(resourceId('Microsoft.Web/sites', 'app-2')).identity.principalId]",
        ]
        .map(String::from)
        .to_vec();
        let every_pair: Vec<Vec<usize>> = needles
            .iter()
            .map(|n| {
                (0..principals.len())
                    .filter(|&i| {
                        principals[i].contains("principalId") && principals[i].contains(n.as_str())
                    })
                    .collect()
            })
            .collect();
        assert_eq!(
            every_pair,
            [
                vec![0, 3],
                vec![0],
                vec![1],
                vec![1],
                vec![0, 1, 3, 4],
                vec![]
            ]
        );
        assert_eq!(assignments_by_site(&needles, &principals), every_pair);
    }

    /// A template with one site also grants it assignments that name any site.
    #[test]
    fn single_site_takes_any_site_reference() {
        let needles = vec!["'app'".to_owned()];
        let principals = vec![
            "[reference(resourceId('Microsoft.Web/sites', variables('n'))).identity.principalId]"
                .to_owned(),
            "[parameters('principal')]".to_owned(),
        ];
        assert_eq!(assignments_by_site(&needles, &principals), [vec![0]]);
    }

    /// An app setting that is exactly `[parameters('p')]` carries `p`'s literal
    /// `defaultValue` at its line; a parameter without a default, an expression default and a
    /// longer expression carry nothing, and the value itself stays unresolved.
    #[test]
    fn arm_app_setting_parameter_defaults() {
        let text = r#"{
  "parameters": {
    "a": { "type": "securestring", "defaultValue": "hunter2-default" },
    "b": { "type": "securestring" },
    "c": { "type": "string", "defaultValue": "[uniqueString(resourceGroup().id)]" }
  },
  "resources": []
}"#;
        let root = yaml::parse(text).unwrap_or_else(|e| panic!("{}", e.message));
        let file = SourceFile {
            path: "azuredeploy.json".to_owned(),
            abs: std::path::PathBuf::new(),
            text: text.to_owned(),
        };
        let var = |expr: &str| EnvVar {
            name: "X".to_owned(),
            value: Attr::unresolved(expr, Location::at("azuredeploy.json", 1, 1)),
            at: Location::at("azuredeploy.json", 1, 1),
            default_from: None,
        };
        let mut env = vec![
            var("[parameters('a')]"),
            var("[parameters('b')]"),
            var("[parameters('c')]"),
            var("[concat(parameters('a'), 'x')]"),
        ];
        arm_parameter_defaults(&file, &root, &mut env);
        let first = env[0].default_from.as_ref();
        assert_eq!(
            first.and_then(|a| a.get()).map(String::as_str),
            Some("hunter2-default")
        );
        assert_eq!(
            first.and_then(|a| a.location()).and_then(|l| l.line),
            Some(3)
        );
        assert!(env[0].value.is_unresolved());
        for v in &env[1..] {
            assert_eq!(v.default_from, None);
        }
    }
}
