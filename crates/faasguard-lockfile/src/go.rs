//! Go: `go.mod` manifests and the build information embedded in Go executables (a Lambda
//! `bootstrap`).
//!
//! Module versions keep their `v` prefix as Go writes them (`v1.41.0`). The standard library
//! is reported as the module `stdlib` at the version OSV uses for it: the Go release without
//! its `go` prefix, padded to three parts, with release candidates as semver pre-releases
//! (`go1.21rc2` → `1.21.0-rc.2`, `go1.22.1` → `1.22.1`).

use faasguard_core::Location;

use crate::{Ecosystem, Origin, Package, ParseError, Parser, Scope, file_name, purl};

/// This ecosystem's parsers.
pub(crate) const PARSERS: &[Parser] = &[
    Parser {
        name: "go.mod",
        ecosystem: Ecosystem::Go,
        claims: |path, _| file_name(path) == "go.mod",
        parse: parse_go_mod,
    },
    Parser {
        name: "go-binary",
        ecosystem: Ecosystem::Go,
        claims: |_, head| is_executable(head),
        parse: parse_go_binary,
    },
];

/// The module name OSV gives the Go standard library.
pub const STDLIB: &str = "stdlib";

/// Whether `head` starts like an executable or shared object: ELF, PE (`MZ`) or Mach-O (thin
/// or fat). Binary parsers claim these and answer with no packages when their data is absent.
pub(crate) fn is_executable(head: &[u8]) -> bool {
    const MAGICS: [&[u8]; 7] = [
        b"\x7fELF",
        b"MZ",
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    ];
    MAGICS.iter().any(|m| head.starts_with(m))
}

/// The OSV version of a Go release name: `go1.22.1` → `1.22.1`, `go1.20` → `1.20.0`,
/// `go1.21rc2` → `1.21.0-rc.2`. Anything after the first space (`go1.22.1 X:boringcrypto`)
/// is ignored; `devel …` and other non-release names give `None`.
pub fn go_release_version(release: &str) -> Option<String> {
    let release = release.split_whitespace().next()?;
    let rest = release.strip_prefix("go").unwrap_or(release);
    let (numbers, pre) = match rest.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let num = |i: usize| parts.get(i).copied().unwrap_or("0");
    let mut out = format!("{}.{}.{}", num(0), num(1), num(2));
    if let Some(pre) = pre {
        let (kind, n) = pre.split_at(pre.find(|c: char| c.is_ascii_digit())?);
        if !matches!(kind, "rc" | "beta") || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out = format!("{out}-{kind}.{n}");
    }
    Some(out)
}

fn package(
    path: &str,
    line: Option<u32>,
    name: &str,
    version: &str,
    direct: Option<bool>,
    origin: Origin,
) -> Package {
    Package {
        ecosystem: Ecosystem::Go,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: purl(Ecosystem::Go, name, version),
        location: Location {
            file: path.to_owned(),
            line,
            ..Location::default()
        },
        scope: Scope::Prod,
        direct,
        origin,
    }
}

// ---------------------------------------------------------------------------------------------
// go.mod

struct Require {
    path: String,
    version: String,
    indirect: bool,
    line: u32,
}

struct Replace {
    old_path: String,
    old_version: Option<String>,
    new_path: String,
    /// `None` for a local directory replacement (`=> ../lib`).
    new_version: Option<String>,
}

#[derive(Default)]
struct GoMod {
    module: Option<String>,
    go: Option<(String, u32)>,
    toolchain: Option<(String, u32)>,
    requires: Vec<Require>,
    replaces: Vec<Replace>,
}

