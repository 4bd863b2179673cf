//! The store's behaviour, run on both backends: every case below runs once on a SQLite file
//! and once on a real PostgreSQL started by the harness (`tests/common`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::TestDb;
use faasguard_core::{Finding, FlowStep, Location, Severity, fingerprint};
use faasguard_report::{Advisory, CloudFacts, FunctionSummary, PackageEntry, Report};
use faasguard_store::{
    AuditFilter, AuditInput, BlockInput, BlockOutcome, FindingFilter, FindingStatus,
    FunctionFilter, Outcome, Page, PolicyResultInput, Role, ScanStatus, Store, StoreError,
};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "eu-west-1";
const SCOPE: &str = "aws:123456789012/eu-west-1";

fn function(name: &str, runtime: &str) -> FunctionSummary {
    FunctionSummary {
        id: format!("{ACCOUNT}/{REGION}/{name}"),
        provider: "aws".into(),
        source: "cloud".into(),
        name: Some(name.into()),
        runtime: Some(runtime.into()),
        location: Location::file(format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")),
        cloud: Some(CloudFacts {
            arn: format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"),
            account: ACCOUNT.into(),
            region: REGION.into(),
            reserved_concurrency: Some(5),
            ..CloudFacts::default()
        }),
    }
}

fn finding(rule: &str, severity: Severity, function: &str, message: &str) -> Finding {
    let id = format!("{ACCOUNT}/{REGION}/{function}");
    let location = Location::file(format!("{function}/handler.py"));
    Finding {
        rule_id: rule.into(),
        rule_name: "test-rule".into(),
        severity,
        function: Some(id.clone()),
        fingerprint: fingerprint(rule, Some(&id), &location, message),
        location,
        message: message.into(),
        evidence: None,
        remediation: None,
        flow: Vec::new(),
    }
}

fn key(name: &str) -> String {
    format!("{ACCOUNT}/{REGION}/{name}")
}

fn report(functions: Vec<FunctionSummary>, findings: Vec<Finding>) -> Report {
    let mut r = Report::empty("faasguard", "test");
    r.functions = functions;
    r.findings = findings;
    r
}

async fn open_findings(store: &Store, function: &str) -> Vec<String> {
    let page = store
        .list_findings(
            &FindingFilter {
                function_key: Some(key(function)),
                status: Some(FindingStatus::Open),
                ..FindingFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    page.items.into_iter().map(|f| f.message).collect()
}

/// Opening the same database twice runs the migrations once and keeps the data.
async fn migrations_are_idempotent(db: TestDb) {
    db.store
        .record_scan(
            "cloud",
            SCOPE,
            &report(vec![function("a", "python3.12")], vec![]),
            true,
        )
        .await
        .unwrap();
    let again = db.reopen().await;
    let third = db.reopen().await;
    let listed = third
        .list_functions(&FunctionFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(listed.total, 1);
    assert_eq!(listed.items[0].key, key("a"));
    let scans = again.list_scans(None, Page::default()).await.unwrap();
    assert_eq!(scans.total, 1);
}

/// A store written at schema 8 (before the advisory column and the function marks per list)
/// opens at the current schema with nothing lost: migrations 9 and 10 run, the marks are
/// computed again at open, deep pages of every marked list equal the list order, and the next
/// scan fills the advisory of dependency findings already stored.
async fn a_schema_8_store_upgrades_in_place(db: TestDb) {
    use faasguard_store::testdata::{synthetic_report, synthetic_scope};
    let s = &db.store;
    let (account, region) = ("123456789012", "eu-west-1");
    let scope = synthetic_scope(account, region);
    let report = synthetic_report(account, region, 600, 2, 5);
    let scan = s.record_scan("cloud", &scope, &report, true).await.unwrap();
    let results: Vec<PolicyResultInput> = report
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| PolicyResultInput {
            policy: "p".into(),
            function_key: f.id.clone(),
            outcome: if i % 2 == 0 {
                Outcome::Violation
            } else {
                Outcome::Pass
            },
            reasons: serde_json::json!([]),
            action: None,
        })
        .collect();
    s.record_policy_results(scan.id, &results).await.unwrap();
    // Back to schema 8: no advisory column, function marks without lists, no family or
    // severity finding marks, and the migration log says 8.
    common::execute(
        &db.url,
        "ALTER TABLE findings DROP COLUMN advisory; \
         DROP TABLE function_marks; \
         CREATE TABLE function_marks (ordinal BIGINT PRIMARY KEY, blocked BIGINT NOT NULL, \
           fkey TEXT NOT NULL); \
         DELETE FROM finding_marks WHERE list LIKE '%/%'; \
         DELETE FROM _sqlx_migrations WHERE version > 8",
    )
    .await;
    let upgraded = db.reopen().await.uncached();
    let version = common::text_and_count(
        &db.url,
        "SELECT 'version', MAX(version) FROM _sqlx_migrations",
    )
    .await;
    assert_eq!(
        version,
        [("version".to_owned(), faasguard_store::SCHEMA_VERSION)]
    );
    let marks = common::text_and_count(
        &db.url,
        "SELECT list, COUNT(*) FROM function_marks GROUP BY list ORDER BY list",
    )
    .await;
    assert_eq!(
        marks,
        [
            ("all".to_owned(), 2),
            ("passing".to_owned(), 1),
            ("violating".to_owned(), 1)
        ]
    );
    for violating in [None, Some(true), Some(false)] {
        let filter = FunctionFilter {
            has_violation: violating,
            ..FunctionFilter::default()
        };
        let all = upgraded
            .list_functions(&filter, Page::new(500, 0))
            .await
            .unwrap();
        let deep = upgraded
            .list_functions(&filter, Page::new(20, 260))
            .await
            .unwrap();
        let keys = |p: &faasguard_store::Paged<faasguard_store::FunctionRow>| {
            p.items.iter().map(|f| f.key.clone()).collect::<Vec<_>>()
        };
        assert_eq!(keys(&deep), keys(&all)[260..280], "violating={violating:?}");
    }
    let vulns = FindingFilter {
        rule_prefix: Some("FG-DEP".into()),
        status: Some(FindingStatus::Open),
        ..FindingFilter::default()
    };
    let before = upgraded
        .list_findings(&vulns, Page::new(5, 0))
        .await
        .unwrap();
    assert!(before.total > 0 && before.items.iter().all(|f| f.advisory.is_none()));
    upgraded
        .record_scan("cloud", &scope, &report, true)
        .await
        .unwrap();
    let after = upgraded
        .list_findings(&vulns, Page::new(5, 0))
        .await
        .unwrap();
    assert_eq!(after.total, before.total, "nothing lost");
    assert!(
        after
            .items
            .iter()
            .all(|f| f.advisory.as_deref().is_some_and(|a| f.message.contains(a))),
        "{:?}",
        after.items
    );
}

/// A finding's history: first seen, still open, fixed by a complete scan that no longer
/// reports it (its function deleted), reopened when it comes back.
async fn record_scan_keeps_history(db: TestDb) {
    let s = &db.store;
    let a = finding("FG-FN-001", Severity::High, "a", "URL without auth");
    let b = finding("FG-IAM-002", Severity::Critical, "b", "role allows *");
    let first = s
        .record_scan(
            "cloud",
            SCOPE,
            &report(
                vec![function("a", "python3.12"), function("b", "nodejs20.x")],
                vec![a.clone(), b.clone()],
            ),
            true,
        )
        .await
        .unwrap();
    assert_eq!(first.status, ScanStatus::Succeeded);
    assert_eq!((first.new_findings, first.fixed_findings), (2, 0));
    tokio::time::sleep(Duration::from_millis(5)).await;

    let second = s
        .record_scan(
            "cloud",
            SCOPE,
            &report(vec![function("a", "python3.12")], vec![a.clone()]),
            true,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            second.new_findings,
            second.fixed_findings,
            second.deleted_functions
        ),
        (0, 1, 1)
    );
    let fixed = s
        .list_findings(
            &FindingFilter {
                status: Some(FindingStatus::Fixed),
                ..FindingFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(fixed.total, 1);
    let fixed_b = &fixed.items[0];
    assert_eq!(fixed_b.fingerprint, b.fingerprint);
    assert!(fixed_b.fixed_at.is_some());
    assert_eq!(fixed_b.first_seen, fixed_b.last_seen);
    let still_open = &s
        .list_findings(
            &FindingFilter {
                function_key: Some(key("a")),
                ..FindingFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap()
        .items[0];
    assert!(still_open.last_seen > still_open.first_seen);
    assert_eq!(still_open.status, FindingStatus::Open);
    let functions = s
        .list_functions(&FunctionFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(
        functions.total, 1,
        "deleted functions are hidden by default"
    );
    let with_deleted = s
        .list_functions(
            &FunctionFilter {
                include_deleted: true,
                ..FunctionFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert!(
        with_deleted
            .items
            .iter()
            .any(|f| f.key == key("b") && f.deleted_at.is_some())
    );

    let third = s
        .record_scan(
            "cloud",
            SCOPE,
            &report(
                vec![function("a", "python3.12"), function("b", "nodejs20.x")],
                vec![a.clone(), b.clone()],
            ),
            true,
        )
        .await
        .unwrap();
    assert_eq!((third.new_findings, third.reopened_findings), (0, 1));
    let detail = s.function_detail(&key("b")).await.unwrap().unwrap();
    assert_eq!(detail.function.deleted_at, None);
    let reopened = &detail.open_findings["FG-IAM"][0];
    assert_eq!(reopened.reopened, 1);
    assert_eq!(reopened.fixed_at, None);
    let events: Vec<&str> = detail.history.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["reopened", "fixed", "opened"]);
    assert_eq!(detail.function.open_findings.critical, 1);
}

/// A scan that could not see the whole scope marks nothing fixed and no function deleted.
async fn incomplete_scan_does_not_mark_fixed(db: TestDb) {
    let s = &db.store;
    let a = finding("FG-FN-001", Severity::High, "a", "URL without auth");
    let b = finding("FG-FN-002", Severity::Low, "b", "no tracing");
    s.record_scan(
        "cloud",
        SCOPE,
        &report(
            vec![function("a", "python3.12"), function("b", "python3.12")],
            vec![a.clone(), b],
        ),
        true,
    )
    .await
    .unwrap();
    let partial = s
        .record_scan(
            "cloud",
            SCOPE,
            &report(vec![function("a", "python3.12")], vec![a]),
            false,
        )
        .await
        .unwrap();
    assert!(!partial.complete);
    assert_eq!((partial.fixed_findings, partial.deleted_functions), (0, 0));
    assert_eq!(open_findings(s, "b").await, ["no tracing"]);
    let listed = s
        .list_functions(&FunctionFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(listed.total, 2);
}

/// No secret value reaches any column of any table, wherever the report carries it.
async fn secrets_never_reach_the_store(db: TestDb) {
    let s = &db.store;
    let key_id = "AKIAZ7Q2WLMN4RTB3XKD";
    let secret_key = "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";
    let password = "hunter2-but-longer";
    let mut leaky_fn = function("leaky", "python3.12");
    if let Some(cloud) = &mut leaky_fn.cloud {
        cloud.tags.insert(
            "deploy-key".into(),
            format!("aws_secret_access_key={secret_key}"),
        );
        cloud
            .problems
            .push(format!("GetFunction failed for key {key_id}"));
    }
    let mut sec = finding(
        "FG-SEC-002",
        Severity::High,
        "leaky",
        "Hard-coded AWS secret access key",
    );
    sec.evidence = Some(password.into());
    let mut env = finding(
        "FG-FN-010",
        Severity::Medium,
        "leaky",
        &format!("environment variable LEGACY_KEY holds {key_id}"),
    );
    env.evidence = Some(format!("AWS_SECRET_ACCESS_KEY={secret_key}"));
    env.remediation = Some(format!("rotate {key_id}"));
    env.flow = vec![FlowStep {
        location: Location::file("leaky/handler.py"),
        message: format!("password = \"{password}\""),
    }];
    let r = report(vec![leaky_fn], vec![sec, env]);
    s.record_scan("cloud", SCOPE, &r, true).await.unwrap();
    let scan = s.begin_scan("cloud", SCOPE).await.unwrap();
    s.fail_scan(scan, &format!("AccessDenied for {key_id}"))
        .await
        .unwrap();
    let recorded = s.list_scans(None, Page::default()).await.unwrap().items[1].id;
    s.record_policy_results(
        recorded,
        &[PolicyResultInput {
            policy: "no-secrets".into(),
            function_key: key("leaky"),
            outcome: Outcome::Violation,
            reasons: serde_json::json!([format!("secret {key_id} in env")]),
            action: Some("block".into()),
        }],
    )
    .await
    .unwrap();
    s.append_audit(&AuditInput {
        actor: "admin".into(),
        action: "notify".into(),
        function_key: Some(key("leaky")),
        policy: None,
        details: serde_json::json!({"env": {"KEY": secret_key, "ID": key_id}}),
    })
    .await
    .unwrap();

    let dump = common::dump_all_tables(&db.url).await;
    assert!(
        dump.contains("functions.fkey=123456789012/eu-west-1/leaky"),
        "dump is complete"
    );
    for plaintext in [key_id, secret_key, password] {
        assert!(!dump.contains(plaintext), "{plaintext} was stored:\n{dump}");
    }
    let sec = s
        .list_findings(
            &FindingFilter {
                rule_prefix: Some("fg-sec".into()),
                ..FindingFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        sec.items[0].evidence.as_deref(),
        Some(faasguard_core::redact_secret(password).as_str())
    );
}

/// Tokens are stored hashed: the plaintext is in no table, it verifies with its role, a
/// tampered or revoked token does not.
async fn tokens_are_hashed_verified_and_revoked(db: TestDb) {
    let s = &db.store;
    let admin = s.create_token("ci", Role::Admin, "setup").await.unwrap();
    let viewer = s.create_token("dash", Role::Viewer, "setup").await.unwrap();
    assert!(
        admin
            .plaintext
            .starts_with(&format!("fgt_{}_", admin.info.id))
    );
    assert_eq!(admin.plaintext.len(), 4 + 12 + 1 + 64);
    assert_eq!(
        s.verify_token(&admin.plaintext)
            .await
            .unwrap()
            .unwrap()
            .role,
        Role::Admin
    );
    assert_eq!(
        s.verify_token(&viewer.plaintext)
            .await
            .unwrap()
            .unwrap()
            .role,
        Role::Viewer
    );
    let mut tampered = admin.plaintext.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    assert_eq!(s.verify_token(&tampered).await.unwrap(), None);
    assert_eq!(s.verify_token("not-a-token").await.unwrap(), None);
    assert_eq!(s.verify_token("").await.unwrap(), None);

    let dump = common::dump_all_tables(&db.url).await;
    for token in [&admin.plaintext, &viewer.plaintext] {
        let secret = token.rsplit('_').next().unwrap();
        assert!(!dump.contains(secret), "token secret stored in plaintext");
    }
    assert!(s.revoke_token(&admin.info.id).await.unwrap());
    assert!(
        !s.revoke_token(&admin.info.id).await.unwrap(),
        "revoking twice changes nothing"
    );
    assert_eq!(s.verify_token(&admin.plaintext).await.unwrap(), None);
    let listed = s.list_tokens().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed
            .iter()
            .any(|t| t.id == admin.info.id && t.revoked_at.is_some())
    );
    assert!(
        listed
            .iter()
            .any(|t| t.id == viewer.info.id && t.last_used_at.is_some())
    );
}

/// A block is recorded once (a second block of the same function returns the first), listed
/// first, and taken exactly once even by two concurrent callers; both actions are audited.
async fn blocks_are_taken_once(db: TestDb) {
    let s = &db.store;
    s.record_scan(
        "cloud",
        SCOPE,
        &report(
            vec![function("a", "python3.12"), function("z", "python3.12")],
            vec![],
        ),
        true,
    )
    .await
    .unwrap();
    let input = BlockInput {
        function_key: key("z"),
        previous_concurrency: None,
        policy: Some("no-admin-roles".into()),
        actor: "scheduler".into(),
    };
    let BlockOutcome::Recorded(block) = s.record_block(&input).await.unwrap() else {
        panic!("first block not recorded");
    };
    let again = s
        .record_block(&BlockInput {
            previous_concurrency: Some(0),
            ..input.clone()
        })
        .await
        .unwrap();
    assert_eq!(again, BlockOutcome::AlreadyBlocked(block.clone()));
    let listed = s
        .list_functions(&FunctionFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(
        listed.items[0].key,
        key("z"),
        "blocked functions come first"
    );
    assert!(listed.items[0].blocked);

    let other = db.reopen().await;
    let z = key("z");
    let (x, y) = tokio::join!(s.take_block(&z, "alice"), other.take_block(&z, "bob"));
    let taken: Vec<_> = [x.unwrap(), y.unwrap()].into_iter().flatten().collect();
    assert_eq!(taken.len(), 1, "exactly one unblock gets the block");
    assert_eq!(taken[0].previous_concurrency, None);
    assert_eq!(s.take_block(&key("z"), "alice").await.unwrap(), None);
    assert_eq!(s.active_block(&key("z")).await.unwrap(), None);
    let audit = s
        .list_audit(
            &AuditFilter {
                function_key: Some(key("z")),
                ..AuditFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    let actions: Vec<&str> = audit.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["unblock", "block"]);
    // A new block after the unblock is allowed.
    assert!(matches!(
        s.record_block(&input).await.unwrap(),
        BlockOutcome::Recorded(_)
    ));
    assert_eq!(s.list_blocks(&key("z")).await.unwrap().len(), 2);
}

/// The audit log lists newest first, filters and pages with a total.
async fn audit_append_and_list(db: TestDb) {
    let s = &db.store;
    for i in 0..5 {
        s.append_audit(&AuditInput {
            actor: if i % 2 == 0 { "alice" } else { "bob" }.into(),
            action: "policy-change".into(),
            function_key: None,
            policy: Some(format!("p{i}")),
            details: serde_json::json!({"i": i}),
        })
        .await
        .unwrap();
    }
    let page = s
        .list_audit(&AuditFilter::default(), Page::new(2, 1))
        .await
        .unwrap();
    assert_eq!(page.total, 5);
    let policies: Vec<_> = page
        .items
        .iter()
        .map(|e| e.policy.clone().unwrap())
        .collect();
    assert_eq!(policies, ["p3", "p2"]);
    assert_eq!(page.items[0].details, serde_json::json!({"i": 3}));
    let alice = s
        .list_audit(
            &AuditFilter {
                actor: Some("alice".into()),
                ..AuditFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(alice.total, 3);
}

/// Two workers (two pools on one database) claiming concurrently never get the same job.
async fn two_workers_never_claim_the_same_job(db: TestDb) {
    for i in 0..20 {
        db.store
            .schedule(
                &format!("scan-{i:02}"),
                "cloud-scan",
                &serde_json::json!({"i": i}),
                Duration::from_hours(1),
            )
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for worker in ["w1", "w2"] {
        let store = db.reopen().await;
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(job) = store
                .claim_due(worker, Duration::from_mins(1))
                .await
                .unwrap()
            {
                assert_eq!(job.lease_owner.as_deref(), Some(worker));
                got.push(job.key);
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 20, "every job claimed once: {all:?}");
    assert_eq!(unique.len(), 20, "a job was claimed twice: {all:?}");
}

/// A job whose worker stopped renewing its lease is claimed again with a higher attempt
/// count; the old worker can neither renew nor complete it; completion schedules the next run.
async fn expired_lease_is_reclaimed(db: TestDb) {
    let s = &db.store;
    s.schedule(
        "assure",
        "assure",
        &serde_json::json!({}),
        Duration::from_mins(10),
    )
    .await
    .unwrap();
    let first = s
        .claim_due("dead", Duration::from_millis(200))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.attempts, 1);
    assert_eq!(
        s.claim_due("alive", Duration::from_secs(30)).await.unwrap(),
        None
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = s
        .claim_due("alive", Duration::from_secs(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((second.key.as_str(), second.attempts), ("assure", 2));
    assert!(
        !s.renew_lease("assure", "dead", Duration::from_secs(30))
            .await
            .unwrap()
    );
    assert!(!s.complete("assure", "dead", true, "late").await.unwrap());
    assert!(!s.release_lease("assure", "dead").await.unwrap());
    assert!(
        s.renew_lease("assure", "alive", Duration::from_secs(30))
            .await
            .unwrap()
    );
    assert!(s.complete("assure", "alive", true, "ok").await.unwrap());
    let jobs = s.list_jobs().await.unwrap();
    let job = &jobs[0];
    assert_eq!(
        (job.attempts, job.lease_owner.clone(), job.last_ok),
        (0, None, Some(true))
    );
    assert!(job.next_run_at >= job.last_finished_at.unwrap() + 600_000);
    assert_eq!(
        s.claim_due("alive", Duration::from_secs(30)).await.unwrap(),
        None,
        "not due yet"
    );
    // A worker shutting down releases its lease: the job is due again at once, the attempt
    // counted.
    s.schedule(
        "scan",
        "scan",
        &serde_json::json!({}),
        Duration::from_millis(1),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let leaving = s
        .claim_due("leaving", Duration::from_mins(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(leaving.key, "scan");
    assert!(!s.release_lease("scan", "other").await.unwrap());
    assert!(s.release_lease("scan", "leaving").await.unwrap());
    assert!(!s.release_lease("scan", "leaving").await.unwrap());
    let next = s
        .claim_due("staying", Duration::from_mins(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((next.key.as_str(), next.attempts), ("scan", 2));
}

/// Retention removes old scans and their policy results, never the finding history, the
/// blocks or the audit log.
async fn prune_keeps_history_and_audit(db: TestDb) {
    let s = &db.store;
    let a = finding("FG-FN-001", Severity::High, "a", "URL without auth");
    let old = s
        .record_scan(
            "cloud",
            SCOPE,
            &report(vec![function("a", "python3.12")], vec![a.clone()]),
            true,
        )
        .await
        .unwrap();
    s.record_policy_results(
        old.id,
        &[PolicyResultInput {
            policy: "p".into(),
            function_key: key("a"),
            outcome: Outcome::Violation,
            reasons: serde_json::json!(["severity high"]),
            action: Some("notify".into()),
        }],
    )
    .await
    .unwrap();
    s.append_audit(&AuditInput {
        actor: "scheduler".into(),
        action: "notify".into(),
        function_key: Some(key("a")),
        policy: Some("p".into()),
        details: serde_json::json!({}),
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    let cutoff = faasguard_store::now_millis();
    tokio::time::sleep(Duration::from_millis(10)).await;
    let new = s
        .record_scan(
            "cloud",
            SCOPE,
            &report(vec![function("a", "python3.12")], vec![]),
            true,
        )
        .await
        .unwrap();
    let pruned = s.prune_before(cutoff).await.unwrap();
    assert_eq!((pruned.scans, pruned.policy_results), (1, 1));
    assert_eq!(s.scan(old.id).await.unwrap(), None);
    assert!(s.scan(new.id).await.unwrap().is_some());
    let detail = s.function_detail(&key("a")).await.unwrap().unwrap();
    assert!(detail.policy_results.is_empty());
    let events: Vec<&str> = detail.history.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["fixed", "opened"], "history survives pruning");
    let fixed = s
        .list_findings(&FindingFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(
        fixed.items[0].first_seen,
        old.started_at.max(fixed.items[0].first_seen)
    );
    assert_eq!(
        s.list_audit(&AuditFilter::default(), Page::default())
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(s.prune(30).await.unwrap().scans, 0, "recent scans are kept");
}

/// A record_scan dropped in the middle (its future cancelled) leaves the previous state.
async fn cancelled_scan_leaves_previous_state(db: TestDb) {
    let s = &db.store;
    let a = finding("FG-FN-001", Severity::High, "a", "URL without auth");
    s.record_scan(
        "cloud",
        SCOPE,
        &report(vec![function("a", "python3.12")], vec![a]),
        true,
    )
    .await
    .unwrap();
    let big = faasguard_store::testdata::synthetic_report(ACCOUNT, REGION, 400, 10, 3);
    let mut cancelled = 0;
    for delay_ms in [1, 5, 20, 50] {
        let outcome = tokio::time::timeout(
            Duration::from_millis(delay_ms),
            s.record_scan("cloud", SCOPE, &big, true),
        )
        .await;
        if outcome.is_err() {
            cancelled += 1;
            assert_eq!(s.list_scans(None, Page::default()).await.unwrap().total, 1);
            assert_eq!(open_findings(s, "a").await, ["URL without auth"]);
            let all = s
                .list_findings(&FindingFilter::default(), Page::default())
                .await
                .unwrap();
            assert_eq!(all.total, 1, "nothing of the cancelled scan was kept");
        }
    }
    assert!(cancelled > 0, "no record_scan was cancelled mid-way");
    // The store still works afterwards.
    let done = s.record_scan("cloud", SCOPE, &big, true).await.unwrap();
    assert_eq!(done.findings_seen, 4000);
}

/// The dashboard queries: filters, order, totals, grouping by family with package columns,
/// and the per-day chart.
async fn dashboard_queries(db: TestDb) {
    let s = &db.store;
    let mut dep = finding(
        "FG-DEP-001",
        Severity::Critical,
        "api",
        "PyPI urllib3 1.26.0 (direct) is affected by GHSA-v845-jxx5-vc9f, CVE-2023-43804: cookie leak",
    );
    dep.location = Location::at("api/requirements.txt", 3, 1);
    dep.evidence = Some("installed 1.26.0, fixed in 1.26.17".into());
    let mut r = report(
        vec![
            function("api", "python3.9"),
            function("worker", "nodejs20.x"),
            function("cron", "python3.9"),
        ],
        vec![
            dep,
            finding(
                "FG-IAM-001",
                Severity::High,
                "api",
                "role grants iam:PassRole on *",
            ),
            finding(
                "FG-FN-004",
                Severity::Medium,
                "cron",
                "runtime python3.9 is deprecated",
            ),
            finding(
                "FG-INJ-001",
                Severity::High,
                "worker",
                "event reaches child_process.exec",
            ),
        ],
    );
    r.packages.push(PackageEntry {
        ecosystem: "PyPI".into(),
        name: "urllib3".into(),
        version: "1.26.0".into(),
        purl: "pkg:pypi/urllib3@1.26.0".into(),
        location: Location::at("api/requirements.txt", 3, 1),
        scope: "prod".into(),
        direct: Some(true),
        origin: "lockfile".into(),
        status: "vulnerable".into(),
        not_checked: None,
        advisories: vec![Advisory {
            id: "GHSA-v845-jxx5-vc9f".into(),
            aliases: vec!["CVE-2023-43804".into()],
            summary: "cookie leak".into(),
            severity: Severity::Critical,
            cvss: None,
            fixed: Some("1.26.17".into()),
            informational: None,
        }],
    });
    let scan = s.record_scan("cloud", SCOPE, &r, true).await.unwrap();
    s.record_policy_results(
        scan.id,
        &[
            PolicyResultInput {
                policy: "max-severity".into(),
                function_key: key("api"),
                outcome: Outcome::Violation,
                reasons: serde_json::json!(["critical FG-DEP-001"]),
                action: Some("notify".into()),
            },
            PolicyResultInput {
                policy: "max-severity".into(),
                function_key: key("cron"),
                outcome: Outcome::Pass,
                reasons: serde_json::json!([]),
                action: None,
            },
        ],
    )
    .await
    .unwrap();
    s.record_block(&BlockInput {
        function_key: key("worker"),
        previous_concurrency: Some(5),
        policy: None,
        actor: "admin".into(),
    })
    .await
    .unwrap();

    let all = s
        .list_functions(&FunctionFilter::default(), Page::default())
        .await
        .unwrap();
    let keys: Vec<_> = all.items.iter().map(|f| f.key.clone()).collect();
    assert_eq!(keys, [key("worker"), key("api"), key("cron")]);
    let by = |filter: FunctionFilter| async move {
        s.list_functions(&filter, Page::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|f| f.name.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by(FunctionFilter {
            runtime: Some("python3.9".into()),
            ..Default::default()
        })
        .await,
        ["api", "cron"]
    );
    assert_eq!(
        by(FunctionFilter {
            has_violation: Some(true),
            ..Default::default()
        })
        .await,
        ["api"]
    );
    assert_eq!(
        by(FunctionFilter {
            blocked: Some(true),
            ..Default::default()
        })
        .await,
        ["worker"]
    );
    assert_eq!(
        by(FunctionFilter {
            name: Some("CRO".into()),
            ..Default::default()
        })
        .await,
        ["cron"]
    );
    assert_eq!(
        by(FunctionFilter {
            account: Some(ACCOUNT.into()),
            region: Some(REGION.into()),
            ..Default::default()
        })
        .await
        .len(),
        3
    );
    assert!(
        by(FunctionFilter {
            region: Some("us-east-1".into()),
            ..Default::default()
        })
        .await
        .is_empty()
    );
    let paged = s
        .list_functions(&FunctionFilter::default(), Page::new(1, 1))
        .await
        .unwrap();
    assert_eq!(
        (paged.total, paged.items[0].name.as_deref()),
        (3, Some("api"))
    );

    let detail = s.function_detail(&key("api")).await.unwrap().unwrap();
    let families: Vec<_> = detail.open_findings.keys().cloned().collect();
    assert_eq!(families, ["FG-DEP", "FG-IAM"]);
    let vuln = &detail.open_findings["FG-DEP"][0];
    assert_eq!(
        (
            vuln.package.as_deref(),
            vuln.installed_version.as_deref(),
            vuln.fixed_version.as_deref(),
            vuln.advisory.as_deref()
        ),
        (
            Some("urllib3"),
            Some("1.26.0"),
            Some("1.26.17"),
            Some("GHSA-v845-jxx5-vc9f")
        )
    );
    assert_eq!(vuln.location.line, Some(3));
    assert_eq!(
        detail.summary.cloud.as_ref().unwrap().reserved_concurrency,
        Some(5)
    );
    assert_eq!(detail.policy_results[0].outcome, Outcome::Violation);
    assert_eq!(detail.function.open_findings.critical, 1);
    assert!(s.function_detail("nope").await.unwrap().is_none());
    assert_eq!(
        s.function_detail(&key("worker"))
            .await
            .unwrap()
            .unwrap()
            .blocks
            .len(),
        1
    );

    let f = |filter: FindingFilter| async move {
        s.list_findings(&filter, Page::default()).await.unwrap()
    };
    let high_up = f(FindingFilter {
        min_severity: Some(Severity::High),
        ..Default::default()
    })
    .await;
    assert_eq!(high_up.total, 3);
    assert_eq!(high_up.items[0].severity, Severity::Critical, "worst first");
    assert_eq!(
        f(FindingFilter {
            severities: vec![Severity::Medium],
            ..Default::default()
        })
        .await
        .total,
        1
    );
    assert_eq!(
        f(FindingFilter {
            rule_prefix: Some("FG-IAM".into()),
            ..Default::default()
        })
        .await
        .total,
        1
    );
    assert_eq!(
        f(FindingFilter {
            text: Some("PASSROLE".into()),
            ..Default::default()
        })
        .await
        .total,
        1
    );
    assert_eq!(
        f(FindingFilter {
            text: Some("worker".into()),
            ..Default::default()
        })
        .await
        .total,
        1
    );
    assert_eq!(
        f(FindingFilter {
            text: Some("ld_process.ex".into()),
            ..Default::default()
        })
        .await
        .total,
        1,
        "substrings match inside words"
    );
    assert_eq!(
        f(FindingFilter {
            text: Some("*".into()),
            ..Default::default()
        })
        .await
        .total,
        1,
        "short searches work too"
    );
    assert_eq!(
        f(FindingFilter {
            text: Some("say \"hi\" OR".into()),
            ..Default::default()
        })
        .await
        .total,
        0,
        "quotes and operators are text"
    );
    assert_eq!(
        f(FindingFilter {
            rule_prefix: Some("fg-iam-00".into()),
            ..Default::default()
        })
        .await
        .total,
        1
    );
    assert_eq!(
        f(FindingFilter {
            status: Some(FindingStatus::Fixed),
            ..Default::default()
        })
        .await
        .total,
        0
    );
    assert_eq!(f(FindingFilter::default()).await.total, 4);
    assert_eq!(
        f(FindingFilter {
            text: Some("100%".into()),
            ..Default::default()
        })
        .await
        .total,
        0
    );
    assert_eq!(
        f(FindingFilter {
            function_key: Some(key("api")),
            status: Some(FindingStatus::Open),
            ..Default::default()
        })
        .await
        .total,
        2
    );

    let days = s.findings_by_day(7).await.unwrap();
    assert_eq!(days.len(), 7);
    let today = days.last().unwrap();
    assert_eq!(
        (today.open.critical, today.open.high, today.open.medium),
        (1, 2, 1)
    );
    assert!(today.day <= faasguard_store::now_millis());
}

/// Failed scans are kept with their error and change nothing else; finishing a scan that is
/// not running is refused.
async fn scan_lifecycle(db: TestDb) {
    let s = &db.store;
    let id = s.begin_scan("cloud", SCOPE).await.unwrap();
    assert_eq!(
        s.scan(id).await.unwrap().unwrap().status,
        ScanStatus::Running
    );
    let done = s
        .finish_scan(id, &report(vec![function("a", "python3.12")], vec![]), true)
        .await
        .unwrap();
    assert_eq!(
        (done.id, done.status, done.functions_seen),
        (id, ScanStatus::Succeeded, 1)
    );
    assert!(matches!(
        s.finish_scan(id, &report(vec![], vec![]), true).await,
        Err(StoreError::Invalid(_))
    ));
    let failed = s.begin_scan("cloud", SCOPE).await.unwrap();
    assert!(s.fail_scan(failed, "throttled").await.unwrap());
    let scan = s.scan(failed).await.unwrap().unwrap();
    assert_eq!(
        (scan.status, scan.error.as_deref()),
        (ScanStatus::Failed, Some("throttled"))
    );
    assert_eq!(
        s.list_functions(&FunctionFilter::default(), Page::default())
            .await
            .unwrap()
            .total,
        1
    );
}

/// Every list total the maintained totals answer equals an exact count of the listed rows,
/// after each kind of write that changes them (scan, deletion by a complete scan, policy
/// evaluation, block, unblock), and deep pages read through the index equal a walk of the
/// first pages.
async fn list_totals_follow_every_write(db: TestDb) {
    use faasguard_store::testdata::{synthetic_report, synthetic_scope};
    let s = &db.store;
    let (account, region) = ("210987654321", "ap-south-1");
    let scope = synthetic_scope(account, region);
    let full = synthetic_report(account, region, 40, 6, 3);
    s.record_scan("cloud", &scope, &full, true).await.unwrap();
    let keys: Vec<String> = full.functions.iter().map(|f| f.id.clone()).collect();
    let check = |label: &'static str| async move {
        let mut filters = vec![FunctionFilter::default()];
        for violating in [None, Some(true), Some(false)] {
            for blocked in [None, Some(true), Some(false)] {
                filters.push(FunctionFilter {
                    account: Some(account.to_owned()),
                    region: Some(region.to_owned()),
                    has_violation: violating,
                    blocked,
                    ..FunctionFilter::default()
                });
            }
        }
        filters.push(FunctionFilter {
            region: Some("nowhere-1".to_owned()),
            ..FunctionFilter::default()
        });
        for filter in &filters {
            let listed = s.list_functions(filter, Page::new(1000, 0)).await.unwrap();
            assert_eq!(
                listed.total,
                i64::try_from(listed.items.len()).unwrap(),
                "{label}: {filter:?}"
            );
        }
        for family in ["FG-DEP", "FG-SEC", "FG-IAM", "FG-FN", "FG-INJ", "FG-XYZ"] {
            for status in [None, Some(FindingStatus::Open), Some(FindingStatus::Fixed)] {
                let filter = FindingFilter {
                    rule_prefix: Some(family.to_owned()),
                    status,
                    ..FindingFilter::default()
                };
                let listed = s.list_findings(&filter, Page::new(1000, 0)).await.unwrap();
                assert_eq!(
                    listed.total,
                    i64::try_from(listed.items.len()).unwrap(),
                    "{label}: {filter:?}"
                );
            }
        }
    };
    check("first scan").await;

    // A complete scan without ten of the functions deletes them and fixes their findings.
    let mut fewer = full.clone();
    fewer.functions.truncate(30);
    let live: HashSet<&str> = fewer.functions.iter().map(|f| f.id.as_str()).collect();
    fewer
        .findings
        .retain(|f| f.function.as_deref().is_some_and(|k| live.contains(k)));
    s.record_scan("cloud", &scope, &fewer, true).await.unwrap();
    check("deletions").await;
    assert_eq!(
        s.list_functions(&FunctionFilter::default(), Page::default())
            .await
            .unwrap()
            .total,
        30
    );

    let scan = s.list_scans(None, Page::new(1, 0)).await.unwrap().items[0].id;
    let results: Vec<PolicyResultInput> = keys[..12]
        .iter()
        .enumerate()
        .map(|(i, k)| PolicyResultInput {
            policy: "p".to_owned(),
            function_key: k.clone(),
            outcome: if i % 3 == 0 {
                Outcome::Violation
            } else {
                Outcome::Pass
            },
            reasons: serde_json::json!([]),
            action: None,
        })
        .collect();
    s.record_policy_results(scan, &results).await.unwrap();
    check("policy results").await;

    for k in &keys[..5] {
        let outcome = s
            .record_block(&BlockInput {
                function_key: k.clone(),
                previous_concurrency: Some(3),
                policy: Some("p".to_owned()),
                actor: "test".to_owned(),
            })
            .await
            .unwrap();
        assert!(matches!(outcome, BlockOutcome::Recorded(_)));
    }
    check("blocks").await;
    assert!(s.take_block(&keys[1], "test").await.unwrap().is_some());
    check("unblock").await;

    // Page 3 of 7 (offset, read through the index) equals rows 14..21 of one long page.
    let all = s
        .list_functions(&FunctionFilter::default(), Page::new(1000, 0))
        .await
        .unwrap();
    let deep = s
        .list_functions(&FunctionFilter::default(), Page::new(7, 14))
        .await
        .unwrap();
    assert_eq!(deep.items, all.items[14..21]);
    assert!(all.items[0].blocked && !all.items[29].blocked);
    let findings = s
        .list_findings(&FindingFilter::default(), Page::new(1000, 0))
        .await
        .unwrap();
    let deep = s
        .list_findings(&FindingFilter::default(), Page::new(9, 20))
        .await
        .unwrap();
    assert_eq!(deep.items, findings.items[20..29]);

    // Keyset pages (cursor = the last row of the previous page) walk the same order as one
    // long page, across the blocked/unblocked boundary, with the whole list's total.
    let mut walked = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .list_functions(
                &FunctionFilter {
                    after: after.clone(),
                    ..FunctionFilter::default()
                },
                Page::new(3, 0),
            )
            .await
            .unwrap();
        assert_eq!(page.total, 30);
        let Some(last) = page.items.last() else { break };
        after = Some(faasguard_store::FunctionCursor {
            blocked: last.blocked,
            key: last.key.clone(),
        });
        walked.extend(page.items);
    }
    assert_eq!(walked, all.items);
    let mut walked = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .list_findings(
                &FindingFilter {
                    after,
                    ..FindingFilter::default()
                },
                Page::new(7, 0),
            )
            .await
            .unwrap();
        assert_eq!(page.total, findings.total);
        let Some(last) = page.items.last() else { break };
        after = Some(faasguard_store::FindingCursor {
            severity: last.severity,
            id: last.id,
        });
        walked.extend(page.items);
    }
    assert_eq!(walked, findings.items);
    assert!(
        s.list_findings(
            &FindingFilter {
                after,
                text: Some("x".to_owned()),
                ..FindingFilter::default()
            },
            Page::default(),
        )
        .await
        .is_err(),
        "a cursor with a text search is refused"
    );
}

/// Both search plans list matches in list order: a common term (more matches than the count
/// limit: the walk) gives the same page as the unfiltered list when every finding matches, and
/// a rare term (the index probe) the same findings as filtering by their function.
async fn search_plans_keep_list_order(db: TestDb) {
    use faasguard_store::SEARCH_COUNT_LIMIT;
    use faasguard_store::testdata::{synthetic_report, synthetic_scope};
    let s = &db.store;
    let (account, region) = ("123456789012", "eu-west-1");
    let report = synthetic_report(account, region, 60, 20, 7);
    s.record_scan("cloud", &synthetic_scope(account, region), &report, true)
        .await
        .unwrap();
    let search = |text: &str| FindingFilter {
        text: Some(text.to_owned()),
        ..FindingFilter::default()
    };
    // Every finding's function key contains `/fn-000`: 1,200 matches.
    let unfiltered = s
        .list_findings(&FindingFilter::default(), Page::new(50, 100))
        .await
        .unwrap();
    for text in ["/fn-000", "/FN-000"] {
        let common = s
            .list_findings(&search(text), Page::new(50, 100))
            .await
            .unwrap();
        assert_eq!(
            (common.total, common.total_exact),
            (SEARCH_COUNT_LIMIT, false)
        );
        assert_eq!(common.items, unfiltered.items, "{text}");
    }
    let key = &report.functions[42].id;
    let by_function = s
        .list_findings(
            &FindingFilter {
                function_key: Some(key.clone()),
                ..FindingFilter::default()
            },
            Page::new(50, 0),
        )
        .await
        .unwrap();
    assert_eq!(by_function.items.len(), 20);
    let rare = s
        .list_findings(&search("/fn-00042"), Page::new(50, 0))
        .await
        .unwrap();
    assert_eq!((rare.total, rare.total_exact), (20, true));
    assert_eq!(rare.items, by_function.items);
    let second = s
        .list_findings(&search("/fn-00042"), Page::new(15, 15))
        .await
        .unwrap();
    assert_eq!(second.items, by_function.items[15..]);
    // Combined with another filter, and with nothing matching.
    let critical = s
        .list_findings(
            &FindingFilter {
                text: Some("/fn-00042".to_owned()),
                severities: vec![Severity::Critical],
                ..FindingFilter::default()
            },
            Page::new(50, 0),
        )
        .await
        .unwrap();
    assert!(
        critical
            .items
            .iter()
            .all(|f| f.severity == Severity::Critical)
    );
    assert_eq!(
        critical.items.len(),
        by_function
            .items
            .iter()
            .filter(|f| f.severity == Severity::Critical)
            .count()
    );
    let none = s
        .list_findings(&search("no-such-text-anywhere"), Page::default())
        .await
        .unwrap();
    assert_eq!(
        (none.total, none.total_exact, none.items.len()),
        (0, true, 0)
    );
}

/// Every text search answers what a plain substring test over all findings answers (ASCII
/// letters in any case): the word index (one-run terms, terms across separators, words longer
/// than the index files, filters on state, severity and family) and the trigram plans it
/// leaves to (single letters, punctuation only), with the total capped at 1,000 and pages in
/// list order. Checked after the first scan, after a scan that fixes findings, changes a
/// severity and a finding's text, and after indexing a store from before the word index.
async fn text_search_equals_a_substring_test(db: TestDb) {
    use faasguard_store::testdata::{synthetic_report, synthetic_scope};
    let scope = synthetic_scope(ACCOUNT, REGION);
    // 120 functions x 20 findings: `/fn-000` matches 2,000 of them, and the other 400 are
    // candidates of its word `fn` that the text check must drop.
    let mut full = synthetic_report(ACCOUNT, REGION, 120, 20, 11);
    let long = format!("Token {}Z in env", "Q".repeat(150));
    let crafted = [
        ("FG-SEC-101", Severity::Critical, long.as_str()),
        (
            "FG-FN-001",
            Severity::Low,
            "Naïve café handler writes /tmp/x",
        ),
        (
            "FG-IAM-002",
            Severity::High,
            "MixedCase PassRole via iam:PassRole",
        ),
        (
            "FG-INJ-001",
            Severity::Medium,
            "ld_preload process.execve spawn",
        ),
        ("FG-FN-002", Severity::Info, "say \"hi\" OR 100% done"),
    ];
    for (i, (rule, severity, message)) in crafted.iter().enumerate() {
        let mut f = finding(rule, *severity, "fn-00030", message);
        f.function = Some(full.functions[30].id.clone());
        f.fingerprint = format!("crafted-{i}");
        full.findings.push(f);
    }
    let s = &db.store;
    s.record_scan("cloud", &scope, &full, true).await.unwrap();

    check_searches(s, "first scan").await;
    check_document_counts(&db.url).await;

    // Fix the first ten functions' findings, raise a severity, change a finding's text.
    let mut next = full.clone();
    let gone: HashSet<String> = next.functions[..10].iter().map(|f| f.id.clone()).collect();
    next.findings
        .retain(|f| f.function.as_ref().is_none_or(|id| !gone.contains(id)));
    for f in &mut next.findings {
        if f.fingerprint == "crafted-1" {
            f.message = "Changed words: handler writes /tmp/y".into();
        }
        if f.fingerprint == "crafted-3" {
            f.severity = Severity::Critical;
        }
    }
    s.record_scan("cloud", &scope, &next, true).await.unwrap();
    check_searches(s, "after fixes and changes").await;
    check_document_counts(&db.url).await;

    // A store from before the word index: its findings are indexed when it is opened.
    common::execute(
        &db.url,
        "DELETE FROM finding_words; DELETE FROM search_words",
    )
    .await;
    check_searches(&db.reopen().await, "indexed at open").await;
    check_document_counts(&db.url).await;
}

/// Each vocabulary word's document count (kept by the writers, a lower bound's input) is the
/// number of findings filed under it.
async fn check_document_counts(url: &str) {
    let kept = common::text_and_count(
        url,
        "SELECT word, df FROM search_words WHERE df <> 0 ORDER BY word",
    )
    .await;
    let counted = common::text_and_count(
        url,
        "SELECT word, COUNT(*) AS n FROM finding_words GROUP BY word ORDER BY word",
    )
    .await;
    assert!(counted.len() > 100);
    assert_eq!(kept, counted);
}

/// [`text_search_equals_a_substring_test`]'s comparison, on the store as it is.
async fn check_searches(s: &Store, label: &str) {
    use faasguard_store::{SEARCH_COUNT_LIMIT, StoredFinding};
    {
        let s = s.uncached();
        let mut all: Vec<StoredFinding> = Vec::new();
        loop {
            let page = s
                .list_findings(&FindingFilter::default(), Page::new(1000, all.len() as u64))
                .await
                .unwrap();
            let n = page.items.len();
            all.extend(page.items);
            if n < 1000 {
                break;
            }
        }
        let terms = [
            "handler",
            "HANDLER",
            "andle",
            "fn-000",
            "/fn-000",
            "/fn-00042",
            "GHSA-0042-0005",
            "ghsa-0042",
            "0042-",
            "-0005",
            "QQQQZ",
            "qz in env",
            "naïve",
            "ïve caf",
            "café",
            "passrole",
            "iam:passrole",
            "ld_process.ex",
            "process.execve",
            "*",
            "100%",
            "\"hi\" or",
            "no-such-text-anywhere",
            "a",
            "x",
            "fn",
            "eu-west-1",
            "123456789012/eu-west-1/fn-0004",
            " ",
            "tmp/x",
            "FG-DEP",
            "dep-0",
            "changed words",
        ];
        let long_term = "q".repeat(120);
        let filters = [
            FindingFilter::default(),
            FindingFilter {
                status: Some(FindingStatus::Open),
                ..FindingFilter::default()
            },
            FindingFilter {
                status: Some(FindingStatus::Fixed),
                ..FindingFilter::default()
            },
            FindingFilter {
                severities: vec![Severity::Critical, Severity::Low],
                ..FindingFilter::default()
            },
            FindingFilter {
                min_severity: Some(Severity::High),
                status: Some(FindingStatus::Open),
                ..FindingFilter::default()
            },
            FindingFilter {
                rule_prefix: Some("fg-dep".into()),
                ..FindingFilter::default()
            },
            FindingFilter {
                rule_prefix: Some("FG-SEC-1".into()),
                ..FindingFilter::default()
            },
        ];
        for term in terms.iter().copied().chain([long_term.as_str()]) {
            let needle = term.to_ascii_lowercase();
            for base in &filters {
                let expected: Vec<&StoredFinding> = all
                    .iter()
                    .filter(|f| {
                        let text = format!(
                            "{} {} {}",
                            f.message,
                            f.rule_id,
                            f.function_key.as_deref().unwrap_or_default()
                        );
                        text.to_ascii_lowercase().contains(&needle)
                            && base.status.is_none_or(|st| f.status == st)
                            && (base.severities.is_empty() || base.severities.contains(&f.severity))
                            && base.min_severity.is_none_or(|m| f.severity >= m)
                            && base.rule_prefix.as_deref().is_none_or(|p| {
                                let p = p.to_ascii_uppercase();
                                if p.len() == 6 {
                                    f.family == p
                                } else {
                                    f.rule_id.starts_with(&p)
                                }
                            })
                    })
                    .collect();
                let filter = FindingFilter {
                    text: Some(term.to_owned()),
                    ..base.clone()
                };
                for page in [Page::new(50, 0), Page::new(7, 45)] {
                    let got = s.list_findings(&filter, page).await.unwrap();
                    let n = i64::try_from(expected.len()).unwrap();
                    let what = format!("{label}: {term:?} {base:?} {page:?}");
                    assert_eq!(
                        (got.total, got.total_exact),
                        (n.min(SEARCH_COUNT_LIMIT), n <= SEARCH_COUNT_LIMIT),
                        "{what}"
                    );
                    let want: Vec<i64> = expected
                        .iter()
                        .skip(usize::try_from(page.offset).unwrap())
                        .take(page.limit as usize)
                        .map(|f| f.id)
                        .collect();
                    let got: Vec<i64> = got.items.iter().map(|f| f.id).collect();
                    assert_eq!(got, want, "{what}");
                }
            }
        }
    }
}

/// Memoised work (text search answers, deep-page positions) never outlives a write: after
/// every change — recorded by this handle or by another process's — a memoised answer equals
/// one computed afresh (`uncached`) and the one a keyset walk gives.
async fn memoised_answers_follow_every_write(db: TestDb) {
    use faasguard_store::testdata::{synthetic_report, synthetic_scope};
    let s = &db.store;
    let other = db.reopen().await;
    let (account, region) = ("123456789012", "eu-west-1");
    let scope = synthetic_scope(account, region);
    let full = synthetic_report(account, region, 60, 20, 5);
    s.record_scan("cloud", &scope, &full, true).await.unwrap();
    let search = |text: &str| FindingFilter {
        text: Some(text.to_owned()),
        status: Some(FindingStatus::Open),
        ..FindingFilter::default()
    };
    let check = |label: &'static str| async move {
        // Findings, deep pages: offset pages (twice: computed, then from the memo) against
        // the uncached answer and a keyset walk from the first page.
        let all = FindingFilter::default();
        let mut walked = Vec::new();
        let mut after = None;
        loop {
            let filter = FindingFilter {
                after,
                ..all.clone()
            };
            let page = s.list_findings(&filter, Page::new(50, 0)).await.unwrap();
            walked.extend(page.items.iter().map(|f| f.id));
            match page.items.last() {
                Some(last) if page.items.len() == 50 => {
                    after = Some(faasguard_store::FindingCursor {
                        severity: last.severity,
                        id: last.id,
                    });
                }
                _ => break,
            }
        }
        for offset in [50_u64, 100, 150, 1000, 1150] {
            let fresh = s
                .uncached()
                .list_findings(&all, Page::new(50, offset))
                .await
                .unwrap();
            for round in 0..2 {
                let page = s.list_findings(&all, Page::new(50, offset)).await.unwrap();
                assert_eq!(
                    page, fresh,
                    "{label}: findings offset {offset}, round {round}"
                );
            }
            let start = usize::try_from(offset).unwrap().min(walked.len());
            let end = (start + 50).min(walked.len());
            let ids: Vec<i64> = fresh.items.iter().map(|f| f.id).collect();
            assert_eq!(ids, walked[start..end], "{label}: findings offset {offset}");
        }
        // Functions, deep pages (blocked first, so a block moves a function to the front).
        let functions = FunctionFilter::default();
        let every = s
            .uncached()
            .list_functions(&functions, Page::new(1000, 0))
            .await
            .unwrap();
        for offset in [10_u64, 20, 30, 55] {
            for round in 0..2 {
                let page = s
                    .list_functions(&functions, Page::new(10, offset))
                    .await
                    .unwrap();
                let start = usize::try_from(offset).unwrap().min(every.items.len());
                let end = (start + 10).min(every.items.len());
                assert_eq!(
                    page.items,
                    every.items[start..end],
                    "{label}: functions offset {offset}, round {round}"
                );
                assert_eq!(page.total, every.total);
            }
        }
        // Searches: a rare term and a common one, twice each, against the uncached answer.
        for text in ["/fn-00042", "/fn-000", "no-such-text"] {
            for page in [Page::new(50, 0), Page::new(15, 15)] {
                let fresh = s
                    .uncached()
                    .list_findings(&search(text), page)
                    .await
                    .unwrap();
                for round in 0..2 {
                    let found = s.list_findings(&search(text), page).await.unwrap();
                    assert_eq!(
                        found, fresh,
                        "{label}: search {text} {page:?}, round {round}"
                    );
                }
            }
        }
    };
    check("first scan").await;
    let rare_before = s
        .list_findings(&search("/fn-00042"), Page::default())
        .await
        .unwrap();
    assert_eq!(rare_before.total, 20);

    // Another process records a complete scan without function 42: its findings are fixed.
    let mut fewer = full.clone();
    let gone = fewer.functions.remove(42).id;
    fewer
        .findings
        .retain(|f| f.function.as_deref() != Some(gone.as_str()));
    other
        .record_scan("cloud", &scope, &fewer, true)
        .await
        .unwrap();
    let rare_after = s
        .list_findings(&search("/fn-00042"), Page::default())
        .await
        .unwrap();
    assert_eq!(rare_after.total, 0, "the memo saw the other process's scan");
    check("after another process's scan").await;

    // Blocks and unblocks (this handle and the other) reorder the functions list.
    for name in [&full.functions[57].id, &full.functions[33].id] {
        let input = BlockInput {
            function_key: name.clone(),
            previous_concurrency: None,
            policy: Some("no-admin-roles".into()),
            actor: "test".into(),
        };
        assert!(matches!(
            other.record_block(&input).await.unwrap(),
            BlockOutcome::Recorded(_)
        ));
        check("after a block").await;
    }
    assert!(
        s.take_block(&full.functions[57].id, "test")
            .await
            .unwrap()
            .is_some()
    );
    check("after an unblock").await;
}

/// Deep pages by offset of the unfiltered lists start from the writers' marks (marks.rs):
/// every page equals the list order read in one statement, across a mark inside the blocked
/// group, the blocked/unblocked boundary, severity boundaries and each state list; after the
/// writes that move the marks; with the marks deleted (read by offset) and after a reopen
/// (computed again).
async fn deep_pages_from_marks_equal_the_list_order(db: TestDb) {
    use faasguard_store::testdata::{synthetic_report, synthetic_scope};
    let s = &db.store;
    let (account, region) = ("123456789012", "eu-west-1");
    let scope = synthetic_scope(account, region);
    let full = synthetic_report(account, region, 700, 3, 11);
    s.record_scan("cloud", &scope, &full, true).await.unwrap();
    // 120 functions gone: their findings are fixed (more than one mark's worth).
    let mut fewer = full.clone();
    let gone: HashSet<String> = fewer.functions.drain(500..620).map(|f| f.id).collect();
    fewer
        .findings
        .retain(|f| !f.function.as_ref().is_some_and(|k| gone.contains(k)));
    let scan = s.record_scan("cloud", &scope, &fewer, true).await.unwrap();
    // Every other function violates a policy: the violating and passing lists have marks too.
    let outcomes = |violating: &dyn Fn(usize) -> bool| {
        fewer
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| PolicyResultInput {
                policy: "p".into(),
                function_key: f.id.clone(),
                outcome: if violating(i) {
                    Outcome::Violation
                } else {
                    Outcome::Pass
                },
                reasons: serde_json::json!([]),
                action: None,
            })
            .collect::<Vec<_>>()
    };
    s.record_policy_results(scan.id, &outcomes(&|i| i % 2 == 1))
        .await
        .unwrap();
    // 300 blocked: the mark at ordinal 256 lies in the blocked group.
    for f in fewer.functions.iter().step_by(2).take(300) {
        let input = BlockInput {
            function_key: f.id.clone(),
            previous_concurrency: None,
            policy: None,
            actor: "test".into(),
        };
        s.record_block(&input).await.unwrap();
    }
    let url = db.url.clone();
    let check = |store: Store, label: &'static str| {
        let url = url.clone();
        async move {
            let fresh = store.uncached();
            let keys: Vec<String> = common::text_and_count(
                &url,
                "SELECT fkey, blocked FROM functions WHERE deleted_at IS NULL ORDER BY blocked DESC, fkey",
            )
            .await
            .into_iter()
            .map(|(key, _)| key)
            .collect();
            assert!(keys.len() > 512, "{label}: {} live functions", keys.len());
            for (offset, limit) in [
                (256_u64, 50_u32),
                (280, 50),
                (299, 1),
                (300, 7),
                (511, 2),
                (512, 50),
                (560, 100),
                (575, 50),
                (700, 10),
            ] {
                let page = fresh
                    .list_functions(&FunctionFilter::default(), Page::new(limit, offset))
                    .await
                    .unwrap();
                let start = usize::try_from(offset).unwrap().min(keys.len());
                let end = (start + usize::try_from(limit).unwrap()).min(keys.len());
                let got: Vec<&str> = page.items.iter().map(|f| f.key.as_str()).collect();
                assert_eq!(got, keys[start..end], "{label}: functions {offset}+{limit}");
                assert_eq!(page.total, i64::try_from(keys.len()).unwrap());
            }
            for violating in [true, false] {
                let keys: Vec<String> = common::text_and_count(
                    &url,
                    &format!(
                        "SELECT fkey, blocked FROM functions WHERE deleted_at IS NULL \
                         AND has_violation = {} ORDER BY blocked DESC, fkey",
                        i64::from(violating)
                    ),
                )
                .await
                .into_iter()
                .map(|(key, _)| key)
                .collect();
                assert!(
                    keys.len() > 256,
                    "{label}: {} violating={violating}",
                    keys.len()
                );
                let filter = FunctionFilter {
                    has_violation: Some(violating),
                    ..FunctionFilter::default()
                };
                let last = keys.len() as u64;
                for (offset, limit) in [(256_u64, 20_u32), (270, 50), (last - 2, 50), (last, 5)] {
                    let page = fresh
                        .list_functions(&filter, Page::new(limit, offset))
                        .await
                        .unwrap();
                    let start = usize::try_from(offset).unwrap().min(keys.len());
                    let end = (start + usize::try_from(limit).unwrap()).min(keys.len());
                    let got: Vec<&str> = page.items.iter().map(|f| f.key.as_str()).collect();
                    assert_eq!(
                        got,
                        keys[start..end],
                        "{label}: violating={violating} {offset}+{limit}"
                    );
                    assert_eq!(page.total, i64::try_from(keys.len()).unwrap());
                }
            }
            // Each state list alone and narrowed to one severity or one rule family (marked
            // lists, marks.rs), and one narrowed by both (not marked: read by offset).
            let narrowed = [
                (FindingFilter::default(), "TRUE"),
                (
                    FindingFilter {
                        severities: vec![Severity::Critical],
                        ..FindingFilter::default()
                    },
                    "severity = 4",
                ),
                (
                    FindingFilter {
                        rule_prefix: Some("fg-dep".into()),
                        ..FindingFilter::default()
                    },
                    "family = 'FG-DEP'",
                ),
                (
                    FindingFilter {
                        severities: vec![Severity::Critical],
                        rule_prefix: Some("FG-DEP".into()),
                        ..FindingFilter::default()
                    },
                    "severity = 4 AND family = 'FG-DEP'",
                ),
            ];
            for (status, state) in [
                (Some(FindingStatus::Open), "open = 1"),
                (Some(FindingStatus::Fixed), "open = 0"),
                (None, "TRUE"),
            ] {
                for (narrow, narrow_sql) in &narrowed {
                    let ids: Vec<i64> = common::text_and_count(
                        &url,
                        &format!(
                            "SELECT CAST(id AS TEXT) AS sid, severity FROM findings \
                             WHERE {state} AND {narrow_sql} ORDER BY severity DESC, id DESC"
                        ),
                    )
                    .await
                    .into_iter()
                    .map(|(id, _)| id.parse().unwrap())
                    .collect();
                    let what = format!("{label}: findings {state} {narrow_sql}");
                    if narrow_sql == &"TRUE" {
                        assert!(ids.len() > 300, "{what}: {}", ids.len());
                    }
                    if status != Some(FindingStatus::Fixed) && !narrow_sql.contains(" AND ") {
                        assert!(
                            ids.len() > 256,
                            "{what}: {} (a list with a mark)",
                            ids.len()
                        );
                    }
                    let filter = FindingFilter {
                        status,
                        ..narrow.clone()
                    };
                    let last = u64::try_from(ids.len()).unwrap();
                    for (offset, limit) in [
                        (256_u64, 50_u32),
                        (300, 50),
                        (last.saturating_sub(3), 50),
                        (last, 50),
                        (last + 300, 5),
                    ] {
                        let page = fresh
                            .list_findings(&filter, Page::new(limit, offset))
                            .await
                            .unwrap();
                        let start = usize::try_from(offset).unwrap().min(ids.len());
                        let end = (start + usize::try_from(limit).unwrap()).min(ids.len());
                        let got: Vec<i64> = page.items.iter().map(|f| f.id).collect();
                        assert_eq!(got, ids[start..end], "{what} {offset}+{limit}");
                        assert_eq!(page.total, i64::try_from(ids.len()).unwrap(), "{what}");
                    }
                    for offset in (256..ids.len()).step_by(97) {
                        let page = fresh
                            .list_findings(&filter, Page::new(40, u64::try_from(offset).unwrap()))
                            .await
                            .unwrap();
                        let got: Vec<i64> = page.items.iter().map(|f| f.id).collect();
                        let end = (offset + 40).min(ids.len());
                        assert_eq!(got, ids[offset..end], "{what} at {offset}");
                    }
                }
            }
        }
    };
    let marks = |url: String| async move {
        common::text_and_count(
            &url,
            "SELECT 'functions ' || list, COUNT(*) FROM function_marks GROUP BY list \
             UNION ALL SELECT list, COUNT(*) FROM finding_marks GROUP BY list ORDER BY 1",
        )
        .await
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect::<Vec<_>>()
    };
    // (The marks exist, one per 256 rows: the pages above were read from them.)
    let counted = marks(url.clone()).await;
    let live = 700 - 120;
    assert!(
        counted.contains(&("functions all".to_owned(), (live - 1) / 256)),
        "{counted:?}"
    );
    for list in [
        "functions violating",
        "functions passing",
        "open/FG-DEP",
        "open/sev4",
        "all/FG-DEP",
        "all/sev4",
    ] {
        assert!(
            counted.iter().any(|(l, n)| l == list && *n > 0),
            "{list}: {counted:?}"
        );
    }
    check(s.clone(), "marked").await;

    // A new function and an unblock move every later mark.
    let mut more = fewer.clone();
    more.functions
        .extend(full.functions[500..501].iter().cloned());
    s.record_scan("cloud", &scope, &more, true).await.unwrap();
    assert!(
        s.take_block(&fewer.functions[2].id, "test")
            .await
            .unwrap()
            .is_some()
    );
    check(s.clone(), "after a scan and an unblock").await;

    // New outcomes move functions between the violating and passing lists.
    s.record_policy_results(scan.id, &outcomes(&|i| (i / 3) % 2 == 0))
        .await
        .unwrap();
    check(s.clone(), "after new policy outcomes").await;

    // Without marks the pages are read by offset; a reopen computes the marks again.
    let before = marks(url.clone()).await;
    common::execute(
        &url,
        "DELETE FROM function_marks; DELETE FROM finding_marks",
    )
    .await;
    check(s.clone(), "without marks").await;
    assert!(marks(url.clone()).await.is_empty());
    let reopened = db.reopen().await;
    assert_eq!(marks(url.clone()).await, before);
    check(reopened, "reopened").await;
}

/// The assurance view reads each listed function's latest outcome per policy in the page's
/// statement: the newest evaluation wins, any policy name survives (separators, non-ASCII),
/// functions never evaluated have none, and a deep page (from the marks) lists the same
/// functions as `list_functions`.
async fn assurance_rows_carry_the_latest_outcomes(db: TestDb) {
    use faasguard_store::testdata::{synthetic_report, synthetic_scope};
    let s = &db.store;
    let (account, region) = ("123456789012", "eu-west-1");
    let report = synthetic_report(account, region, 400, 1, 3);
    let scan = s
        .record_scan("cloud", &synthetic_scope(account, region), &report, true)
        .await
        .unwrap()
        .id;
    let keys: Vec<String> = report.functions.iter().map(|f| f.id.clone()).collect();
    let result = |policy: &str, key: &str, outcome: Outcome| PolicyResultInput {
        policy: policy.to_owned(),
        function_key: key.to_owned(),
        outcome,
        reasons: serde_json::json!([]),
        action: None,
    };
    let odd = "é:3:pass, ünïcode";
    for outcome in [Outcome::Violation, Outcome::Pass] {
        s.record_policy_results(
            scan,
            &[
                result("a", &keys[0], outcome),
                result(odd, &keys[0], Outcome::Excepted),
                result("a", &keys[1], Outcome::Violation),
                result("a", &keys[350], Outcome::OutOfScope),
            ],
        )
        .await
        .unwrap();
    }
    let expected = |key: &str| -> Vec<(String, Outcome)> {
        if key == keys[0] {
            vec![("a".into(), Outcome::Pass), (odd.into(), Outcome::Excepted)]
        } else if key == keys[1] {
            vec![("a".into(), Outcome::Violation)]
        } else if key == keys[350] {
            vec![("a".into(), Outcome::OutOfScope)]
        } else {
            vec![]
        }
    };
    let all = FunctionFilter::default();
    for page in [Page::new(50, 0), Page::new(60, 300), Page::new(10, 395)] {
        let listed = s.uncached().list_assurance(&all, page).await.unwrap();
        let functions = s.uncached().list_functions(&all, page).await.unwrap();
        assert_eq!(listed.total, functions.total);
        assert_eq!(listed.total, 400);
        let rows: Vec<_> = listed.items.iter().map(|o| o.function.clone()).collect();
        assert_eq!(rows, functions.items, "{page:?}");
        for o in &listed.items {
            let got: Vec<(String, Outcome)> = o.outcomes.clone().into_iter().collect();
            assert_eq!(got, expected(&o.function.key), "{}", o.function.key);
        }
    }
    let first = s.list_assurance(&all, Page::new(400, 0)).await.unwrap();
    let evaluated = first
        .items
        .iter()
        .filter(|o| !o.outcomes.is_empty())
        .count();
    assert_eq!(evaluated, 3);
}

/// The bundled SQLite is built with the options `.cargo/config.toml` passes to it
/// (`LIBSQLITE3_FLAGS`): no global allocation mutex, plans that do not depend on bound values
/// (no re-prepare on every `LIMIT ?`), and a version with `string_agg(… ORDER BY …)`.
#[tokio::test]
async fn bundled_sqlite_build() {
    use sqlx::{ConnectOptions, Row};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .in_memory(true)
        .connect()
        .await
        .unwrap();
    let options: Vec<String> = sqlx::query("PRAGMA compile_options")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>(0))
        .collect();
    for wanted in ["DEFAULT_MEMSTATUS=0", "ENABLE_QPSG"] {
        assert!(
            options.iter().any(|o| o == wanted),
            "{wanted} not in {options:?}"
        );
    }
    let joined: String = sqlx::query(
        "SELECT string_agg(CAST(x AS TEXT), ',' ORDER BY x DESC) FROM (SELECT 1 AS x UNION ALL SELECT 2)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
    .get(0);
    assert_eq!(joined, "2,1");
}

macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[doc = concat!("`", stringify!($case), "` on a SQLite file.")]
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(super::common::sqlite_db().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[doc = concat!("`", stringify!($case), "` on PostgreSQL.")]
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(super::common::postgres_db().await).await;
                }
            )*
        }
    };
}

on_both_backends!(
    migrations_are_idempotent,
    a_schema_8_store_upgrades_in_place,
    record_scan_keeps_history,
    incomplete_scan_does_not_mark_fixed,
    secrets_never_reach_the_store,
    tokens_are_hashed_verified_and_revoked,
    blocks_are_taken_once,
    audit_append_and_list,
    two_workers_never_claim_the_same_job,
    expired_lease_is_reclaimed,
    prune_keeps_history_and_audit,
    cancelled_scan_leaves_previous_state,
    dashboard_queries,
    scan_lifecycle,
    list_totals_follow_every_write,
    search_plans_keep_list_order,
    memoised_answers_follow_every_write,
    text_search_equals_a_substring_test,
    deep_pages_from_marks_equal_the_list_order,
    assurance_rows_carry_the_latest_outcomes,
);
