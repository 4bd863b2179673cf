//! Ruby: Bundler's `Gemfile.lock`, and the installed gems' `specifications/*.gemspec` that a
//! deployed function carries in `vendor/bundle/ruby/<abi>/`.

use std::collections::HashSet;

use faasguard_core::Location;

use crate::{Ecosystem, Origin, Package, ParseError, Parser, Scope, file_name, purl};

/// This ecosystem's parsers.
pub(crate) const PARSERS: &[Parser] = &[
    Parser {
        name: "Gemfile.lock",
        ecosystem: Ecosystem::RubyGems,
        claims: |path, _| matches!(file_name(path), "Gemfile.lock" | "gems.locked"),
        parse: parse_gemfile_lock,
    },
    Parser {
        name: "gemspec",
        ecosystem: Ecosystem::RubyGems,
        claims: |path, _| is_installed_gemspec(path),
        parse: parse_installed_gemspec,
    },
];

/// `…/specifications/<gem>.gemspec` (and `specifications/default/`): the specification
/// RubyGems writes for each installed gem. A project's own `*.gemspec` is Ruby code that
/// computes its values and is not read.
fn is_installed_gemspec(path: &str) -> bool {
    let parent = path
        .strip_suffix(file_name(path))
        .unwrap_or("")
        .trim_end_matches('/');
    file_name(path).ends_with(".gemspec")
        && (parent.ends_with("specifications") || parent.ends_with("specifications/default"))
}

/// A Ruby string literal at the start of `s` (`"x"` or `'x'`, optionally `.freeze`d).
fn ruby_string(s: &str) -> Option<&str> {
    let s = s.trim();
    let quote = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let body = &s[1..];
    body.find(quote).map(|end| &body[..end])
}

/// Reads an installed gem's specification: the `# stub: <name> <version> <platform>` line
/// RubyGems writes first, or else the `s.name = "…"` and `s.version = "…"` assignments.
pub(crate) fn parse_installed_gemspec(
    path: &str,
    bytes: &[u8],
) -> Result<Vec<Package>, ParseError> {
    let text = String::from_utf8_lossy(bytes);
    let (mut name, mut version) = (None, None);
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = line.trim();
        if let Some(stub) = line.strip_prefix("# stub:") {
            let mut parts = stub.split_whitespace();
            if let (Some(n), Some(v)) = (parts.next(), parts.next()) {
                name = Some(n.to_owned());
                version = Some((v.to_owned(), line_no));
                break;
            }
        }
        let Some((lhs, rhs)) = line.split_once('=') else {
            continue;
        };
        match lhs.trim() {
            "s.name" if name.is_none() => name = ruby_string(rhs).map(str::to_owned),
            "s.version" if version.is_none() => {
                version = ruby_string(rhs).map(|v| (v.to_owned(), line_no));
            }
            _ => {}
        }
    }
    let (Some(name), Some((version, line))) = (name, version) else {
        return Err(ParseError::new(
            "installed gemspec without a `# stub:` line or `s.name`/`s.version`",
        ));
    };
    if name.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(ParseError::new(format!(
            "installed gemspec with an unreadable name or version `{name} {version}`"
        ))
        .at_line(line));
    }
    Ok(vec![Package {
        ecosystem: Ecosystem::RubyGems,
        purl: purl(Ecosystem::RubyGems, &name, &version),
        name,
        version,
        location: Location {
            file: path.to_owned(),
            line: Some(line),
            ..Location::default()
        },
        scope: Scope::Prod,
        direct: None,
        origin: Origin::Installed,
    }])
}

/// `name (version[-platform])` → (name, version). Bundler's own pattern: the version runs to
/// the first `-`, the platform (`x86_64-linux`, `java`) follows it.
fn spec(line: &str) -> Option<(&str, &str)> {
    let (name, rest) = line.split_once(" (")?;
    let inner = rest.strip_suffix(')')?;
    let version = inner.split_once('-').map_or(inner, |(v, _)| v);
    let ok = !name.is_empty()
        && !name.contains(char::is_whitespace)
        && version.starts_with(|c: char| c.is_ascii_digit())
        && !version.contains(char::is_whitespace);
    ok.then_some((name, version))
}

