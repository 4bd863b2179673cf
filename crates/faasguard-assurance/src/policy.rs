//! The `assurance.yaml` file: channels, policies (scope, conditions, action) and exceptions,
//! validated with the line and column of every mistake.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use faasguard_core::Severity;
use faasguard_iac::yaml::{self, Entry, Node, Value};
use globset::GlobMatcher;
use serde::Serialize;

use crate::date::Date;

/// The analyses a `max_severity` limit can name, with the rule id prefixes each covers.
pub const SCANNERS: [(&str, &[&str]); 5] = [
    ("config", &["FG-FN-", "FG-AZ-"]),
    ("iam", &["FG-IAM-"]),
    ("secret", &["FG-SEC-"]),
    ("vuln", &["FG-DEP-"]),
    ("sast", &["FG-INJ-"]),
];

/// Largest policy file read (a policy file is hand-written; anything bigger is a mistake).
pub const MAX_POLICY_BYTES: usize = 1 << 20;

/// One mistake in the policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

/// Every mistake found in a policy file (validation goes on after the first one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct PolicyErrors(pub Vec<PolicyError>);

/// A glob with the text it was written as.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub text: String,
    matcher: GlobMatcher,
}

impl Pattern {
    /// Compiles a glob (`*`, `?`, `[a-z]`, `{a,b}`; `/` is an ordinary character).
    pub fn new(text: &str) -> Result<Pattern, String> {
        let glob = globset::GlobBuilder::new(text)
            .literal_separator(false)
            .build()
            .map_err(|e| format!("bad glob `{text}`: {}", e.kind()))?;
        Ok(Pattern {
            text: text.to_owned(),
            matcher: glob.compile_matcher(),
        })
    }

    pub fn is_match(&self, s: &str) -> bool {
        self.matcher.is_match(s)
    }
}

impl Serialize for Pattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Which functions a policy applies to. Every kind given must match (AND); within a list, one
/// match is enough (OR). An empty scope covers every function.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scope {
    pub accounts: Vec<Pattern>,
    pub regions: Vec<Pattern>,
    /// Function names (or ARNs).
    pub functions: Vec<Pattern>,
    /// Tag key → value glob; the function must carry one of them.
    pub tags: Vec<(String, Pattern)>,
}

/// What a function must satisfy; every condition given is checked.
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent switches of the file format, not a state machine"
)]
#[derive(Debug, Clone, Default, Serialize)]
pub struct Conditions {
    /// Scanner → the highest severity allowed (`None` = no finding at all).
    pub max_severity: BTreeMap<String, Option<Severity>>,
    pub no_secrets: bool,
    pub no_admin_role: bool,
    pub allowed_runtimes: Vec<Pattern>,
    pub code_recorded: bool,
    pub max_unused_days: Option<u32>,
    pub require_concurrency_cap: bool,
    pub forbidden_rules: Vec<String>,
}

/// What happens to a violating function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Notify,
    Block,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Notify => "notify",
            Action::Block => "block",
        }
    }
}

/// One named policy.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub scope: Scope,
    pub conditions: Conditions,
    pub action: Action,
    /// Channel names, each defined under `channels:`.
    pub notify: Vec<String>,
    /// Line and column of the policy's `name` (for messages).
    #[serde(skip)]
    pub line: u32,
    #[serde(skip)]
    pub col: u32,
}

/// Which syslog messages a syslog channel sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SyslogFormat {
    Rfc5424,
    Cef,
    Both,
}

/// Where a syslog channel sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SyslogAddress {
    Udp(String),
    Tcp(String),
}

/// How a channel delivers.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ChannelKind {
    /// POST the violation as JSON.
    Webhook { url: String },
    /// A Slack-compatible incoming webhook (`{"text": …, "blocks": …}`).
    Slack { url: String },
    /// RFC 5424 syslog (structured data) and/or a CEF line.
    Syslog {
        address: SyslogAddress,
        app_name: String,
        format: SyslogFormat,
    },
}

