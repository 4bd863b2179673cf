//! Every rule's documentation is tested: the first code block after `## Example` must make the
//! rule fire and the block after `Use instead:` must not, each run through the real loader as a
//! file on disk (with the code directories it names created) and the rule alone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use faasguard_core::Finding;
use faasguard_iac::SourceFile;
use faasguard_rules::{RuleMeta, RuleSettings, all_rules, check_inventory};

/// A fenced code block: its info string (language) and body.
#[derive(Debug)]
struct Block {
    lang: String,
    body: String,
}

/// The first fenced block of `docs` after the first line that starts with `marker`.
fn block_after(docs: &str, marker: &str) -> Option<Block> {
    let mut lines = docs
        .lines()
        .skip_while(|l| !l.trim_start().starts_with(marker));
    lines.next()?;
    let mut lines = lines.skip_while(|l| !l.trim_start().starts_with("```"));
    let open = lines.next()?;
    let lang = open.trim_start().trim_start_matches('`').trim().to_owned();
    let mut body = String::new();
    for line in lines {
        if line.trim_start().starts_with("```") {
            return Some(Block { lang, body });
        }
        body.push_str(line);
        body.push('\n');
    }
    None
}

/// Writes the snippet where the loaders expect it and returns the files to load: YAML is a
/// SAM/CloudFormation `template.yaml` (its `CodeUri` directories are created); JSON is an ARM
/// template (`azuredeploy.json`) when it has a deployment-template `$schema`, otherwise an
/// Azure `function.json` in a function folder.
fn materialise(dir: &Path, block: &Block) -> Vec<SourceFile> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    std::fs::create_dir_all(dir).unwrap();
    let rel = match block.lang.as_str() {
        "yaml" | "yml" => {
            for line in block.body.lines() {
                if let Some(uri) = line.trim().strip_prefix("CodeUri:") {
                    std::fs::create_dir_all(dir.join(uri.trim())).unwrap();
                }
            }
            "template.yaml".to_owned()
        }
        "json" if block.body.contains("deploymentTemplate.json") => "azuredeploy.json".to_owned(),
        "json" => "DocFunction/function.json".to_owned(),
        other => panic!("unexpected code block language `{other}`"),
    };
    let abs = dir.join(&rel);
    std::fs::create_dir_all(abs.parent().unwrap()).unwrap();
    std::fs::write(&abs, &block.body).unwrap();
    vec![SourceFile {
        path: rel,
        abs,
        text: block.body.clone(),
    }]
}

/// Loads the block as files in `dir` and runs the one rule on it; no loader diagnostics allowed.
fn findings(meta: &RuleMeta, dir: &Path, block: &Block) -> Vec<Finding> {
    let files = materialise(dir, block);
    let inv = faasguard_iac::load(&files);
    assert_eq!(
        inv.diagnostics,
        vec![],
        "{}: diagnostics for\n{}",
        meta.id,
        block.body
    );
    assert!(
        !inv.functions.is_empty(),
        "{}: no function loaded from\n{}",
        meta.id,
        block.body
    );
    let settings = RuleSettings {
        select: BTreeSet::from([meta.id.to_owned()]),
        today: "2026-11-24".to_owned(),
        ..RuleSettings::default()
    };
    let checked = check_inventory(&inv, &settings);
    assert!(
        checked.internal_errors.is_empty(),
        "{:?}",
        checked.internal_errors
    );
    checked.findings
}

fn scratch(id: &str, case: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("doc-examples")
        .join(id)
        .join(case)
}

/// For every rule, the `## Example` snippet fires the rule and the `Use instead:` snippet loads
/// cleanly and does not.
#[test]
fn examples_fire_and_fixes_stay_silent() {
    let mut checked = 0;
    for rule in all_rules() {
        let meta = rule.meta();
        let example = block_after(meta.docs, "## Example")
            .unwrap_or_else(|| panic!("{}: no code block after ## Example", meta.id));
        let fixed = block_after(meta.docs, "Use instead:")
            .unwrap_or_else(|| panic!("{}: no code block after Use instead:", meta.id));

        let bad = findings(meta, &scratch(meta.id, "example"), &example);
        assert!(
            !bad.is_empty(),
            "{}: the ## Example does not fire:\n{}",
            meta.id,
            example.body
        );
        assert!(bad.iter().all(|f| f.rule_id == meta.id));

        let good = findings(meta, &scratch(meta.id, "use-instead"), &fixed);
        assert!(
            good.is_empty(),
            "{}: the Use instead: snippet fires: {good:#?}",
            meta.id
        );
        checked += 1;
    }
    assert_eq!(checked, all_rules().len());
    assert!(checked >= 27, "expected the whole catalogue, saw {checked}");
}

/// The block extraction itself: it takes the first block after the marker, with its language,
/// and not a later one.
#[test]
fn block_after_takes_the_first_block_after_the_marker() {
    let docs = "## Example\ntext\n```yaml\na: 1\n```\nUse instead:\n```json\n{}\n```\n```yaml\nb: 2\n```\n";
    let ex = block_after(docs, "## Example").unwrap();
    assert_eq!((ex.lang.as_str(), ex.body.as_str()), ("yaml", "a: 1\n"));
    let fix = block_after(docs, "Use instead:").unwrap();
    assert_eq!((fix.lang.as_str(), fix.body.as_str()), ("json", "{}\n"));
    assert!(block_after(docs, "## Missing").is_none());
}