/// Reads a `Gemfile.lock`: the specs of the `GEM`, `GIT` and `PLUGIN SOURCE` sections
/// (4-space indent; their 6-space dependency lines are ranges, not packages), with platform
/// suffixes split off and per-platform duplicates merged. `PATH` gems are local code and are
/// not reported. Gems named in `DEPENDENCIES` are direct, the others transitive. Bundler
/// does not record groups in the lockfile, so every gem is [`Scope::Prod`]. An empty file has
/// no gems; a non-empty one without any Bundler section is an error.
pub(crate) fn parse_gemfile_lock(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| ParseError::new(format!("not UTF-8: {e}")))?;
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut section = "";
    let mut in_specs = false;
    let mut specs: Vec<(&str, &str, u32)> = Vec::new();
    let mut direct: HashSet<&str> = HashSet::new();
    let mut has_dependencies = false;
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent == 0 {
            section = line.trim();
            in_specs = false;
            has_dependencies |= section == "DEPENDENCIES";
            continue;
        }
        match section {
            "GEM" | "GIT" | "PLUGIN SOURCE" => {
                if indent == 2 {
                    in_specs = line.trim() == "specs:";
                } else if indent == 4 && in_specs {
                    let (name, version) = spec(line.trim()).ok_or_else(|| {
                        ParseError::new(format!(
                            "expected a gem spec `name (version)`, found `{}`",
                            line.trim()
                        ))
                        .at_line(line_no)
                    })?;
                    specs.push((name, version, line_no));
                }
            }
            "DEPENDENCIES" if indent == 2 => {
                let name = line.split_whitespace().next().unwrap_or("");
                direct.insert(name.trim_end_matches('!'));
            }
            _ => {}
        }
    }
    if specs.is_empty() && !text.contains("specs:") && !has_dependencies {
        return Err(ParseError::new(
            "no GEM, GIT or DEPENDENCIES section: not a Gemfile.lock",
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (name, version, line) in specs {
        if !seen.insert((name, version)) {
            continue;
        }
        out.push(Package {
            ecosystem: Ecosystem::RubyGems,
            name: name.to_owned(),
            version: version.to_owned(),
            purl: purl(Ecosystem::RubyGems, name, version),
            location: Location {
                file: path.to_owned(),
                line: Some(line),
                ..Location::default()
            },
            scope: Scope::Prod,
            direct: has_dependencies.then(|| direct.contains(name)),
            origin: Origin::Lockfile,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// Installed gemspecs: claimed only under `specifications/`; the stub line, or the
    /// assignments when there is none; a spec without a version is an error.
    #[test]
    fn installed_gemspecs() {
        assert!(is_installed_gemspec(
            "fn.zip!/vendor/bundle/ruby/3.2.0/specifications/rack-2.2.8.1.gemspec"
        ));
        assert!(is_installed_gemspec(
            "specifications/default/net-imap-0.3.4.gemspec"
        ));
        assert!(!is_installed_gemspec("my_gem/my_gem.gemspec"));
        let pkgs = parse_installed_gemspec(
            "s/json-2.7.1.gemspec",
            b"Gem::Specification.new do |s|\n  s.name = \"json\".freeze\n  s.version = \"2.7.1\"\nend\n",
        )
        .unwrap();
        assert_eq!(
            (pkgs[0].name.as_str(), pkgs[0].version.as_str()),
            ("json", "2.7.1")
        );
        assert_eq!(pkgs[0].location.line, Some(3));
        assert!(parse_installed_gemspec("s/x.gemspec", b"s.name = 'x'\n").is_err());
    }

    /// Platform suffixes are split at the first `-`; junk in a spec position is an error with
    /// its line; a file with no Bundler sections is not a Gemfile.lock.
    #[test]
    fn specs_platforms_and_errors() {
        assert_eq!(
            spec("nokogiri (1.13.6-x86_64-linux)"),
            Some(("nokogiri", "1.13.6"))
        );
        assert_eq!(spec("ffi (1.15.5-java)"), Some(("ffi", "1.15.5")));
        assert_eq!(spec("rails (7.1.0.beta1)"), Some(("rails", "7.1.0.beta1")));
        assert_eq!(spec("rack (>= 2)"), None);
        let err = parse_gemfile_lock(
            "Gemfile.lock",
            b"GEM\n  remote: https://rubygems.org/\n  specs:\n    rack 2.2.8\n",
        )
        .unwrap_err();
        assert_eq!(err.line, Some(4));
        assert!(parse_gemfile_lock("Gemfile.lock", b"hello\nworld\n").is_err());
        assert_eq!(parse_gemfile_lock("Gemfile.lock", b"\n").unwrap(), vec![]);
    }
}