/// A named notification channel.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub name: String,
    #[serde(flatten)]
    pub kind: ChannelKind,
    /// Bound of one delivery (connect, send, answer).
    #[serde(skip)]
    pub timeout: Duration,
}

/// A reviewed, time-limited exemption of some functions from one policy.
#[derive(Debug, Clone, Serialize)]
pub struct Exception {
    pub policy: String,
    /// A function name glob or an ARN (glob).
    pub function: Pattern,
    pub reason: String,
    pub expires: Date,
    #[serde(skip)]
    pub line: u32,
}

/// A validated `assurance.yaml`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PolicyFile {
    /// The file as named in messages.
    pub file: String,
    pub channels: BTreeMap<String, Channel>,
    pub policies: Vec<Policy>,
    pub exceptions: Vec<Exception>,
}

const TOP_KEYS: &[&str] = &["channels", "policies", "exceptions"];
const POLICY_KEYS: &[&str] = &[
    "name",
    "description",
    "scope",
    "conditions",
    "action",
    "notify",
];
const SCOPE_KEYS: &[&str] = &["accounts", "regions", "functions", "tags"];
const CONDITION_KEYS: &[&str] = &[
    "max_severity",
    "no_secrets",
    "no_admin_role",
    "allowed_runtimes",
    "code_recorded",
    "max_unused_days",
    "require_concurrency_cap",
    "forbidden_rules",
];
const CHANNEL_KEYS: &[&str] = &["type", "url", "address", "app_name", "format", "timeout"];
const EXCEPTION_KEYS: &[&str] = &["policy", "function", "reason", "expires"];

/// Collects errors while walking the tree.
struct Checker<'a> {
    file: &'a str,
    rules: &'a BTreeSet<String>,
    errors: Vec<PolicyError>,
}

impl Checker<'_> {
    fn err(&mut self, line: u32, col: u32, message: impl Into<String>) {
        self.errors.push(PolicyError {
            file: self.file.to_owned(),
            line,
            col,
            message: message.into(),
        });
    }

    fn at(&mut self, node: &Node, message: impl Into<String>) {
        self.err(node.line, node.col, message);
    }

    /// The entries of a mapping, reporting unknown keys; `None` (and an error) when the node
    /// is not a mapping.
    fn map<'n>(&mut self, node: &'n Node, what: &str, keys: &[&str]) -> Option<&'n [Entry]> {
        let Value::Map(entries) = &node.value else {
            self.at(
                node,
                format!("{what} must be a mapping, not {}", kind(node)),
            );
            return None;
        };
        let mut seen = BTreeSet::new();
        for e in entries {
            if !keys.contains(&e.key.as_str()) {
                self.err(
                    e.key_line,
                    e.key_col,
                    format!(
                        "unknown key \"{}\" in {what} (expected one of {})",
                        e.key,
                        keys.join(", ")
                    ),
                );
            } else if !seen.insert(e.key.as_str()) {
                self.err(
                    e.key_line,
                    e.key_col,
                    format!("duplicate key \"{}\"", e.key),
                );
            }
        }
        Some(entries)
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Str(_) => {
                self.at(node, format!("{what} must not be empty"));
                None
            }
            Value::Int(_) | Value::Float(_) => node.scalar_text(),
            _ => {
                self.at(node, format!("{what} must be a string, not {}", kind(node)));
                None
            }
        }
    }

    fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        if let Value::Bool(b) = node.value {
            Some(b)
        } else {
            self.at(
                node,
                format!("{what} must be true or false, not {}", kind(node)),
            );
            None
        }
    }

    /// A list of strings; a single string is accepted as a list of one.
    fn strings(&mut self, node: &Node, what: &str) -> Vec<(String, u32, u32)> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|n| self.string(n, what).map(|s| (s, n.line, n.col)))
                .collect(),
            Value::Str(_) | Value::Int(_) => self
                .string(node, what)
                .map(|s| vec![(s, node.line, node.col)])
                .unwrap_or_default(),
            _ => {
                self.at(
                    node,
                    format!("{what} must be a list of strings, not {}", kind(node)),
                );
                Vec::new()
            }
        }
    }

    fn patterns(&mut self, node: &Node, what: &str) -> Vec<Pattern> {
        self.strings(node, what)
            .into_iter()
            .filter_map(|(s, line, col)| match Pattern::new(&s) {
                Ok(p) => Some(p),
                Err(message) => {
                    self.err(line, col, message);
                    None
                }
            })
            .collect()
    }
}

