//! Python sinks, sanitizers and propagators, by resolved dotted name.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use super::Ctx;
use super::taint::{FnRun, Taint};
use crate::SinkKind;

/// One call, evaluated.
pub(crate) struct CallSite<'a> {
    pub(crate) call: &'a ExprCall,
    /// Dotted callee through import aliases (`subprocess.run`, `urllib3.PoolManager().request`).
    pub(crate) qual: Option<&'a str>,
    /// The attribute called, for method calls.
    pub(crate) method: Option<&'a str>,
    /// Taint of the receiver of a method call.
    pub(crate) receiver: Option<&'a Taint>,
    pub(crate) args: &'a [Option<Taint>],
    pub(crate) keywords: &'a [(Option<String>, Option<Taint>)],
}

impl CallSite<'_> {
    /// Taint of positional argument `i` or of the keyword `kw`.
    fn arg(&self, i: usize, kw: &str) -> Option<&Taint> {
        self.args.get(i).and_then(Option::as_ref).or_else(|| {
            self.keywords
                .iter()
                .find(|(name, _)| name.as_deref() == Some(kw))
                .and_then(|(_, t)| t.as_ref())
        })
    }

    /// The expression of positional argument `i` or of the keyword `kw`.
    fn arg_expr(&self, i: usize, kw: &str) -> Option<&Expr> {
        self.call.arguments.args.get(i).or_else(|| {
            self.call
                .arguments
                .keywords
                .iter()
                .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == kw))
                .map(|k| &k.value)
        })
    }

    /// Taint of the first of these keywords that is tainted.
    fn keyword(&self, names: &[&str]) -> Option<&Taint> {
        self.keywords
            .iter()
            .filter(|(name, _)| name.as_deref().is_some_and(|n| names.contains(&n)))
            .find_map(|(_, t)| t.as_ref())
    }

    fn any_positional(&self) -> Option<&Taint> {
        self.args.iter().find_map(Option::as_ref)
    }

    fn keyword_is_true(&self, kw: &str) -> bool {
        self.call.arguments.keywords.iter().any(|k| {
            k.arg.as_ref().is_some_and(|a| a.as_str() == kw)
                && matches!(&k.value, Expr::BooleanLiteral(b) if b.value)
        })
    }
}

const SHELL_COMMANDS: &[&str] = &[
    "os.system",
    "os.popen",
    "os.popen2",
    "os.popen3",
    "os.popen4",
    "commands.getoutput",
    "commands.getstatusoutput",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "asyncio.create_subprocess_shell",
    "popen2.popen2",
    "popen2.popen3",
    "popen2.popen4",
];

const SUBPROCESS: &[&str] = &[
    "subprocess.call",
    "subprocess.run",
    "subprocess.Popen",
    "subprocess.check_output",
    "subprocess.check_call",
];

/// `os.exec*` take the program first; `os.spawn*` take a mode first.
const EXEC_PROGRAM: &[&str] = &[
    "os.execl",
    "os.execle",
    "os.execlp",
    "os.execlpe",
    "os.execv",
    "os.execve",
    "os.execvp",
    "os.execvpe",
    "asyncio.create_subprocess_exec",
    "pty.spawn",
];

const CODE_EVAL: &[&str] = &[
    "eval",
    "exec",
    "compile",
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
];

const DESERIALIZE: &[&str] = &[
    "pickle.loads",
    "pickle.load",
    "pickle.Unpickler",
    "cPickle.loads",
    "cPickle.load",
    "_pickle.loads",
    "_pickle.load",
    "dill.loads",
    "dill.load",
    "marshal.loads",
    "marshal.load",
    "jsonpickle.decode",
    "jsonpickle.loads",
    "shelve.open",
    "yaml.unsafe_load",
    "yaml.unsafe_load_all",
    "yaml.full_load",
    "yaml.full_load_all",
    "pandas.read_pickle",
];

const SQL_TEXT: &[&str] = &[
    "sqlalchemy.text",
    "sqlalchemy.sql.text",
    "sqlalchemy.sql.expression.text",
    "pandas.read_sql",
    "pandas.read_sql_query",
];

/// DB-API and ORM methods whose first argument is SQL text.
const SQL_METHODS: &[&str] = &["execute", "executemany", "executescript", "mogrify", "raw"];

/// AWS SDK (boto3) calls that run a query text: DynamoDB PartiQL, RDS Data API, Redshift Data
/// API, Athena.
const AWS_QUERY_METHODS: &[&str] = &[
    "execute_statement",
    "batch_execute_statement",
    "start_query_execution",
];

