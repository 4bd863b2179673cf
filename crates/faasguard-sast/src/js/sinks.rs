//! Sink, sanitizer and propagator tables, keyed by the resolved callee name.
//!
//! Callee names are module-qualified where the binding is known (`child_process.exec` for
//! `const { exec } = require('child_process'); exec(…)`, `fs.readFile` for
//! `import { promises as fs } from 'fs'`), otherwise the global name (`eval`, `fetch`).
//!
//! Sanitizer decisions:
//! - `parseInt`, `parseFloat`, `Number`, `Boolean`, `BigInt`, `Math.*`, unary `+`: numbers and
//!   booleans cannot carry an injection, so taint stops for every sink.
//! - `encodeURIComponent`: stops taint for outbound URLs and file paths only (it encodes `/`,
//!   `?`, `#`, `@`, `:` so the value stays one path component), not for commands, code or
//!   queries (it leaves `'`, `(`, `)`, `!`, `*` alone).
//! - `path.basename`: stops taint for file paths only.
//! - `shell-quote`'s `quote`, `shell-escape`: stop taint for commands only.
//! - `escape`/`escapeId`/`escapeLiteral`/`escapeIdentifier` (mysql, pg, sqlstring): stop taint for
//!   queries only.
//! - Allowlist or validator guards (`if (!ALLOWED.includes(x)) return;`,
//!   `if (!validator.isInt(x)) throw …`, `if (/^\w+$/.test(x)) { … }`) are handled in the walk.
//!   A regular expression validates only when anchored at both ends without a repeated `.`
//!   (`/^https?:\/\//` does not). `x.startsWith(BASE)` makes `x` safe for file paths when `x`
//!   was normalised (`path.resolve`/`join`/`normalize`), and for outbound URLs when the prefix
//!   fixes scheme and host (`'https://hooks.example.com/'`).

use crate::SinkKind;

/// A set of sink kinds, one bit per [`SinkKind`].
pub(crate) type KindSet = u8;

pub(crate) const ALL_KINDS: KindSet = 0x7f;

pub(crate) fn bit(kind: SinkKind) -> KindSet {
    match kind {
        SinkKind::Command => 1,
        SinkKind::CodeEval => 1 << 1,
        SinkKind::Deserialization => 1 << 2,
        SinkKind::Query => 1 << 3,
        SinkKind::FilePath => 1 << 4,
        SinkKind::OutboundUrl => 1 << 5,
        SinkKind::XmlEntities => 1 << 6,
    }
}

/// The sink kinds a sanitizer call makes safe, or `None` when `name` is no sanitizer.
pub(crate) fn sanitizer(name: &str, method: Option<&str>) -> Option<KindSet> {
    match name {
        "parseInt" | "parseFloat" | "Number" | "Boolean" | "BigInt" | "isNaN"
        | "Number.parseInt" | "Number.parseFloat" | "Number.isInteger" | "Number.isNaN"
        | "Number.isFinite" | "Date.parse" => return Some(ALL_KINDS),
        "encodeURIComponent" => return Some(bit(SinkKind::OutboundUrl) | bit(SinkKind::FilePath)),
        "path.basename" => return Some(bit(SinkKind::FilePath)),
        "shell-quote.quote" | "shell-escape" | "shell-escape-tag" | "any-shell-escape" => {
            return Some(bit(SinkKind::Command));
        }
        _ => {}
    }
    if name.starts_with("Math.") {
        return Some(ALL_KINDS);
    }
    match method {
        Some("escape" | "escapeId" | "escapeLiteral" | "escapeIdentifier") => {
            Some(bit(SinkKind::Query))
        }
        _ => None,
    }
}

/// Functions whose result carries the taint of their arguments, with the note for the step.
pub(crate) fn propagator(name: &str) -> Option<&'static str> {
    Some(match name {
        "JSON.parse" => "parsed by JSON.parse",
        "Buffer.from" | "Buffer" | "Buffer.concat" => "decoded by Buffer.from",
        "decodeURIComponent" | "decodeURI" | "unescape" | "atob" => "URL/base64-decoded",
        "querystring.parse" | "qs.parse" | "url.parse" | "URL" | "URLSearchParams" => {
            "parsed as a URL/query string"
        }
        "path.join" | "path.resolve" | "path.normalize" | "path.relative" | "path.dirname"
        | "path.format" | "path.posix.join" | "path.win32.join" => "joined into a path",
        "util.format" | "format" | "String" | "String.raw" | "JSON.stringify" | "Object.assign"
        | "Object.values" | "Object.keys" | "Object.entries" | "Object.fromEntries"
        | "Array.from" | "Array.of" | "Promise.resolve" | "structuredClone" | "util.promisify" => {
            "copied"
        }
        _ => return None,
    })
}