fn kind(node: &Node) -> &'static str {
    match node.value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Int(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Str(_) => "a string",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a mapping",
        Value::Tagged(..) => "a tagged value",
    }
}

impl PolicyFile {
    /// Parses and validates `text`, named `file` in messages. `known_rules` is the rule catalog
    /// (ids), against which `forbidden_rules` is checked. Every mistake is reported, each with
    /// its line and column.
    pub fn parse(
        text: &str,
        file: &str,
        known_rules: &BTreeSet<String>,
    ) -> Result<PolicyFile, PolicyErrors> {
        let mut c = Checker {
            file,
            rules: known_rules,
            errors: Vec::new(),
        };
        if text.len() > MAX_POLICY_BYTES {
            c.err(1, 1, format!("larger than {MAX_POLICY_BYTES} bytes"));
            return Err(PolicyErrors(c.errors));
        }
        let root = match yaml::parse(text) {
            Ok(root) => root,
            Err(e) => {
                c.err(
                    e.line.max(1),
                    e.col.max(1),
                    format!("not YAML: {}", e.message),
                );
                return Err(PolicyErrors(c.errors));
            }
        };
        let mut out = PolicyFile {
            file: file.to_owned(),
            ..PolicyFile::default()
        };
        if let Some(entries) = c.map(&root, "the policy file", TOP_KEYS) {
            if let Some(node) = entries.iter().find(|e| e.key == "channels") {
                out.channels = channels(&mut c, &node.value);
            }
            match entries.iter().find(|e| e.key == "policies") {
                Some(node) => out.policies = policies(&mut c, &node.value, &out.channels),
                None => c.at(&root, "no `policies:` list"),
            }
            if let Some(node) = entries.iter().find(|e| e.key == "exceptions") {
                out.exceptions = exceptions(&mut c, &node.value, &out.policies);
            }
        }
        if c.errors.is_empty() {
            Ok(out)
        } else {
            Err(PolicyErrors(c.errors))
        }
    }
}

fn channels(c: &mut Checker<'_>, node: &Node) -> BTreeMap<String, Channel> {
    let mut out = BTreeMap::new();
    let Value::Map(entries) = &node.value else {
        c.at(
            node,
            format!(
                "channels must be a mapping of names to channels, not {}",
                kind(node)
            ),
        );
        return out;
    };
    for e in entries {
        if out.contains_key(&e.key) {
            c.err(
                e.key_line,
                e.key_col,
                format!("duplicate channel \"{}\"", e.key),
            );
            continue;
        }
        if let Some(channel) = channel(c, &e.key, &e.value) {
            out.insert(e.key.clone(), channel);
        }
    }
    out
}