/// Splits a go.mod line into tokens (quoted strings unquoted) and its `//` comment.
fn tokenize(line: &str, line_no: u32) -> Result<(Vec<String>, &str), ParseError> {
    let mut tokens = Vec::new();
    let mut rest = line.trim_start();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Ok((tokens, ""));
        }
        if let Some(comment) = rest.strip_prefix("//") {
            return Ok((tokens, comment.trim()));
        }
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '`');
        if let Some(q) = quote {
            let body = &rest[1..];
            let mut end = None;
            let mut escaped = false;
            for (i, c) in body.char_indices() {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    end = Some(i);
                    break;
                }
            }
            let end =
                end.ok_or_else(|| ParseError::new("unterminated quoted string").at_line(line_no))?;
            tokens.push(body[..end].replace("\\\"", "\"").replace("\\\\", "\\"));
            rest = &body[end + 1..];
        } else {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"' || c == '`')
                .unwrap_or(rest.len());
            let end = rest[..end].find("//").unwrap_or(end).max(1);
            tokens.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
}

fn directive(
    m: &mut GoMod,
    verb: &str,
    args: &[String],
    comment: &str,
    line: u32,
) -> Result<(), ParseError> {
    let bad = |what: &str| ParseError::new(format!("malformed {verb}: {what}")).at_line(line);
    match verb {
        "module" => m.module = args.first().cloned(),
        "go" => m.go = Some((args.first().ok_or_else(|| bad("no version"))?.clone(), line)),
        "toolchain" => {
            m.toolchain = Some((args.first().ok_or_else(|| bad("no version"))?.clone(), line));
        }
        "require" => {
            let [path, version] = args else {
                return Err(bad("expected a module path and a version"));
            };
            let indirect = comment == "indirect" || comment.starts_with("indirect;");
            m.requires.push(Require {
                path: path.clone(),
                version: version.clone(),
                indirect,
                line,
            });
        }
        "replace" => {
            let arrow = args
                .iter()
                .position(|a| a == "=>")
                .ok_or_else(|| bad("no `=>`"))?;
            let (old, new) = (&args[..arrow], &args[arrow + 1..]);
            let (old_path, old_version) = match old {
                [p] => (p.clone(), None),
                [p, v] => (p.clone(), Some(v.clone())),
                _ => return Err(bad("expected `path [version]` before `=>`")),
            };
            let (new_path, new_version) = match new {
                [p] => (p.clone(), None),
                [p, v] => (p.clone(), Some(v.clone())),
                _ => return Err(bad("expected `path [version]` after `=>`")),
            };
            m.replaces.push(Replace {
                old_path,
                old_version,
                new_path,
                new_version,
            });
        }
        _ => {}
    }
    Ok(())
}

fn read_go_mod(text: &str) -> Result<GoMod, ParseError> {
    let mut m = GoMod::default();
    let mut block: Option<(String, u32)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (tokens, comment) = tokenize(raw, line)?;
        if let Some((verb, _)) = &block {
            match tokens.as_slice() {
                [] => {}
                [close] if close == ")" => block = None,
                _ => {
                    let verb = verb.clone();
                    directive(&mut m, &verb, &tokens, comment, line)?;
                }
            }
            continue;
        }
        match tokens.as_slice() {
            [] => {}
            [verb, open] if open == "(" => block = Some((verb.clone(), line)),
            [_, open, close] if open == "(" && close == ")" => {}
            [verb, args @ ..] => directive(&mut m, verb, args, comment, line)?,
        }
    }
    if let Some((verb, line)) = block {
        return Err(ParseError::new(format!("`{verb} (` block is never closed")).at_line(line));
    }
    Ok(m)
}

