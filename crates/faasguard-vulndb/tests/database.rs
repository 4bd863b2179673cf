//! The on-disk database: import from folders and zips, malformed records, atomic replacement,
//! and damaged files (clear errors, never a panic).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use faasguard_core::Location;
use faasguard_lockfile::{Ecosystem, Origin, Package, Scope};
use faasguard_vulndb::{Check, Database, DbError};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv")
}

fn pkg(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    Package {
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: faasguard_lockfile::purl(ecosystem, name, version),
        location: Location::file("package-lock.json"),
        scope: Scope::Prod,
        direct: None,
        origin: Origin::Lockfile,
    }
}

fn is_vulnerable(db: &Database, eco: Ecosystem, name: &str, version: &str) -> bool {
    matches!(db.check(&pkg(eco, name, version)), Check::Vulnerable(_))
}

/// Writes a zip of `(name, bytes)` entries.
fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// Malformed records (broken JSON, a record without an id, a wrong type) are reported with
/// their file and cause and skipped; the rest of the folder is imported. An unknown ecosystem
/// and an unknown severity type do not fail a record.
#[test]
fn malformed_records_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("npm")).unwrap();
    std::fs::copy(
        fixtures().join("npm/GHSA-5h4j-qrvg-9xhw.json"),
        src.join("npm/GHSA-5h4j-qrvg-9xhw.json"),
    )
    .unwrap();
    std::fs::write(
        src.join("npm/broken.json"),
        b"{\"id\": \"GHSA-x\", \"affected\": [",
    )
    .unwrap();
    std::fs::write(
        src.join("npm/no-id.json"),
        br#"{"modified": "2024-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    std::fs::write(
        src.join("npm/wrong-type.json"),
        br#"{"id": "X-1", "affected": 7}"#,
    )
    .unwrap();
    std::fs::write(
        src.join("npm/odd.json"),
        br#"{"id": "ODD-1", "aliases": null, "severity": [{"type": "UBUNTU", "score": "high"}],
            "affected": [
              {"package": {"ecosystem": "Debian:12", "name": "openssl"}},
              {"package": {"ecosystem": "npm", "name": "odd-pkg"},
               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]}
            ]}"#,
    )
    .unwrap();
    let dest = dir.path().join("db.fgdb");
    let report = Database::import(&[src], &dest).unwrap();
    assert_eq!(report.files, 5);
    assert_eq!(report.imported, 2);
    let mut bad: Vec<&str> = report
        .malformed
        .iter()
        .map(|m| Path::new(&m.file).file_name().unwrap().to_str().unwrap())
        .collect();
    bad.sort_unstable();
    assert_eq!(bad, vec!["broken.json", "no-id.json", "wrong-type.json"]);
    assert!(report.malformed.iter().all(|m| !m.cause.is_empty()));
    assert_eq!(report.skipped_ecosystems.get("Debian:12"), Some(&1));
    let db = Database::open(&dest).unwrap();
    assert!(is_vulnerable(&db, Ecosystem::Npm, "node-jose", "2.1.0"));
    assert!(is_vulnerable(&db, Ecosystem::Npm, "odd-pkg", "0.5.0"));
}

/// The official export shape, a zip of OSV records (`all.zip`), imports like a folder; a bad
/// entry inside the zip is reported as `zip!/entry`.
#[test]
fn zip_source() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("all.zip");
    let jose = std::fs::read(fixtures().join("npm/GHSA-5h4j-qrvg-9xhw.json")).unwrap();
    let pickle = std::fs::read(fixtures().join("PyPI/PYSEC-2020-49.json")).unwrap();
    write_zip(
        &zip_path,
        &[
            ("GHSA-5h4j-qrvg-9xhw.json", &jose),
            ("PYSEC-2020-49.json", &pickle),
            ("bad.json", b"not json"),
            ("README.txt", b"ignored"),
        ],
    );
    let dest = dir.path().join("db.fgdb");
    let report = Database::import(&[zip_path], &dest).unwrap();
    assert_eq!(report.imported, 2);
    assert_eq!(report.malformed.len(), 1);
    assert!(report.malformed[0].file.ends_with("all.zip!/bad.json"));
    let db = Database::open(&dest).unwrap();
    assert!(is_vulnerable(&db, Ecosystem::PyPI, "jsonpickle", "1.4.1"));
    assert!(is_vulnerable(&db, Ecosystem::Npm, "node-jose", "2.1.0"));
}

/// An import that fails halfway (the second source cannot be read: a missing folder, then a
/// corrupt zip) leaves the previous database in place and usable, and no temporary file.
#[test]
fn failed_import_keeps_the_old_database() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("db.fgdb");
    Database::import(&[fixtures().join("npm")], &dest).unwrap();
    let before = std::fs::read(&dest).unwrap();

    let missing = dir.path().join("does-not-exist");
    let err = Database::import(&[fixtures().join("PyPI"), missing], &dest).unwrap_err();
    assert!(matches!(err, DbError::Source { .. }), "{err}");

    let corrupt = dir.path().join("all.zip");
    std::fs::write(&corrupt, b"PK\x03\x04 this is not a zip").unwrap();
    let err = Database::import(&[fixtures().join("PyPI"), corrupt], &dest).unwrap_err();
    assert!(err.to_string().contains("all.zip"), "{err}");

    assert_eq!(std::fs::read(&dest).unwrap(), before);
    let db = Database::open(&dest).unwrap();
    assert!(is_vulnerable(&db, Ecosystem::Npm, "node-jose", "2.1.0"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".fgdb-import-"))
        .collect();
    assert!(leftovers.is_empty());
}