#[expect(
    clippy::single_match_else,
    clippy::too_many_lines,
    reason = "one arm per channel type and key; a missing key and a present one are cases of equal weight"
)]
fn channel(c: &mut Checker<'_>, name: &str, node: &Node) -> Option<Channel> {
    let what = format!("channel \"{name}\"");
    let entries = c.map(node, &what, CHANNEL_KEYS)?;
    let get = |k: &str| entries.iter().find(|e| e.key == k).map(|e| &e.value);
    let Some(type_node) = get("type") else {
        c.at(
            node,
            format!("{what} has no `type` (webhook, slack or syslog)"),
        );
        return None;
    };
    let timeout = match get("timeout") {
        Some(n) => match n.value {
            Value::Int(secs @ 1..=300) => Duration::from_secs(secs.unsigned_abs()),
            _ => {
                c.at(n, "timeout must be a number of seconds from 1 to 300");
                return None;
            }
        },
        None => Duration::from_secs(10),
    };
    let kind_name = c.string(type_node, "type")?;
    let url = |c: &mut Checker<'_>| -> Option<String> {
        let Some(n) = get("url") else {
            c.at(node, format!("{what} of type {kind_name} needs a `url`"));
            return None;
        };
        let url = c.string(n, "url")?;
        if url.starts_with("http://") || url.starts_with("https://") {
            Some(url)
        } else {
            c.at(
                n,
                format!("url must start with http:// or https://: `{url}`"),
            );
            None
        }
    };
    let kind = match kind_name.as_str() {
        "webhook" => ChannelKind::Webhook { url: url(c)? },
        "slack" => ChannelKind::Slack { url: url(c)? },
        "syslog" => {
            let Some(n) = get("address") else {
                c.at(
                    node,
                    format!("{what} of type syslog needs an `address` (udp://HOST:PORT or tcp://HOST:PORT)"),
                );
                return None;
            };
            let text = c.string(n, "address")?;
            let address = if let Some(rest) = text.strip_prefix("udp://") {
                SyslogAddress::Udp(rest.to_owned())
            } else if let Some(rest) = text.strip_prefix("tcp://") {
                SyslogAddress::Tcp(rest.to_owned())
            } else {
                c.at(
                    n,
                    format!("address must be udp://HOST:PORT or tcp://HOST:PORT, not `{text}`"),
                );
                return None;
            };
            let app_name = match get("app_name") {
                Some(n) => {
                    let s = c.string(n, "app_name")?;
                    if s.len() > 48 || !s.bytes().all(|b| (33..=126).contains(&b)) {
                        c.at(n, "app_name must be 1 to 48 printable ASCII characters without spaces (RFC 5424)");
                        return None;
                    }
                    s
                }
                None => "faasguard".to_owned(),
            };
            let format = match get("format") {
                Some(n) => {
                    match c.string(n, "format")?.as_str() {
                        "rfc5424" => SyslogFormat::Rfc5424,
                        "cef" => SyslogFormat::Cef,
                        "both" => SyslogFormat::Both,
                        other => {
                            c.at(
                            n,
                            format!("unknown syslog format \"{other}\" (expected rfc5424, cef or both)"),
                        );
                            return None;
                        }
                    }
                }
                None => SyslogFormat::Both,
            };
            ChannelKind::Syslog {
                address,
                app_name,
                format,
            }
        }
        other => {
            c.at(
                type_node,
                format!("unknown channel type \"{other}\" (expected webhook, slack or syslog)"),
            );
            return None;
        }
    };
    let allowed: &[&str] = match kind {
        ChannelKind::Webhook { .. } | ChannelKind::Slack { .. } => &["type", "url", "timeout"],
        ChannelKind::Syslog { .. } => &["type", "address", "app_name", "format", "timeout"],
    };
    for e in entries {
        if CHANNEL_KEYS.contains(&e.key.as_str()) && !allowed.contains(&e.key.as_str()) {
            c.err(
                e.key_line,
                e.key_col,
                format!(
                    "key \"{}\" does not apply to a {kind_name} channel (expected one of {})",
                    e.key,
                    allowed.join(", ")
                ),
            );
        }
    }
    Some(Channel {
        name: name.to_owned(),
        kind,
        timeout,
    })
}

fn policies(c: &mut Checker<'_>, node: &Node, channels: &BTreeMap<String, Channel>) -> Vec<Policy> {
    let Value::Seq(items) = &node.value else {
        c.at(
            node,
            format!("policies must be a list of policies, not {}", kind(node)),
        );
        return Vec::new();
    };
    let mut out: Vec<Policy> = Vec::new();
    for item in items {
        let Some(policy) = policy(c, item, channels) else {
            continue;
        };
        if out.iter().any(|p| p.name == policy.name) {
            c.err(
                policy.line,
                policy.col,
                format!("duplicate policy name \"{}\"", policy.name),
            );
            continue;
        }
        out.push(policy);
    }
    out
}