/// Reads a `go.mod`: every `require` (direct unless marked `// indirect`), with `replace`
/// directives applied (a version-specific replacement wins over a path-wide one; a module
/// replaced by a local directory is dropped: its code is not the published module), and
/// `stdlib` at the `toolchain` version, or at the `go` version when that is 1.21 or later
/// (from Go 1.21 on the `go` line names the minimum toolchain release; before it, only the
/// language version, which says nothing about the standard library's patch level).
pub(crate) fn parse_go_mod(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| ParseError::new(format!("not UTF-8: {e}")))?;
    let m = read_go_mod(text)?;
    let mut out = Vec::new();
    for r in &m.requires {
        if m.module.as_deref() == Some(r.path.as_str()) {
            continue;
        }
        let replace = m
            .replaces
            .iter()
            .filter(|x| x.old_path == r.path)
            .find(|x| x.old_version.as_deref() == Some(r.version.as_str()))
            .or_else(|| {
                m.replaces
                    .iter()
                    .find(|x| x.old_path == r.path && x.old_version.is_none())
            });
        let (name, version) = match replace {
            Some(Replace {
                new_version: Some(v),
                new_path,
                ..
            }) => (new_path.as_str(), v.as_str()),
            Some(_) => continue,
            None => (r.path.as_str(), r.version.as_str()),
        };
        out.push(package(
            path,
            Some(r.line),
            name,
            version,
            Some(!r.indirect),
            Origin::Manifest,
        ));
    }
    let stdlib = match (&m.toolchain, &m.go) {
        (Some((t, line)), _) => go_release_version(t).map(|v| (v, *line)),
        (None, Some((g, line))) => go_release_version(g)
            .filter(|v| at_least_1_21(v))
            .map(|v| (v, *line)),
        (None, None) => None,
    };
    if let Some((version, line)) = stdlib {
        out.push(package(
            path,
            Some(line),
            STDLIB,
            &version,
            Some(true),
            Origin::Manifest,
        ));
    }
    Ok(out)
}

fn at_least_1_21(version: &str) -> bool {
    let mut parts = version
        .split(['.', '-'])
        .map(|p| p.parse::<u64>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    major > 1 || (major == 1 && minor >= 21)
}

// ---------------------------------------------------------------------------------------------
// Build info in binaries

const BUILDINFO_MAGIC: &[u8] = b"\xff Go buildinf:";
/// Largest version or modinfo string we read (real modinfo is a few KiB to ~100 KiB).
const MAX_INFO_STRING: u64 = 16 << 20;

/// An unsigned LEB128 varint (Go's `binary.Uvarint`) at `at`: the value and the offset after it.
fn uvarint(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for i in 0..10 {
        let b = *bytes.get(at + i)?;
        let shift = 7 * u32::try_from(i).ok()?;
        if i == 9 && b > 1 {
            return None;
        }
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some((value, at + i + 1));
        }
    }
    None
}

fn varint_string(bytes: &[u8], at: usize) -> Result<(&[u8], usize), ParseError> {
    let (len, start) =
        uvarint(bytes, at).ok_or_else(|| ParseError::new("Go build info: bad string length"))?;
    if len > MAX_INFO_STRING {
        return Err(ParseError::new(format!(
            "Go build info: string length {len} is implausible"
        )));
    }
    let end = usize::try_from(len)
        .ok()
        .and_then(|l| start.checked_add(l))
        .filter(|e| *e <= bytes.len())
        .ok_or_else(|| ParseError::new("Go build info: string runs past the end of the file"))?;
    Ok((&bytes[start..end], end))
}

/// A `size`-byte unsigned integer at file offset `at`.
fn pointer(bytes: &[u8], at: usize, size: usize, big_endian: bool) -> Option<u64> {
    let raw = bytes.get(at..at.checked_add(size)?)?;
    let mut value: u64 = 0;
    for i in 0..size {
        let b = if big_endian {
            raw[i]
        } else {
            raw[size - 1 - i]
        };
        value = (value << 8) | u64::from(b);
    }
    Some(value)
}

/// The bytes of the Go string whose header (`data pointer, length`) is at virtual address
/// `addr`.
fn go_string(bytes: &[u8], addr: u64, size: usize, big_endian: bool) -> Option<&[u8]> {
    let header = usize::try_from(crate::rust::exe::file_offset(bytes, addr)?).ok()?;
    let data = pointer(bytes, header, size, big_endian)?;
    let len = pointer(bytes, header.checked_add(size)?, size, big_endian)?;
    if len == 0 {
        return Some(&[]);
    }
    if len > MAX_INFO_STRING {
        return None;
    }
    let start = usize::try_from(crate::rust::exe::file_offset(bytes, data)?).ok()?;
    bytes.get(start..start.checked_add(usize::try_from(len).ok()?)?)
}