/// pymongo collection methods taking a filter first.
const MONGO_METHODS: &[&str] = &[
    "find",
    "find_one",
    "find_one_and_delete",
    "find_one_and_update",
    "find_one_and_replace",
    "delete_one",
    "delete_many",
    "update_one",
    "update_many",
    "replace_one",
    "count_documents",
    "distinct",
];

const FILE_PATHS: &[&str] = &[
    "open",
    "io.open",
    "codecs.open",
    "os.open",
    "os.remove",
    "os.unlink",
    "os.rmdir",
    "os.removedirs",
    "os.listdir",
    "os.scandir",
    "os.makedirs",
    "os.mkdir",
    "os.rename",
    "os.replace",
    "os.chmod",
    "os.chown",
    "os.truncate",
    "tarfile.open",
    "zipfile.ZipFile",
];

/// `shutil` operations on paths (not `which`, `get_terminal_size`, …).
const SHUTIL_PATHS: &[&str] = &[
    "shutil.copy",
    "shutil.copy2",
    "shutil.copyfile",
    "shutil.copymode",
    "shutil.copystat",
    "shutil.copytree",
    "shutil.rmtree",
    "shutil.move",
    "shutil.chown",
    "shutil.make_archive",
    "shutil.unpack_archive",
];

/// `pathlib.Path` methods that touch the file system.
const PATH_METHODS: &[&str] = &[
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "unlink",
    "rmdir",
    "mkdir",
    "touch",
    "iterdir",
    "chmod",
    "symlink_to",
];

const URL_FIRST: &[&str] = &[
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.patch",
    "requests.delete",
    "requests.head",
    "requests.options",
    "httpx.get",
    "httpx.post",
    "httpx.put",
    "httpx.patch",
    "httpx.delete",
    "httpx.head",
    "httpx.stream",
    "urllib.request.urlopen",
    "urllib.request.urlretrieve",
    "urllib.urlopen",
    "urllib2.urlopen",
    "http.client.HTTPConnection",
    "http.client.HTTPSConnection",
];

/// Methods of client objects whose first argument is the URL.
const CLIENT_URL_FIRST: &[&str] = &[
    "requests.Session()",
    "requests.session()",
    "httpx.Client()",
    "httpx.AsyncClient()",
    "aiohttp.ClientSession()",
];

/// `request(method, url)` style.
const URL_SECOND: &[&str] = &[
    "requests.request",
    "httpx.request",
    "urllib3.request",
    "urllib3.PoolManager().request",
    "urllib3.PoolManager().urlopen",
    "urllib3.PoolManager().request_encode_url",
];

const LXML_PARSE: &[&str] = &[
    "lxml.etree.fromstring",
    "lxml.etree.XML",
    "lxml.etree.parse",
    "lxml.etree.XMLID",
];

const PULLDOM_PARSE: &[&str] = &["xml.dom.pulldom.parse", "xml.dom.pulldom.parseString"];

/// lxml functions that take the parser options as keywords of the call itself.
const LXML_PARSE_WITH_OPTIONS: &[&str] = &["lxml.etree.iterparse"];

/// Programs that run their `-c` argument as a shell command line.
const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ksh", "ash", "busybox"];

/// A library API this module knows as a sink: never followed into a same-named local file (a
/// vendored copy of the library).
pub(crate) fn is_known_api(q: &str) -> bool {
    [
        SHELL_COMMANDS,
        SUBPROCESS,
        EXEC_PROGRAM,
        CODE_EVAL,
        DESERIALIZE,
        SQL_TEXT,
        FILE_PATHS,
        URL_FIRST,
        URL_SECOND,
        LXML_PARSE,
        PULLDOM_PARSE,
        LXML_PARSE_WITH_OPTIONS,
    ]
    .iter()
    .any(|table| table.contains(&q))
        || matches!(q, "yaml.load" | "yaml.load_all")
        || SHUTIL_PATHS.contains(&q)
        || q.starts_with("os.spawn")
}

