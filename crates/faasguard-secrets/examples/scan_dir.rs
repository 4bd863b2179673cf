//! Scan every text file under a directory and print throughput and per-rule counts.
//! A measuring aid for the secret engine (not the product CLI): `cargo run --release -p
//! faasguard-secrets --example scan_dir -- DIR [--show] [--disable rule,rule]` (`--show` lists findings, redacted). Binary files (NUL in the first 8 KiB) and
//! non-UTF-8 files are skipped; nothing is printed that contains a secret.
#![expect(clippy::print_stdout, reason = "a command-line measuring aid")]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use faasguard_secrets::{Scanner, Settings, is_binary};

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&entry.path(), files);
        } else if kind.is_file() {
            files.push(entry.path());
        }
    }
}

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let show = std::env::args().any(|a| a == "--show");
    let root = Path::new(&root);
    let disabled: Vec<String> = std::env::args()
        .skip_while(|a| a != "--disable")
        .nth(1)
        .map(|list| list.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let Ok(scanner) = Scanner::new(Settings {
        allow_paths: Vec::new(),
        disabled_rules: disabled,
        ..Settings::default()
    }) else {
        println!("cannot build scanner");
        return;
    };
    let mut files = Vec::new();
    walk(root, &mut files);
    let start = Instant::now();
    let (mut bytes, mut scanned, mut skipped, mut long_skips) = (0usize, 0usize, 0usize, 0usize);
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    for file in &files {
        let Ok(data) = std::fs::read(file) else {
            continue;
        };
        bytes += data.len();
        if is_binary(&data) {
            skipped += 1;
            continue;
        }
        let Ok(text) = std::str::from_utf8(&data) else {
            skipped += 1;
            continue;
        };
        scanned += 1;
        let rel = file.strip_prefix(root).unwrap_or(file).to_string_lossy();
        let outcome = scanner.scan(&rel, text);
        long_skips += outcome.stats.long_line_skips;
        for f in outcome.findings {
            if show {
                println!(
                    "{rel}:{}:{} {} {}",
                    f.line, f.column, f.rule_name, f.redacted
                );
            }
            *per_rule.entry(f.rule_name).or_default() += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "display only")]
    let mb = bytes as f64 / 1e6;
    println!(
        "{} files ({scanned} scanned, {skipped} binary/non-UTF-8), {mb:.1} MB in {secs:.2} s = {:.1} MB/s, {long_skips} long-line skips",
        files.len(),
        mb / secs
    );
    for (rule, n) in per_rule {
        println!("{n:>7}  {rule}");
    }
}