#[expect(
    clippy::single_match_else,
    reason = "a missing key and a present one are cases of equal weight"
)]
fn policy(
    c: &mut Checker<'_>,
    node: &Node,
    channels: &BTreeMap<String, Channel>,
) -> Option<Policy> {
    let entries = c.map(node, "a policy", POLICY_KEYS)?;
    let get = |k: &str| entries.iter().find(|e| e.key == k).map(|e| &e.value);
    let errors_before = c.errors.len();
    let name = match get("name") {
        Some(n) => c.string(n, "name"),
        None => {
            c.at(node, "a policy needs a `name`");
            None
        }
    };
    let description = get("description").and_then(|n| c.string(n, "description"));
    let scope = get("scope").map(|n| scope(c, n)).unwrap_or_default();
    let conditions = match get("conditions") {
        Some(n) => conditions(c, n),
        None => {
            c.at(node, "a policy needs `conditions`");
            Conditions::default()
        }
    };
    let action = match get("action") {
        Some(n) => match c.string(n, "action").as_deref() {
            Some("notify") => Some(Action::Notify),
            Some("block") => Some(Action::Block),
            Some(other) => {
                c.at(
                    n,
                    format!("unknown action \"{other}\" (expected notify or block)"),
                );
                None
            }
            None => None,
        },
        None => {
            c.at(node, "a policy needs an `action` (notify or block)");
            None
        }
    };
    let mut notify = Vec::new();
    if let Some(n) = get("notify") {
        for (name, line, col) in c.strings(n, "channel name") {
            if channels.contains_key(&name) {
                notify.push(name);
            } else {
                let known: Vec<&str> = channels.keys().map(String::as_str).collect();
                c.err(
                    line,
                    col,
                    format!(
                        "unknown channel \"{name}\" (defined under `channels:`: {})",
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ),
                );
            }
        }
    }
    if c.errors.len() > errors_before {
        return None;
    }
    Some(Policy {
        name: name?,
        description,
        scope,
        conditions,
        action: action?,
        notify,
        line: get("name").map_or(node.line, |n| n.line),
        col: get("name").map_or(node.col, |n| n.col),
    })
}