/// The Go release and the module information of the build info blob at `pos`.
fn read_buildinfo(bytes: &[u8], pos: usize) -> Result<(String, Vec<u8>), ParseError> {
    let header = bytes
        .get(pos..pos + 32)
        .ok_or_else(|| ParseError::new("Go build info: truncated header"))?;
    let ptr_size = header[14];
    let flags = header[15];
    if ptr_size != 4 && ptr_size != 8 {
        return Err(ParseError::new(format!(
            "Go build info: pointer size {ptr_size} is neither 4 nor 8"
        )));
    }
    if flags & !3 != 0 {
        return Err(ParseError::new(format!(
            "Go build info: unknown flags {flags:#04x}"
        )));
    }
    if flags & 2 == 0 {
        // Go 1.13–1.17: two pointers to Go string headers, in virtual memory.
        let (size, big_endian) = (usize::from(ptr_size), flags & 1 != 0);
        let version = pointer(bytes, pos + 16, size, big_endian)
            .and_then(|addr| go_string(bytes, addr, size, big_endian));
        let modinfo = pointer(bytes, pos + 16 + size, size, big_endian)
            .and_then(|addr| go_string(bytes, addr, size, big_endian));
        return match (version, modinfo) {
            (Some(v), Some(m)) => Ok((String::from_utf8_lossy(v).into_owned(), m.to_vec())),
            _ => Err(ParseError::new(
                "Go build info (pre-1.18 pointer format): a pointer does not lead to file data",
            )),
        };
    }
    let (version, next) = varint_string(bytes, pos + 32)?;
    // The magic also appears as plain data in programs that read build info themselves: a
    // real blob names a Go release (or a development build) first.
    if !(version.starts_with(b"go") || version.starts_with(b"devel")) {
        return Err(ParseError::new(
            "Go build info: the version string does not name a Go release",
        ));
    }
    let (modinfo, _) = varint_string(bytes, next)?;
    Ok((
        String::from_utf8_lossy(version).into_owned(),
        modinfo.to_vec(),
    ))
}

/// The module lines of a modinfo string, without the 16-byte sentinels Go wraps it in.
fn strip_sentinels(modinfo: &[u8]) -> &[u8] {
    let n = modinfo.len();
    if n >= 33 && modinfo[n - 17] == b'\n' {
        &modinfo[16..n - 16]
    } else {
        modinfo
    }
}

struct Module {
    path: String,
    version: String,
}

/// Reads the packages a Go executable was built from: its modules (`dep` lines, with `=>`
/// replacements applied; replacements by a local directory are dropped), the main module when
/// it has a real version (`go install m@v1.2.3`; `(devel)` is the project itself), and
/// `stdlib` at the Go release that built it. A binary without build info has no packages.
pub(crate) fn parse_go_binary(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let mut error = None;
    for pos in memchr::memmem::find_iter(bytes, BUILDINFO_MAGIC) {
        match read_buildinfo(bytes, pos) {
            Ok((version, modinfo)) => return Ok(binary_packages(path, &version, &modinfo)),
            // The magic can also appear as string data (a program importing debug/buildinfo):
            // keep looking, and report the error only if no occurrence reads.
            Err(e) => error = Some(e),
        }
    }
    error.map_or_else(|| Ok(Vec::new()), Err)
}

