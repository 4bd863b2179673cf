//! Gradle dependency lockfiles: `gradle.lockfile` (Gradle ≥ 6.8, one file per project:
//! `group:artifact:version=classpath,…`), `buildscript-gradle.lockfile` and
//! `settings-gradle.lockfile` (the build's own plugins), and the older
//! per-configuration `gradle/dependency-locks/<configuration>.lockfile` (no `=` part).

use super::package;
use crate::{Origin, Package, ParseError, Scope, file_name};

pub(super) fn claims(path: &str) -> bool {
    let name = file_name(path);
    name == "gradle.lockfile"
        || name == "buildscript-gradle.lockfile"
        || name == "settings-gradle.lockfile"
        || (path.contains("gradle/dependency-locks/") && name.ends_with(".lockfile"))
}

/// Whether a configuration name is a test one (`testCompileClasspath`,
/// `testRuntimeClasspath`, `testFixturesRuntimeClasspath`, …).
fn is_test(configuration: &str) -> bool {
    configuration.starts_with("test") || configuration.contains("Test")
}

/// Reads a Gradle lockfile. A dependency locked only for test configurations is
/// [`Scope::Dev`]; so is everything in `buildscript-gradle.lockfile` and
/// `settings-gradle.lockfile` (the build's own plugins) and in a per-configuration lockfile of a test configuration. The lockfile does not
/// say what is direct (`None`). `empty=` and `#` lines are skipped; any other line that is not
/// `group:artifact:version` is an error with its line.
pub(super) fn parse_gradle_lockfile(path: &str, bytes: &[u8]) -> Result<Vec<Package>, ParseError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| ParseError::new(format!("not UTF-8: {e}")))?;
    let name = file_name(path);
    let buildscript = matches!(
        name,
        "buildscript-gradle.lockfile" | "settings-gradle.lockfile"
    );
    let file_configuration =
        (name != "gradle.lockfile" && !buildscript).then(|| name.trim_end_matches(".lockfile"));
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let (coordinates, configurations) = line.split_once('=').unwrap_or((line, ""));
        let parts: Vec<&str> = coordinates.split(':').collect();
        let [group, artifact, version] = parts.as_slice() else {
            return Err(ParseError::new(format!(
                "expected `group:artifact:version[=configurations]`, found `{line}`"
            ))
            .at_line(line_no));
        };
        if group.is_empty() || artifact.is_empty() || version.is_empty() {
            return Err(ParseError::new(format!("empty coordinate in `{line}`")).at_line(line_no));
        }
        let configurations: Vec<&str> = configurations
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        let dev = buildscript
            || file_configuration.is_some_and(is_test)
            || (!configurations.is_empty() && configurations.iter().all(|c| is_test(c)));
        out.push(package(
            path,
            Some(line_no),
            &format!("{group}:{artifact}"),
            version,
            if dev { Scope::Dev } else { Scope::Prod },
            None,
            Origin::Lockfile,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// Old per-configuration lockfiles (no `=`), scopes from the file's configuration, and
    /// malformed lines reported with their line number.
    #[test]
    fn per_configuration_lockfiles_and_errors() {
        let path = "gradle/dependency-locks/testRuntimeClasspath.lockfile";
        assert!(claims(path));
        let pkgs = parse_gradle_lockfile(
            path,
            b"# This is a Gradle generated file\njunit:junit:4.12\n",
        )
        .unwrap();
        assert_eq!(pkgs.len(), 1);
        assert_eq!(pkgs[0].name, "junit:junit");
        assert_eq!(pkgs[0].scope, Scope::Dev);
        let err =
            parse_gradle_lockfile("gradle.lockfile", b"a:b:1=x\nnot-a-coordinate=x\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(!claims("src/main/resources/app.lockfile"));
        let plugins = parse_gradle_lockfile(
            "settings-gradle.lockfile",
            b"com.gradle:develocity-gradle-plugin:3.17=classpath\n",
        )
        .unwrap();
        assert_eq!(plugins[0].scope, Scope::Dev);
    }
}