/// Reports the sinks a call reaches.
#[expect(
    clippy::too_many_lines,
    reason = "one branch per sink family, read as a table"
)]
pub(crate) fn check(run: &FnRun, ctx: &mut Ctx<'_>, site: &CallSite<'_>) {
    let at = site.call.range().start();
    let q = site.qual.unwrap_or("");
    let mut report = |kind: SinkKind, sink: &str, taint: Option<&Taint>| {
        if let Some(t) = taint {
            run.report(ctx, kind, sink, t, at);
        }
    };

    if SHELL_COMMANDS.contains(&q) {
        report(
            SinkKind::Command,
            q,
            site.arg(0, "cmd").or(site.arg(0, "command")),
        );
    } else if SUBPROCESS.contains(&q) {
        let first = site.arg(0, "args");
        if site.keyword_is_true("shell") {
            report(SinkKind::Command, &format!("{q}(shell=True)"), first);
        } else if site
            .arg_expr(0, "args")
            .is_some_and(runs_shell_command_line)
        {
            // `["/bin/sh", "-c", line]`: a shell without `shell=True`.
            report(SinkKind::Command, &format!("{q} (sh -c)"), first);
        } else if first.is_some_and(|t| !t.head_clean) {
            // Without a shell only the program is dangerous: a string argument is the program,
            // a list literal is dangerous when its first element is tainted.
            report(
                SinkKind::Command,
                &format!("{q} (program from event)"),
                first,
            );
        }
    } else if EXEC_PROGRAM.contains(&q) {
        report(
            SinkKind::Command,
            q,
            site.arg(0, "path").or(site.arg(0, "program")),
        );
    } else if q.starts_with("os.spawn") {
        report(
            SinkKind::Command,
            q,
            site.arg(1, "file").or(site.arg(1, "path")),
        );
    } else if CODE_EVAL.contains(&q) {
        report(SinkKind::CodeEval, q, site.arg(0, "source"));
    } else if DESERIALIZE.contains(&q) {
        report(SinkKind::Deserialization, q, site.any_positional());
    } else if q == "yaml.load" || q == "yaml.load_all" {
        let safe = site
            .arg_expr(1, "Loader")
            .and_then(|l| run.qualname(l))
            .is_some_and(|l| {
                let last = l.rsplit('.').next().unwrap_or(&l);
                matches!(
                    last,
                    "SafeLoader" | "CSafeLoader" | "BaseLoader" | "CBaseLoader"
                )
            });
        if !safe {
            report(SinkKind::Deserialization, q, site.arg(0, "stream"));
        }
    } else if SQL_TEXT.contains(&q) {
        report(
            SinkKind::Query,
            q,
            site.arg(0, "sql").or(site.arg(0, "text")),
        );
    } else if FILE_PATHS.contains(&q) {
        report(
            SinkKind::FilePath,
            q,
            site.any_positional().or(site.arg(0, "file")),
        );
    } else if SHUTIL_PATHS.contains(&q) {
        report(SinkKind::FilePath, q, site.any_positional());
    } else if URL_FIRST.contains(&q) {
        report(
            SinkKind::OutboundUrl,
            q,
            site.arg(0, "url").or(site.arg(0, "host")),
        );
    } else if URL_SECOND.contains(&q) {
        report(SinkKind::OutboundUrl, q, site.arg(1, "url"));
    } else if LXML_PARSE.contains(&q) {
        let parser = site.arg_expr(1, "parser");
        if parser.is_some_and(|p| is_xxe_parser(run, p)) {
            report(
                SinkKind::XmlEntities,
                &format!("{q} (resolve_entities=True)"),
                site.arg(0, "text").or(site.arg(0, "source")),
            );
        }
    } else if LXML_PARSE_WITH_OPTIONS.contains(&q) {
        if enables_xxe_keywords(site.call) {
            report(
                SinkKind::XmlEntities,
                &format!("{q} (resolve_entities=True)"),
                site.arg(0, "source"),
            );
        }
    } else if PULLDOM_PARSE.contains(&q) {
        let parser = site.arg_expr(1, "parser");
        if parser.is_some_and(|p| is_xxe_parser(run, p)) {
            report(
                SinkKind::XmlEntities,
                &format!("{q} (feature_external_ges)"),
                site.arg(0, "stream_or_string").or(site.arg(0, "string")),
            );
        }
    } else if let Some(method) = site.method {
        let object = q.rsplit_once('.').map_or("", |(o, _)| o);
        if CLIENT_URL_FIRST.contains(&object)
            && matches!(
                method,
                "get" | "post" | "put" | "patch" | "delete" | "head" | "options" | "stream"
            )
        {
            report(SinkKind::OutboundUrl, q, site.arg(0, "url"));
        } else if CLIENT_URL_FIRST.contains(&object) && method == "request" {
            report(SinkKind::OutboundUrl, q, site.arg(1, "url"));
        } else if object.ends_with("[xxe]") && matches!(method, "parse" | "feed") {
            report(
                SinkKind::XmlEntities,
                "xml.sax parser with feature_external_ges",
                site.arg(0, "source").or(site.arg(0, "data")),
            );
        } else if AWS_QUERY_METHODS.contains(&method) {
            // DynamoDB PartiQL, RDS Data API, Redshift Data API, Athena: the statement text.
            report(
                SinkKind::Query,
                &format!("{}.{method}", receiver_label(site.call)),
                site.keyword(&["Statement", "QueryString", "Sql", "sql"]),
            );
        } else if method == "send_command" {
            // SSM Run Command: `Parameters={"commands": [...]}` runs on the instances.
            report(
                SinkKind::Command,
                &format!("{}.send_command", receiver_label(site.call)),
                site.keyword(&["Parameters"]),
            );
        } else if SQL_METHODS.contains(&method) {
            report(
                SinkKind::Query,
                &format!("{}.{method}", receiver_label(site.call)),
                site.arg(0, "sql")
                    .or(site.arg(0, "query"))
                    .or(site.arg(0, "operation"))
                    .or(site.arg(0, "statement")),
            );
        } else if MONGO_METHODS.contains(&method) && site.receiver.is_none() {
            check_mongo(run, site, &mut report, method);
        } else if PATH_METHODS.contains(&method)
            || (method == "open" && q.contains("Path"))
            || (method == "open" && site.receiver.is_some())
        {
            report(
                SinkKind::FilePath,
                &format!("pathlib.Path.{method}"),
                site.receiver,
            );
        }
    }
}