/// Methods that return booleans, numbers or indexes: no taint on their result.
pub(crate) fn method_kills_taint(method: &str) -> bool {
    matches!(
        method,
        "includes"
            | "startsWith"
            | "endsWith"
            | "indexOf"
            | "lastIndexOf"
            | "test"
            | "hasOwnProperty"
            | "some"
            | "every"
            | "findIndex"
            | "findLastIndex"
            | "localeCompare"
            | "search"
            | "charCodeAt"
            | "codePointAt"
            | "getTime"
            | "valueOf"
            | "has"
    )
}

/// String methods: their result is a string even when the receiver came from `JSON.parse`.
pub(crate) fn method_returns_string(method: &str) -> bool {
    matches!(
        method,
        "toString"
            | "trim"
            | "trimStart"
            | "trimEnd"
            | "toLowerCase"
            | "toUpperCase"
            | "substring"
            | "substr"
            | "normalize"
            | "padStart"
            | "padEnd"
            | "repeat"
            | "replace"
            | "replaceAll"
            | "join"
            | "charAt"
            | "toFixed"
    )
}

/// Methods whose result carries the taint of an argument even on an untainted receiver
/// (`'ls '.concat(dir)`, `tpl.replace('X', dir)`).
pub(crate) fn method_takes_arg_taint(method: &str) -> bool {
    matches!(
        method,
        "concat" | "replace" | "replaceAll" | "padStart" | "padEnd" | "join"
    )
}

/// Methods that put an argument into their receiver (`parts.push(dir)`).
pub(crate) fn method_stores_arg(method: &str) -> bool {
    matches!(
        method,
        "push" | "unshift" | "splice" | "set" | "append" | "add"
    )
}

/// Iteration methods whose callback receives elements of the receiver, and the index of the
/// element parameter.
pub(crate) fn callback_element_param(method: &str) -> Option<usize> {
    match method {
        "forEach" | "map" | "filter" | "find" | "findLast" | "some" | "every" | "flatMap"
        | "then" | "sort" => Some(0),
        "reduce" | "reduceRight" => Some(1),
        _ => None,
    }
}

/// How a call is a sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SinkRule {
    /// The first argument reaches a sink of this kind.
    Arg0(SinkKind),
    /// Any argument reaches a sink of this kind (`new Function(a, b, body)`).
    AnyArg(SinkKind),
    /// `spawn`/`execFile`: a tainted program, or any tainted argument with `{shell: true}`.
    SpawnLike,
    /// `eval`: code evaluation, or deserialization when written `eval('(' + x + ')')`.
    Eval,
    /// js-yaml `load`: unsafe unless a JSON/failsafe/core/safe schema is passed.
    YamlLoad,
    /// `.query(sql)` / `.execute(sql)` / `.raw(sql)`: the SQL text (not the parameters).
    QueryText,
    /// MongoDB `find`-style calls: a `$where` string or a raw filter object from the event.
    MongoFilter,
    /// DynamoDB PartiQL: the `Statement` of `ExecuteStatementCommand`/`executeStatement`.
    PartiQl,
    /// `fs.*` with paths in the first (and for two-path calls the second) argument.
    FsPath { two: bool },
    /// HTTP clients: the URL (first argument, or its `url`/`host`/… option).
    Url,
    /// libxmljs `parseXml(x, {noent: true})`.
    XmlParse,
}

const FS_ONE_PATH: &[&str] = &[
    "readFile",
    "readFileSync",
    "writeFile",
    "writeFileSync",
    "appendFile",
    "appendFileSync",
    "createReadStream",
    "createWriteStream",
    "unlink",
    "unlinkSync",
    "rm",
    "rmSync",
    "rmdir",
    "rmdirSync",
    "mkdir",
    "mkdirSync",
    "readdir",
    "readdirSync",
    "open",
    "openSync",
    "access",
    "accessSync",
    "stat",
    "statSync",
    "lstat",
    "lstatSync",
    "truncate",
    "truncateSync",
    "chmod",
    "chmodSync",
    "chown",
    "chownSync",
    "opendir",
    "opendirSync",
    "readlink",
    "readlinkSync",
    "realpath",
    "realpathSync",
    "outputFile",
    "outputFileSync",
    "readJson",
    "readJsonSync",
    "writeJson",
    "writeJsonSync",
    "remove",
    "removeSync",
    "ensureDir",
    "emptyDir",
];

const FS_TWO_PATHS: &[&str] = &[
    "copyFile",
    "copyFileSync",
    "rename",
    "renameSync",
    "link",
    "linkSync",
    "symlink",
    "symlinkSync",
    "cp",
    "cpSync",
    "copy",
    "copySync",
    "move",
    "moveSync",
];

const HTTP_VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "head", "options", "request", "stream",
];