fn scope(c: &mut Checker<'_>, node: &Node) -> Scope {
    let mut out = Scope::default();
    let Some(entries) = c.map(node, "scope", SCOPE_KEYS) else {
        return out;
    };
    for e in entries {
        match e.key.as_str() {
            "accounts" => out.accounts = c.patterns(&e.value, "account"),
            "regions" => out.regions = c.patterns(&e.value, "region"),
            "functions" => out.functions = c.patterns(&e.value, "function name"),
            "tags" => {
                let Value::Map(tags) = &e.value.value else {
                    c.at(
                        &e.value,
                        format!(
                            "tags must be a mapping of key to value, not {}",
                            kind(&e.value)
                        ),
                    );
                    continue;
                };
                for t in tags {
                    for p in c.patterns(&t.value, "tag value") {
                        out.tags.push((t.key.clone(), p));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[expect(
    clippy::option_option,
    reason = "outer: valid or not (reported); inner: a severity or `none` (no finding allowed)"
)]
fn severity_limit(c: &mut Checker<'_>, node: &Node) -> Option<Option<Severity>> {
    let text = c.string(node, "severity")?;
    if text.eq_ignore_ascii_case("none") {
        return Some(None);
    }
    if let Ok(s) = text.parse::<Severity>() {
        return Some(Some(s));
    }
    c.at(
        node,
        format!("unknown severity \"{text}\" (expected info, low, medium, high, critical or none)"),
    );
    None
}

fn conditions(c: &mut Checker<'_>, node: &Node) -> Conditions {
    let mut out = Conditions::default();
    let Some(entries) = c.map(node, "conditions", CONDITION_KEYS) else {
        return out;
    };
    for e in entries {
        let v = &e.value;
        match e.key.as_str() {
            "max_severity" => {
                let names: Vec<&str> = SCANNERS.iter().map(|(n, _)| *n).collect();
                let Some(limits) = c.map(v, "max_severity", &names) else {
                    continue;
                };
                for l in limits {
                    if names.contains(&l.key.as_str())
                        && let Some(limit) = severity_limit(c, &l.value)
                    {
                        out.max_severity.insert(l.key.clone(), limit);
                    }
                }
            }
            "no_secrets" => out.no_secrets = c.boolean(v, "no_secrets").unwrap_or(false),
            "no_admin_role" => out.no_admin_role = c.boolean(v, "no_admin_role").unwrap_or(false),
            "code_recorded" => out.code_recorded = c.boolean(v, "code_recorded").unwrap_or(false),
            "require_concurrency_cap" => {
                out.require_concurrency_cap =
                    c.boolean(v, "require_concurrency_cap").unwrap_or(false);
            }
            "allowed_runtimes" => out.allowed_runtimes = c.patterns(v, "runtime"),
            "max_unused_days" => match v.value {
                Value::Int(n) if (0..=36_500).contains(&n) => {
                    out.max_unused_days = u32::try_from(n).ok();
                }
                _ => c.at(
                    v,
                    format!(
                        "max_unused_days must be a whole number of days (0 to 36500), not {}",
                        kind(v)
                    ),
                ),
            },
            "forbidden_rules" => {
                for (id, line, col) in c.strings(v, "rule id") {
                    let upper = id.to_ascii_uppercase();
                    if c.rules.contains(&upper) {
                        out.forbidden_rules.push(upper);
                    } else {
                        c.err(
                            line,
                            col,
                            format!("unknown rule id \"{id}\" (`faasguard rules` lists them)"),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[expect(
    clippy::single_match_else,
    reason = "a missing key and a present one are cases of equal weight"
)]
fn exceptions(c: &mut Checker<'_>, node: &Node, policies: &[Policy]) -> Vec<Exception> {
    let Value::Seq(items) = &node.value else {
        c.at(
            node,
            format!("exceptions must be a list, not {}", kind(node)),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(entries) = c.map(item, "an exception", EXCEPTION_KEYS) else {
            continue;
        };
        let get = |k: &str| entries.iter().find(|e| e.key == k).map(|e| &e.value);
        let field = |c: &mut Checker<'_>, key: &str| -> Option<(String, &Node)> {
            match get(key) {
                Some(n) => c.string(n, key).map(|s| (s, n)),
                None => {
                    c.at(item, format!("an exception needs `{key}`"));
                    None
                }
            }
        };
        let policy = field(c, "policy");
        let function = field(c, "function");
        let reason = field(c, "reason");
        let expires = field(c, "expires");
        let (
            Some((policy, policy_node)),
            Some((function, function_node)),
            Some((reason, _)),
            Some((expires, expires_node)),
        ) = (policy, function, reason, expires)
        else {
            continue;
        };
        let mut ok = true;
        if !policies.iter().any(|p| p.name == policy) {
            c.at(
                policy_node,
                format!("exception for unknown policy \"{policy}\""),
            );
            ok = false;
        }
        let pattern = match Pattern::new(&function) {
            Ok(p) => Some(p),
            Err(message) => {
                c.at(function_node, message);
                None
            }
        };
        let date = match Date::parse(&expires) {
            Some(d) => Some(d),
            None => {
                c.at(
                    expires_node,
                    format!("expires must be a date as YYYY-MM-DD, not `{expires}`"),
                );
                None
            }
        };
        if let (true, Some(function), Some(expires)) = (ok, pattern, date) {
            out.push(Exception {
                policy,
                function,
                reason,
                expires,
                line: item.line,
            });
        }
    }
    out
}