/// `$where` with event data, keys from the event, values that may be documents parsed from
/// event JSON (operator injection: `{"password": {"$ne": null}}`), or a whole filter parsed from
/// event JSON.
fn check_mongo(
    run: &FnRun,
    site: &CallSite<'_>,
    report: &mut impl FnMut(SinkKind, &str, Option<&Taint>),
    method: &str,
) {
    let sink = format!("{}.{method}", receiver_label(site.call));
    let Some(filter) = site.call.arguments.args.first() else {
        return;
    };
    let filter_taint = site.args.first().and_then(Option::as_ref);
    if let Expr::Dict(dict) = filter {
        for item in &dict.items {
            let key_is_where = matches!(
                &item.key,
                Some(Expr::StringLiteral(s)) if s.value.to_str() == "$where"
            );
            let key_is_dynamic = !matches!(&item.key, Some(Expr::StringLiteral(_)) | None);
            if (key_is_where || key_is_dynamic) && filter_taint.is_some() {
                report(SinkKind::Query, &format!("{sink} ($where)"), filter_taint);
                return;
            }
            if let Some(value) = run.lookup(&item.value)
                && value.structured
            {
                report(
                    SinkKind::Query,
                    &format!("{sink} (operator injection)"),
                    Some(value),
                );
                return;
            }
        }
        return;
    }
    if filter_taint.is_some_and(|t| t.structured) {
        report(
            SinkKind::Query,
            &format!("{sink} (raw filter)"),
            filter_taint,
        );
    }
}

/// `cursor` in `cursor.execute(…)`, or `…` for complex receivers.
fn receiver_label(call: &ExprCall) -> String {
    if let Expr::Attribute(attr) = call.func.as_ref() {
        if let Expr::Name(name) = attr.value.as_ref() {
            return name.id.as_str().to_string();
        }
        if let Expr::Attribute(inner) = attr.value.as_ref() {
            return inner.attr.as_str().to_string();
        }
    }
    "…".to_string()
}

/// A parser argument built with external entities on: inline constructor or a variable.
fn is_xxe_parser(run: &FnRun, parser: &Expr) -> bool {
    match parser {
        Expr::Call(call) => run
            .qualname(&call.func)
            .is_some_and(|name| builds_xxe_parser(&name, call)),
        Expr::Name(name) => run
            .objects
            .get(name.id.as_str())
            .is_some_and(|ty| ty.ends_with("[xxe]")),
        _ => false,
    }
}

/// `lxml.etree.XMLParser(resolve_entities=True)` (or `no_network=False`).
pub(crate) fn builds_xxe_parser(name: &str, call: &ExprCall) -> bool {
    name.ends_with("etree.XMLParser") && enables_xxe_keywords(call)
}

/// `resolve_entities=True` or `no_network=False` among a call's keywords.
fn enables_xxe_keywords(call: &ExprCall) -> bool {
    call.arguments.keywords.iter().any(|k| {
        let arg = k.arg.as_ref().map_or("", |a| a.as_str());
        match (&k.value, arg) {
            (Expr::BooleanLiteral(b), "resolve_entities") => b.value,
            (Expr::BooleanLiteral(b), "no_network") => !b.value,
            _ => false,
        }
    })
}