const MONGO_METHODS: &[&str] = &[
    "find",
    "findOne",
    "findOneAndUpdate",
    "findOneAndDelete",
    "findOneAndReplace",
    "deleteOne",
    "deleteMany",
    "updateOne",
    "updateMany",
    "countDocuments",
    "count",
    "remove",
];

/// The sink rule for a call to `name` (resolved callee, when known) / `.method(…)`.
/// `receiver_tainted`: the method's receiver carries taint (then `find` is an array method).
pub(crate) fn sink_rule(
    name: Option<&str>,
    method: Option<&str>,
    receiver_tainted: bool,
    is_new: bool,
) -> Option<SinkRule> {
    if let Some(name) = name
        && let Some(rule) = named_sink(name, is_new)
    {
        return Some(rule);
    }
    if is_new && name.is_some_and(|n| n.ends_with("ExecuteStatementCommand")) {
        return Some(SinkRule::PartiQl);
    }
    let method = method?;
    if receiver_tainted {
        return None;
    }
    match method {
        "query" | "execute" | "raw" | "whereRaw" | "orWhereRaw" | "havingRaw" | "joinRaw"
        | "$queryRawUnsafe" | "$executeRawUnsafe" | "unsafe" => Some(SinkRule::QueryText),
        "executeStatement" => Some(SinkRule::PartiQl),
        m if MONGO_METHODS.contains(&m) && !name.is_some_and(|n| n.starts_with("fs.")) => {
            Some(SinkRule::MongoFilter)
        }
        _ => None,
    }
}

fn named_sink(name: &str, is_new: bool) -> Option<SinkRule> {
    let name = ["globalThis.", "global.", "window.", "self."]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name);
    let (root, member) = match name.split_once('.') {
        Some((root, member)) => (root, Some(member)),
        None => (name, None),
    };
    let rule = match (root, member) {
        ("child_process", Some("exec" | "execSync")) | ("shelljs", Some("exec")) => {
            SinkRule::Arg0(SinkKind::Command)
        }
        ("child_process", Some("spawn" | "spawnSync" | "execFile" | "execFileSync")) => {
            SinkRule::SpawnLike
        }
        ("eval", None) if !is_new => SinkRule::Eval,
        ("Function", None) => SinkRule::AnyArg(SinkKind::CodeEval),
        (
            "vm",
            Some("runInNewContext" | "runInThisContext" | "runInContext" | "compileFunction"),
        )
        | ("setTimeout" | "setInterval" | "setImmediate" | "require", None) => {
            SinkRule::Arg0(SinkKind::CodeEval)
        }
        ("vm", Some("Script")) if is_new => SinkRule::Arg0(SinkKind::CodeEval),
        // Template engines that compile the template text to JavaScript.
        ("lodash" | "underscore", Some("template"))
        | ("lodash.template" | "lodash/template", None)
        | ("ejs" | "pug", Some("render" | "compile")) => SinkRule::Arg0(SinkKind::CodeEval),
        ("node-serialize", Some("unserialize"))
        | ("serialize-to-js", Some("deserialize"))
        | ("funcster", Some("deepDeserialize")) => SinkRule::Arg0(SinkKind::Deserialization),
        ("js-yaml", Some("load" | "loadAll")) => SinkRule::YamlLoad,
        ("fs", Some(m)) if FS_ONE_PATH.contains(&m) => SinkRule::FsPath { two: false },
        ("fs", Some(m)) if FS_TWO_PATHS.contains(&m) => SinkRule::FsPath { two: true },
        ("http" | "https", Some("get" | "request"))
        | ("fetch" | "axios" | "got" | "request" | "needle" | "superagent", None) => SinkRule::Url,
        ("axios" | "got" | "request" | "needle" | "superagent" | "undici", Some(m))
            if HTTP_VERBS.contains(&m) || m == "fetch" =>
        {
            SinkRule::Url
        }
        ("libxmljs", Some("parseXml" | "parseXmlString" | "parseXmlAsync")) => SinkRule::XmlParse,
        _ => return None,
    };
    Some(rule)
}

/// Canonical module names: `node:fs` → `fs`, `fs/promises` and `fs-extra` → `fs`,
/// `libxmljs2` → `libxmljs`, fetch polyfills → `fetch`.
pub(crate) fn normalize_module(spec: &str) -> String {
    let spec = spec.strip_prefix("node:").unwrap_or(spec);
    match spec {
        "fs/promises" | "fs-extra" | "graceful-fs" => "fs".into(),
        "libxmljs2" => "libxmljs".into(),
        "node-fetch" | "cross-fetch" | "isomorphic-fetch" => "fetch".into(),
        "child_process/promises" => "child_process".into(),
        "mysql2" | "mysql2/promise" => "mysql".into(),
        "request-promise" | "request-promise-native" => "request".into(),
        _ => spec.to_string(),
    }
}
