//! The version order never panics and stays a sane order on odd input: hand-picked hostile
//! strings plus pseudo-random strings over the characters versions are made of, in every
//! ecosystem.

use std::cmp::Ordering;

use faasguard_lockfile::Ecosystem;
use faasguard_vulndb::version::{MAX_VERSION_LEN, compare, parse};

const ODD: &[&str] = &[
    "",
    " ",
    "\0",
    "\t1.0\n",
    ".",
    "-",
    "+",
    "..",
    "--",
    "v",
    "V",
    "=",
    "go",
    "go.",
    "gorc1",
    "1.",
    ".1",
    "-1",
    "1-",
    "1+",
    "1.0.0-",
    "1.0.0+",
    "1.0.0-+",
    "1.0.0--",
    "1.0.0-.",
    "1!",
    "!1",
    "1!1!1",
    "1.0+",
    "1.0+local+x",
    "@",
    "1@",
    "dev-",
    "-dev",
    "1.0.0 as",
    " as 1.0",
    "99999999999999999999999999999999999999999.0.0",
    "1.99999999999999999999999999999999999999999",
    "1.0.0-99999999999999999999999999999999999999",
    "0.0.0-0.0.0.0.0.0.0.0.0",
    "1.0.0-αβγ",
    "１.２.３",
    "1.0\u{202e}",
    "1.0.0-\u{0}",
    "NaN",
    "inf",
    "-0",
    "0x10",
    "1e10",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0",
    "a.b.c",
    "alpha",
    "SNAPSHOT",
    "final",
    "1-1-1-1-1-1-1-1-1-1-1-1-1-1-1",
    "1a1a1a1a1a1a1a1a1a1a1a1a1a1a",
    "7.0.36, 8.2.13",
    "[1.0,2.0)",
    "^1.2.3 || ~2",
];

/// Hand-picked hostile strings: no panic anywhere, and whatever parses equals itself.
#[test]
fn odd_strings_never_panic() {
    for eco in Ecosystem::ALL {
        for s in ODD {
            let parsed = parse(eco, s);
            let own = compare(eco, s, s);
            if parsed.is_some() {
                assert_eq!(own, Some(Ordering::Equal), "{eco:?} {s:?}");
            }
            for other in ODD {
                let _ = compare(eco, s, other);
            }
        }
    }
}

/// Input longer than the cap is refused quickly rather than read, even when well formed.
#[test]
fn overlong_input_is_refused() {
    let long_digits = format!("1.{}", "0".repeat(MAX_VERSION_LEN * 40));
    let deep = "1-".repeat(MAX_VERSION_LEN * 40);
    for eco in Ecosystem::ALL {
        assert!(parse(eco, &long_digits).is_none(), "{eco:?}");
        assert!(parse(eco, &deep).is_none(), "{eco:?}");
    }
}

/// Pseudo-random strings built from version characters (digits, separators, qualifier letters):
/// parsing never panics, parsed versions are reflexive, and `compare` is antisymmetric.
#[test]
fn random_version_like_strings_keep_the_order_sane() {
    const PIECES: &[&str] = &[
        "0",
        "1",
        "2",
        "9",
        "10",
        "007",
        ".",
        ".",
        "-",
        "+",
        "_",
        "v",
        "a",
        "b",
        "rc",
        "alpha",
        "beta",
        "dev",
        "post",
        "pre",
        "sp",
        "ga",
        "final",
        "snapshot",
        "patch",
        "p",
        "m",
        "!",
        "x",
        "incompatible",
        "go",
        " ",
        "~",
        "*",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut samples = Vec::new();
    for _ in 0..3_000 {
        const PREFIXES: &[&str] = &["", "", "1", "1.2", "1.2.3", "v1.2.3", "0.0.0"];
        let len = next() % 9;
        let p = usize::try_from(next() % PREFIXES.len() as u64).unwrap_or(0);
        let mut s = PREFIXES[p].to_owned();
        for _ in 0..len {
            let i = usize::try_from(next() % PIECES.len() as u64).unwrap_or(0);
            s.push_str(PIECES[i]);
        }
        samples.push(s);
    }
    for eco in Ecosystem::ALL {
        let mut readable = 0;
        for (i, s) in samples.iter().enumerate() {
            if parse(eco, s).is_some() {
                readable += 1;
                assert_eq!(compare(eco, s, s), Some(Ordering::Equal), "{eco:?} {s:?}");
            }
            let other = &samples[(i * 7 + 3) % samples.len()];
            assert_eq!(
                compare(eco, s, other).map(Ordering::reverse),
                compare(eco, other, s),
                "{eco:?}: {s:?} vs {other:?}"
            );
        }
        assert!(readable > 0, "{eco:?}: no random string was readable");
    }
}
