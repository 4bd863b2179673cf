//! Times index open + matching of a package tree against a large synthetic database.
//!
//! ```text
//! cargo run --release -p faasguard-vulndb --example bench-match -- \
//!     build ../shared/advisories /tmp/big.fgdb 200000
//! cargo run --release -p faasguard-vulndb --example bench-match -- run /tmp/big.fgdb 10000 20
//! ```
//!
//! `build` copies the real records with suffixed ids, aliases and package names until the
//! database holds ADVISORIES records. `run` (a fresh process, so memory is only open + match)
//! opens the database and checks a tree of PACKAGES packages, HIT_PERCENT of them names that
//! have advisories, the rest names with none. Prints open time, match time and peak resident
//! memory (Linux `VmHWM`). Open and match are each repeated and the fastest run is printed
//! (the machine is shared; noise only ever adds time).

#![expect(clippy::print_stdout, reason = "a benchmark prints its table")]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use faasguard_core::Location;
use faasguard_lockfile::{Ecosystem, Origin, Package, Scope};
use faasguard_vulndb::osv::Advisory;
use faasguard_vulndb::{Check, Database, ImportOptions};

fn load(dir: &Path, out: &mut Vec<Advisory>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in rd.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            load(&path, out);
        } else if path.extension().is_some_and(|e| e == "json")
            && let Ok(bytes) = std::fs::read(&path)
            && let Ok(adv) = Advisory::from_json(&bytes)
        {
            out.push(adv);
        }
    }
}

fn synth(real: &[Advisory], target: usize) -> Vec<Advisory> {
    let mut out = Vec::with_capacity(target);
    let mut copy = 0usize;
    while out.len() < target {
        for adv in real {
            if out.len() >= target {
                break;
            }
            let mut a = adv.clone();
            if copy > 0 {
                a.id = format!("{}-syn{copy}", a.id);
                for alias in &mut a.aliases {
                    *alias = format!("{alias}-syn{copy}");
                }
                for aff in &mut a.affected {
                    aff.package.name = format!("{}-syn{copy}", aff.package.name);
                }
            }
            out.push(a);
        }
        copy += 1;
    }
    out
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    match args.first().map(String::as_str) {
        Some("build") if args.len() >= 3 => build(&args[1], &args[2], arg(3, 200_000)),
        Some("run") if args.len() >= 2 => run(&args[1], arg(2, 10_000), arg(3, 20)),
        _ => {
            println!(
                "usage: bench-match build ADVISORIES_DIR OUT.fgdb [ADVISORIES]\n       \
                 bench-match run DB.fgdb [PACKAGES] [HIT_PERCENT]"
            );
            ExitCode::from(2)
        }
    }
}

fn build(src: &str, out: &str, n_adv: usize) -> ExitCode {
    let mut real = Vec::new();
    load(Path::new(src), &mut real);
    real.sort_by(|a, b| a.id.cmp(&b.id));
    let all = synth(&real, n_adv);
    let t = Instant::now();
    let (bytes, report) = match Database::build(all, &ImportOptions::default()) {
        Ok(b) => b,
        Err(e) => {
            println!("build failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(out, &bytes) {
        println!("{out}: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "{} advisories, {} KB, built in {} ms",
        report.imported,
        report.bytes / 1024,
        t.elapsed().as_millis()
    );
    ExitCode::SUCCESS
}

fn run(db_path: &str, n_pkg: usize, hit_pct: usize) -> ExitCode {
    let t = Instant::now();
    let db = match Database::open(&PathBuf::from(db_path)) {
        Ok(db) => db,
        Err(e) => {
            println!("open failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let open_ms = t.elapsed().as_secs_f64() * 1000.0;
    // The tree: HIT_PERCENT names spread over the index (they have advisories), the rest names
    // with none, all at 1.0.0 (readable in every ecosystem).
    let indexed: Vec<(Ecosystem, String)> = db.packages().map(|(e, n)| (e, n.to_owned())).collect();
    let n_hit = n_pkg * hit_pct / 100;
    let step = (indexed.len() / n_hit.max(1)).max(1);
    let mut tree: Vec<Package> = indexed
        .iter()
        .step_by(step)
        .take(n_hit)
        .map(|(e, n)| package(*e, n, "1.0.0"))
        .collect();
    let mut i = 0;
    while tree.len() < n_pkg {
        let eco = Ecosystem::ALL[i % 4];
        tree.push(package(eco, &format!("no-advisory-pkg-{i}"), "1.2.3"));
        i += 1;
    }
    let tree_ms = t.elapsed().as_secs_f64() * 1000.0 - open_ms;
    // The machine is shared: repeat open and match and keep the fastest of each.
    let mut open_ms = open_ms;
    for _ in 0..4 {
        let t = Instant::now();
        if Database::open(&PathBuf::from(db_path)).is_ok() {
            open_ms = open_ms.min(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let mut match_ms = f64::MAX;
    let (mut vulnerable, mut clean, mut not_checked, mut findings) = (0, 0, 0, 0);
    for _ in 0..5 {
        (vulnerable, clean, not_checked, findings) = (0, 0, 0, 0);
        let t = Instant::now();
        for p in &tree {
            match db.check(p) {
                Check::Vulnerable(v) => {
                    vulnerable += 1;
                    findings += v.len();
                }
                Check::Clean => clean += 1,
                Check::NotChecked(_) => not_checked += 1,
            }
        }
        match_ms = match_ms.min(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "index {} packages | tree {} packages ({} with advisories) | vulnerable {vulnerable} \
         ({findings} findings) | clean {clean} | not checked {not_checked}",
        indexed.len(),
        tree.len(),
        n_hit.min(indexed.len())
    );
    println!(
        "open {open_ms:.1} ms | match {match_ms:.1} ms | open+match {:.1} ms (tree setup {tree_ms:.1} ms not counted) | peak RSS {} KB",
        open_ms + match_ms,
        peak_rss_kb().unwrap_or(0)
    );
    ExitCode::SUCCESS
}

fn package(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    Package {
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: String::new(),
        location: Location::file("bench"),
        scope: Scope::Prod,
        direct: None,
        origin: Origin::Lockfile,
    }
}
