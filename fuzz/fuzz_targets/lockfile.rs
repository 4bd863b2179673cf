//! Fuzzes every package parser of `faasguard-lockfile`: the first input byte picks a file name
//! (so each parser sees inputs it claims), the rest is the file. Any bytes must give packages or
//! a `ParseError`, never a panic, a hang or a runaway allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "node_modules/left-pad/package.json",
    "requirements.txt",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "site-packages/x-1.0.dist-info/METADATA",
    "x.egg-info/PKG-INFO",
    "go.mod",
    "bootstrap",
    "Cargo.lock",
    "Gemfile.lock",
    "composer.lock",
    "pom.xml",
    "gradle.lockfile",
    "lib/app.jar",
    "META-INF/maven/g/a/pom.properties",
    "packages.lock.json",
    "app.deps.json",
];

fuzz_target!(|data: &[u8]| {
    faasguard_fuzz::report_stack_overflows();
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let path = NAMES[usize::from(pick) % NAMES.len()];
    let head = &bytes[..bytes.len().min(4096)];
    for parser in faasguard_lockfile::parsers_for(path, head) {
        if let Ok(packages) = (parser.parse)(path, bytes) {
            for p in packages {
                assert!(!p.purl.is_empty());
            }
        }
    }
});