/// A successful import replaces the database: the new content is what opens afterwards.
#[test]
fn import_replaces_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("db.fgdb");
    Database::import(&[fixtures().join("npm")], &dest).unwrap();
    assert!(
        !Database::open(&dest)
            .unwrap()
            .status()
            .per_ecosystem
            .contains_key(&Ecosystem::PyPI)
    );
    Database::import(&[fixtures().join("PyPI")], &dest).unwrap();
    let db = Database::open(&dest).unwrap();
    assert!(db.status().per_ecosystem.contains_key(&Ecosystem::PyPI));
    assert!(!db.status().per_ecosystem.contains_key(&Ecosystem::Npm));
}

fn fixture_bytes() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("db.fgdb");
    Database::import(&[fixtures()], &dest).unwrap();
    std::fs::read(dest).unwrap()
}

/// A truncated file (cut in the body, in the index, inside the fixed header, or empty) is a
/// clear "corrupt" or "not a database" error at open, never a panic.
#[test]
fn truncated_database() {
    let bytes = fixture_bytes();
    let dir = tempfile::tempdir().unwrap();
    for cut in [bytes.len() - 1, bytes.len() / 2, 200, 40, 20, 0] {
        let path = dir.path().join(format!("cut-{cut}.fgdb"));
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let err = Database::open(&path).unwrap_err();
        assert!(
            matches!(err, DbError::Corrupt { .. } | DbError::NotADatabase { .. }),
            "cut at {cut}: {err}"
        );
        assert!(
            err.to_string().contains(&format!("cut-{cut}.fgdb")),
            "{err}"
        );
    }
}

/// Damaged bytes: a foreign file, a future format version, a flipped byte in the index (checksum)
/// and a flipped byte in a package's blob (that package is "not checked", the others still work).
#[test]
fn corrupt_database() {
    let bytes = fixture_bytes();
    let dir = tempfile::tempdir().unwrap();
    let open = |name: &str, b: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, b).unwrap();
        Database::open(&path)
    };
    assert!(matches!(
        open("json.fgdb", br#"{"id": "not a db"}"#),
        Err(DbError::NotADatabase { .. })
    ));
    let mut future = bytes.clone();
    future[8] = 99;
    assert!(matches!(
        open("future.fgdb", &future),
        Err(DbError::UnsupportedFormat { version: 99, .. })
    ));
    let mut index = bytes.clone();
    index[40] ^= 0xff;
    let err = open("index.fgdb", &index).unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");

    // Flip the last byte: it belongs to the last package's blob.
    let mut blob = bytes.clone();
    let last = blob.len() - 1;
    blob[last] ^= 0xff;
    let db = open("blob.fgdb", &blob).unwrap();
    let (eco, name) = db
        .packages()
        .last()
        .map(|(e, n)| (e, n.to_owned()))
        .unwrap();
    match db.check(&pkg(eco, &name, "0.0.1")) {
        Check::NotChecked(why) => assert!(why.contains("cannot be read"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(is_vulnerable(&db, Ecosystem::Npm, "node-jose", "2.1.0"));

    // The same damage through the in-memory reader.
    let err = Database::from_bytes(Cow::Owned(index), Path::new("mem")).unwrap_err();
    assert!(matches!(err, DbError::Corrupt { .. }));
}

/// Opening reads only the header and index; status carries counts, the newest `modified`, the
/// build time and the source.
#[test]
fn status_counts() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("db.fgdb");
    let report = Database::import(&[fixtures().join("npm")], &dest).unwrap();
    let db = Database::open(&dest).unwrap();
    let status = db.status();
    assert_eq!(status, &report.status);
    let npm = &status.per_ecosystem[&Ecosystem::Npm];
    assert!(npm.complete);
    assert!(npm.advisories >= 20);
    assert_eq!(
        npm.packages,
        db.packages().filter(|(e, _)| *e == Ecosystem::Npm).count()
    );
    assert!(
        npm.newest_modified
            .as_deref()
            .is_some_and(|m| m.starts_with("20"))
    );
    assert!(status.source.ends_with("osv/npm"));
    assert!(status.built_at_rfc3339().ends_with('Z'));
    assert_eq!(status.age_days(status.built_at + 3 * 86_400 + 5), 3);
}

/// A database can be shared across threads (the engine checks packages in parallel).
#[test]
fn database_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Database>();
    let db = Database::bundled().unwrap();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                assert!(matches!(
                    db.check(&pkg(Ecosystem::PyPI, "jsonpickle", "1.4.1")),
                    Check::Vulnerable(_)
                ));
            });
        }
    });
}

/// Every single-byte corruption of a small database (each position, two bit patterns) and
/// every truncation length either fails to open with an error or opens and answers every check
/// without panicking; a damaged package is never reported clean by mistake of a silent decode.
#[test]
fn every_byte_flip_is_handled() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("db.fgdb");
    Database::import(&[fixtures().join("npm/GHSA-5h4j-qrvg-9xhw.json")], &dest).unwrap();
    let bytes = std::fs::read(&dest).unwrap();
    let probe = pkg(Ecosystem::Npm, "node-jose", "2.1.0");
    for pos in 0..bytes.len() {
        for mask in [0x01u8, 0xff] {
            let mut b = bytes.clone();
            b[pos] ^= mask;
            if let Ok(db) = Database::from_bytes(Cow::Owned(b), Path::new("flip")) {
                // Either the blob is intact (the flip hit a field that does not matter) or
                // the package is not checked; never clean.
                assert_ne!(db.check(&probe), Check::Clean, "flip at {pos}");
            }
        }
    }
    for cut in 0..bytes.len() {
        let r = Database::from_bytes(Cow::Owned(bytes[..cut].to_vec()), Path::new("cut"));
        assert!(r.is_err(), "cut at {cut}");
    }
}
