//! Every rule's true-positive samples fire with that rule through the real scanner (prefilter,
//! regex, entropy, checksum, allowlists, pairing) and its false-positive samples do not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use faasguard_secrets::{Scanner, Settings, builtin_rules, github_checksum};

/// Deterministic fake-value generator (xorshift), so samples are never real credentials.
struct Fake(u64);

impl Fake {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| {
                let i = usize::try_from(self.next() % alphabet.len() as u64).unwrap();
                char::from(alphabet[i])
            })
            .collect()
    }
}

const HEX: &[u8] = b"0123456789abcdef";
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Expand `{{kind:N}}`, `{{uuid}}` and `{{ghcrc}}` templates into fake values.
fn expand(sample: &str, seed: u64) -> String {
    expand_with_values(sample, seed).0
}

/// Like [`expand`], also returning the generated values (to check they never leak).
fn expand_with_values(sample: &str, seed: u64) -> (String, Vec<String>) {
    let mut values = Vec::new();
    let mut fake = Fake(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out = String::new();
    let mut rest = sample;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let inner = &rest[start + 2..start + len];
        let (kind, n) = inner.split_once(':').map_or((inner, 0), |(k, n)| {
            (k, n.parse::<usize>().unwrap_or(usize::MAX))
        });
        let value = match kind {
            "hex" => fake.pick(HEX, n),
            "upper" => fake.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", n),
            "b32" => fake.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n),
            "b32l" => fake.pick(b"abcdefghijklmnopqrstuvwxyz234567", n),
            "lower" => fake.pick(b"abcdefghijklmnopqrstuvwxyz0123456789", n),
            "alnum" => fake.pick(ALNUM, n),
            "alpha" => fake.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", n),
            "url" => fake.pick(
                b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_",
                n,
            ),
            "b64" => fake.pick(
                b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/",
                n,
            ),
            "digits" => {
                let mut d = fake.pick(b"123456789", 1);
                d.push_str(&fake.pick(b"0123456789", n - 1));
                d
            }
            "bech" => fake.pick(b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", n),
            "uuid" => format!(
                "{}-{}-{}-{}-{}",
                fake.pick(HEX, 8),
                fake.pick(HEX, 4),
                fake.pick(HEX, 4),
                fake.pick(HEX, 4),
                fake.pick(HEX, 12)
            ),
            "ghcrc" => {
                let random = fake.pick(ALNUM, 30);
                format!("{random}{}", github_checksum(&random))
            }
            // Not a template (`${{ secrets.X }}`, `{{resolve:…}}`): keep it verbatim.
            _ => format!("{{{{{inner}}}}}"),
        };
        out.push_str(&rest[..start]);
        out.push_str(&value);
        values.push(value);
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    (out, values)
}

fn scanner() -> Scanner {
    Scanner::new(Settings {
        allow_paths: Vec::new(),
        ..Settings::default()
    })
    .unwrap()
}

/// Every true-positive sample yields a finding of its own rule, whose Debug and JSON forms
/// contain none of the sample's generated secret parts; every false-positive sample yields no
/// finding of that rule.
#[test]
fn rule_samples_fire_and_stay_silent() {
    let scanner = scanner();
    let mut failures = Vec::new();
    for (r, rule) in builtin_rules().unwrap().iter().enumerate() {
        for (i, tp) in rule.tp.iter().enumerate() {
            let (text, values) = expand_with_values(tp, (r * 100 + i + 1) as u64);
            let found = scanner.scan_text("app/handler.py", &text);
            let shown = format!("{found:?}{}", serde_json::to_string(&found).unwrap());
            for value in values.iter().filter(|v| v.len() >= 8) {
                if shown.contains(value.as_str()) {
                    failures.push(format!("{} tp #{i} leaks a secret part", rule.name));
                }
            }
            if !found.iter().any(|f| f.rule_id == rule.id) {
                let got: Vec<_> = found.iter().map(|f| f.rule_name.as_str()).collect();
                failures.push(format!(
                    "{} tp #{i} not found (got {got:?}): {text}",
                    rule.name
                ));
            }
        }
        for (i, fp) in rule.fp.iter().enumerate() {
            let text = expand(fp, (r * 100 + 50 + i) as u64);
            let found = scanner.scan_text("app/handler.py", &text);
            if found.iter().any(|f| f.rule_id == rule.id) {
                failures.push(format!("{} fp #{i} fired: {text}", rule.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The `{{ghcrc}}` template yields a checksum-valid token, and a GitHub rule rejects a
/// same-shaped token whose checksum is wrong (the fp samples rely on this).
#[test]
fn github_samples_carry_valid_checksums() {
    let token = expand("ghp_{{ghcrc}}", 7);
    assert!(faasguard_secrets::github_token_checksum_ok(&token));
    let scanner = scanner();
    assert_eq!(scanner.scan_text("a.js", &token).len(), 1);
    let mut broken = token.clone();
    let last = broken.pop().unwrap();
    broken.push(if last == '0' { '1' } else { '0' });
    assert!(scanner.scan_text("a.js", &broken).is_empty());
}

/// All true-positive samples concatenated into one file, separated by ordinary code lines, are
/// each still found with their own rule (no rule hides another, windows and pairing hold).
#[test]
fn all_samples_in_one_file() {
    let scanner = scanner();
    let rules = builtin_rules().unwrap();
    let filler = "def handler(event, context):\n    return {'statusCode': 200}\n".repeat(4);
    let mut text = String::new();
    let mut expected = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        // The pair rule's halves are separate rules; a lone id/secret would pair across samples.
        if rule.pair.is_some() || rule.name.starts_with("aws-access-key-id") {
            continue;
        }
        for (i, tp) in rule.tp.iter().enumerate() {
            text.push_str(&expand(tp, (r * 100 + i + 1) as u64));
            text.push('\n');
            text.push_str(&filler);
            expected.push(rule.id.as_str());
        }
    }
    let found = scanner.scan_text("app/handler.py", &text);
    let missing: Vec<_> = expected
        .iter()
        .filter(|id| !found.iter().any(|f| f.rule_id == **id))
        .collect();
    assert!(missing.is_empty(), "missing {missing:?}");
}