/// A literal argument list `["/bin/sh", "-c", …]` (or `bash`, …): the program is a shell
/// that runs its `-c` argument as a command line.
fn runs_shell_command_line(args: &Expr) -> bool {
    let elts = match args {
        Expr::List(list) => &list.elts,
        Expr::Tuple(tuple) => &tuple.elts,
        _ => return false,
    };
    let literal = |e: Option<&Expr>| match e {
        Some(Expr::StringLiteral(s)) => Some(s.value.to_str().to_string()),
        _ => None,
    };
    let Some(program) = literal(elts.first()) else {
        return false;
    };
    let base = program.rsplit('/').next().unwrap_or(&program);
    SHELLS.contains(&base)
        && elts
            .iter()
            .skip(1)
            .any(|e| literal(Some(e)).is_some_and(|a| is_command_flag(&a)))
}

/// `-c`, or short options that include it (`-lc`, `-ec`).
fn is_command_flag(arg: &str) -> bool {
    arg.strip_prefix('-').is_some_and(|flags| {
        !flags.is_empty() && flags.chars().all(|c| c.is_ascii_alphabetic()) && flags.contains('c')
    })
}

/// `parser.setFeature(feature_external_ges, True)` on an `xml.sax` parser.
pub(crate) fn enables_external_entities(call: &ExprCall) -> bool {
    let Expr::Attribute(attr) = call.func.as_ref() else {
        return false;
    };
    if attr.attr.as_str() != "setFeature" {
        return false;
    }
    let args = &call.arguments.args;
    let feature = match args.first() {
        Some(Expr::Attribute(a)) => a.attr.as_str() == "feature_external_ges",
        Some(Expr::Name(n)) => n.id.as_str() == "feature_external_ges",
        Some(Expr::StringLiteral(s)) => s.value.to_str().ends_with("external-general-entities"),
        _ => false,
    };
    feature && matches!(args.get(1), Some(Expr::BooleanLiteral(b)) if b.value)
}

/// Calls whose result carries no attacker text (numbers, booleans, hashes, validated values).
pub(crate) fn is_sanitizer(name: &str) -> bool {
    matches!(
        name,
        "int"
            | "float"
            | "bool"
            | "len"
            | "abs"
            | "round"
            | "hash"
            | "id"
            | "type"
            | "isinstance"
            | "callable"
            | "ord"
            | "decimal.Decimal"
            | "uuid.UUID"
            | "ipaddress.ip_address"
            | "ipaddress.ip_network"
            | "ipaddress.IPv4Address"
            | "ipaddress.IPv6Address"
            | "os.path.exists"
            | "os.path.isfile"
            | "os.path.isdir"
            // A code object: the flaw is reported where the text is compiled.
            | "compile"
    ) || name.starts_with("hashlib.")
        || name.starts_with("hmac.")
}

/// `open(…)` gives a file handle: the file's content is not event data (the path is reported at
/// the call). Archives (`tarfile`, `zipfile`) are not in this list: their member names are.
pub(crate) fn returns_file_handle(name: &str) -> bool {
    matches!(name, "open" | "io.open" | "codecs.open" | "os.open")
}

/// Calls that make a value safe for one sink kind only.
pub(crate) fn sanitizer_for(name: &str) -> Option<SinkKind> {
    match name {
        "shlex.quote" | "pipes.quote" => Some(SinkKind::Command),
        "os.path.basename" | "werkzeug.utils.secure_filename" => Some(SinkKind::FilePath),
        _ => None,
    }
}

/// Decoders worth a step in the path.
pub(crate) fn decoder_note(name: &str) -> Option<&'static str> {
    match name {
        "json.loads" | "simplejson.loads" | "ujson.loads" | "orjson.loads" => {
            Some("parsed by json.loads")
        }
        "base64.b64decode" | "base64.urlsafe_b64decode" | "base64.b64decode().decode" => {
            Some("decoded by base64.b64decode")
        }
        "urllib.parse.unquote" | "urllib.parse.unquote_plus" => Some("decoded by unquote"),
        "urllib.parse.parse_qs" | "urllib.parse.parse_qsl" => Some("parsed by parse_qs"),
        _ => None,
    }
}

/// Methods of tainted values whose result is a number or a boolean.
pub(crate) fn returns_non_text(method: &str) -> bool {
    matches!(
        method,
        "startswith"
            | "endswith"
            | "isdigit"
            | "isalnum"
            | "isalpha"
            | "isnumeric"
            | "isdecimal"
            | "count"
            | "find"
            | "rfind"
            | "index"
            | "rindex"
            | "__len__"
    )
}