fn binary_packages(path: &str, go_version: &str, modinfo: &[u8]) -> Vec<Package> {
    let text = String::from_utf8_lossy(strip_sentinels(modinfo));
    let mut main: Option<Module> = None;
    let mut deps: Vec<Option<Module>> = Vec::new();
    let mut last_is_main = false;
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let module = |f: &[&str]| -> Option<Module> {
            let path = f.get(1).copied().unwrap_or("").trim();
            let version = f.get(2).copied().unwrap_or("").trim();
            (!path.is_empty() && !version.is_empty()).then(|| Module {
                path: path.to_owned(),
                version: version.to_owned(),
            })
        };
        match fields.first().copied() {
            Some("mod") => {
                main = module(&fields);
                last_is_main = true;
            }
            Some("dep") => {
                deps.push(module(&fields));
                last_is_main = false;
            }
            Some("=>") => {
                let replacement = module(&fields);
                if last_is_main {
                    main = replacement;
                } else if let Some(last) = deps.last_mut() {
                    *last = replacement;
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(m) = main.filter(|m| m.version != "(devel)") {
        out.push(package(
            path,
            None,
            &m.path,
            &m.version,
            Some(true),
            Origin::Binary,
        ));
    }
    for d in deps.into_iter().flatten() {
        if d.version == "(devel)" {
            continue;
        }
        out.push(package(
            path,
            None,
            &d.path,
            &d.version,
            None,
            Origin::Binary,
        ));
    }
    if let Some(v) = go_release_version(go_version) {
        out.push(package(path, None, STDLIB, &v, Some(true), Origin::Binary));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn versions(pkgs: &[Package]) -> Vec<(String, String, Option<bool>)> {
        pkgs.iter()
            .map(|p| (p.name.clone(), p.version.clone(), p.direct))
            .collect()
    }

    /// Go release names become the versions OSV's `stdlib` ranges use.
    #[test]
    fn release_names_become_osv_versions() {
        assert_eq!(go_release_version("go1.22.1").as_deref(), Some("1.22.1"));
        assert_eq!(go_release_version("go1.20").as_deref(), Some("1.20.0"));
        assert_eq!(go_release_version("1.21.0").as_deref(), Some("1.21.0"));
        assert_eq!(
            go_release_version("go1.21rc2").as_deref(),
            Some("1.21.0-rc.2")
        );
        assert_eq!(
            go_release_version("go1.22.1 X:boringcrypto").as_deref(),
            Some("1.22.1")
        );
        assert_eq!(go_release_version("devel go1.23-abcdef"), None);
        assert_eq!(go_release_version("go1.x"), None);
        assert_eq!(go_release_version(""), None);
    }

    /// Single-line requires, quoted paths, and a replace pinned to one old version that does
    /// not match the required version (so it is not applied).
    #[test]
    fn single_line_directives_and_version_specific_replace() {
        let text = "module example.com/app\n\ngo 1.22.3\n\
            require \"github.com/a/b\" v1.0.0 // indirect\n\
            require github.com/c/d v2.0.0+incompatible\n\
            replace github.com/c/d v1.9.0 => github.com/e/f v1.9.1\n";
        let pkgs = parse_go_mod("go.mod", text.as_bytes()).unwrap();
        assert_eq!(
            versions(&pkgs),
            vec![
                ("github.com/a/b".into(), "v1.0.0".into(), Some(false)),
                (
                    "github.com/c/d".into(),
                    "v2.0.0+incompatible".into(),
                    Some(true)
                ),
                ("stdlib".into(), "1.22.3".into(), Some(true)),
            ]
        );
        assert_eq!(pkgs[0].location.line, Some(4));
    }

    /// A `go 1.19` line is only a language version: no stdlib is reported from it.
    #[test]
    fn language_version_below_1_21_gives_no_stdlib() {
        let pkgs = parse_go_mod("go.mod", b"module m\ngo 1.19\nrequire x.io/y v0.1.0\n").unwrap();
        assert!(pkgs.iter().all(|p| p.name != STDLIB));
        assert_eq!(pkgs.len(), 1);
    }

    /// Malformed go.mod files are errors with the line of the problem.
    #[test]
    fn malformed_go_mod_is_an_error_with_line() {
        let err = parse_go_mod("go.mod", b"module m\nrequire (\n\tx.io/y v1.0.0\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        let err = parse_go_mod("go.mod", b"module m\nrequire x.io/y\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        let err = parse_go_mod("go.mod", b"replace a v1 b v2\n").unwrap_err();
        assert_eq!(err.line, Some(1));
        let err = parse_go_mod("go.mod", b"require \"x.io/y v1\n").unwrap_err();
        assert_eq!(err.line, Some(1));
    }

    fn blob(ptr_size: u8, flags: u8, version: &[u8], modinfo: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; 7];
        b.extend_from_slice(BUILDINFO_MAGIC);
        b.push(ptr_size);
        b.push(flags);
        b.resize(7 + 32, 0);
        for s in [version, modinfo] {
            let mut n = s.len();
            loop {
                let byte = u8::try_from(n & 0x7f).unwrap();
                n >>= 7;
                if n == 0 {
                    b.push(byte);
                    break;
                }
                b.push(byte | 0x80);
            }
            b.extend_from_slice(s);
        }
        b
    }

    /// A hand-built inline-strings blob (no sentinels) with a main module at a real version,
    /// a replaced dep and a dep replaced by a local directory.
    #[test]
    fn inline_blob_with_replacements() {
        let modinfo = b"path\texample.com/tool\nmod\texample.com/tool\tv0.3.0\th1:x=\n\
            dep\tgithub.com/a/b\tv1.0.0\th1:y=\n=>\tgithub.com/fork/b\tv1.0.1\th1:z=\n\
            dep\tgithub.com/local/c\tv0.0.0\n=>\t../c\t\t\n\
            dep\tgolang.org/x/net\tv0.17.0\th1:w=\nbuild\tGOOS=linux\n";
        let bytes = blob(8, 2, b"go1.21.4", modinfo);
        let pkgs = parse_go_binary("bootstrap", &bytes).unwrap();
        assert_eq!(
            versions(&pkgs),
            vec![
                ("example.com/tool".into(), "v0.3.0".into(), Some(true)),
                ("github.com/fork/b".into(), "v1.0.1".into(), None),
                ("golang.org/x/net".into(), "v0.17.0".into(), None),
                ("stdlib".into(), "1.21.4".into(), Some(true)),
            ]
        );
        assert!(pkgs.iter().all(|p| p.origin == Origin::Binary));
    }

    fn put(b: &mut Vec<u8>, at: usize, size: usize, value: u64, big: bool) {
        if b.len() < at + size {
            b.resize(at + size, 0);
        }
        for i in 0..size {
            let byte = u8::try_from((value >> (8 * i)) & 0xff).unwrap();
            let idx = if big { at + size - 1 - i } else { at + i };
            b[idx] = byte;
        }
    }

    /// A minimal ELF (one `PT_LOAD` segment mapping the whole file at 0x400000) holding a
    /// pre-1.18 build info blob: two pointers to Go string headers.
    fn old_format_elf(wide: bool, big: bool, version: &[u8], modinfo: &[u8]) -> Vec<u8> {
        let base: u64 = 0x40_0000;
        let size = if wide { 8 } else { 4 };
        let mut b = vec![0u8; 0x100];
        b[..4].copy_from_slice(b"\x7fELF");
        b[4] = if wide { 2 } else { 1 };
        b[5] = if big { 2 } else { 1 };
        let (phoff_at, phentsize_at, phnum_at, ph) = if wide {
            (0x20, 0x36, 0x38, 0x40)
        } else {
            (0x1c, 0x2a, 0x2c, 0x34)
        };
        put(&mut b, phoff_at, size, ph, big);
        put(&mut b, phentsize_at, 2, if wide { 56 } else { 32 }, big);
        put(&mut b, phnum_at, 2, 1, big);
        let ph = usize::try_from(ph).unwrap();
        put(&mut b, ph, 4, 1, big); // PT_LOAD, offset 0
        let (vaddr_at, filesz_at) = if wide {
            (ph + 16, ph + 32)
        } else {
            (ph + 8, ph + 16)
        };
        put(&mut b, vaddr_at, size, base, big);
        let version_at = b.len();
        b.extend_from_slice(version);
        let modinfo_at = b.len();
        b.extend_from_slice(modinfo);
        let headers_at = b.len();
        put(&mut b, headers_at, size, base + version_at as u64, big);
        put(&mut b, headers_at + size, size, version.len() as u64, big);
        put(
            &mut b,
            headers_at + 2 * size,
            size,
            base + modinfo_at as u64,
            big,
        );
        put(
            &mut b,
            headers_at + 3 * size,
            size,
            modinfo.len() as u64,
            big,
        );
        let blob_at = b.len().div_ceil(16) * 16;
        b.resize(blob_at, 0);
        b.extend_from_slice(BUILDINFO_MAGIC);
        b.push(u8::try_from(size).unwrap());
        b.push(u8::from(big));
        put(&mut b, blob_at + 16, size, base + headers_at as u64, big);
        put(
            &mut b,
            blob_at + 16 + size,
            size,
            base + (headers_at + 2 * size) as u64,
            big,
        );
        b.resize(b.len() + 16, 0);
        let len = b.len() as u64;
        put(&mut b, filesz_at, size, len, big);
        b
    }

    /// The pre-1.18 pointer format is read through the ELF's load segments, for 64-bit
    /// little-endian and 32-bit big-endian binaries, sentinels stripped.
    #[test]
    fn pre_1_18_pointer_format_both_endians() {
        let mut modinfo = vec![0x30u8; 16];
        modinfo.extend_from_slice(
            b"path\tm\nmod\tm\t(devel)\t\ndep\tgithub.com/aws/aws-lambda-go\tv1.13.3\th1:x=\n",
        );
        modinfo.extend_from_slice(&[0xf9; 16]);
        for (wide, big) in [(true, false), (false, true)] {
            let elf = old_format_elf(wide, big, b"go1.16.15", &modinfo);
            let pkgs = parse_go_binary("bootstrap", &elf).unwrap();
            assert_eq!(
                versions(&pkgs),
                vec![
                    (
                        "github.com/aws/aws-lambda-go".into(),
                        "v1.13.3".into(),
                        None
                    ),
                    ("stdlib".into(), "1.16.15".into(), Some(true)),
                ],
                "wide={wide} big={big}"
            );
            for n in (0..elf.len()).step_by(3) {
                let _ = parse_go_binary("bootstrap", &elf[..n]);
            }
        }
    }

    /// The magic as plain data (followed by something that is not a blob) before the real blob
    /// is passed over.
    #[test]
    fn magic_as_data_before_the_real_blob() {
        let mut bytes = BUILDINFO_MAGIC.to_vec();
        bytes.extend_from_slice(b"\x08\x02 then unrelated rodata strings.....");
        bytes.extend_from_slice(&blob(8, 2, b"go1.22.2", b"dep\tx.io/y\tv1.0.0\t\n"));
        let pkgs = parse_go_binary("bootstrap", &bytes).unwrap();
        assert_eq!(
            versions(&pkgs),
            vec![
                ("x.io/y".into(), "v1.0.0".into(), None),
                ("stdlib".into(), "1.22.2".into(), Some(true)),
            ]
        );
    }

    /// Bogus lengths, bad pointer sizes, the old pointer format and truncation are errors;
    /// every prefix of a valid blob is read without panicking.
    #[test]
    fn corrupt_blobs_never_panic() {
        let good = blob(8, 2, b"go1.21.4", b"dep\tx.io/y\tv1.0.0\t\n");
        for n in 0..good.len() {
            let _ = parse_go_binary("b", &good[..n]);
        }
        assert!(parse_go_binary("b", &blob(3, 2, b"go1", b"")).is_err());
        assert!(parse_go_binary("b", &blob(8, 0, b"go1", b"")).is_err());
        let mut huge = good[..7 + 32].to_vec();
        huge.extend_from_slice(&[0xff; 12]);
        assert!(parse_go_binary("b", &huge).is_err());
        assert_eq!(
            parse_go_binary("b", b"\x7fELF no build info").unwrap(),
            vec![]
        );
    }
}
