//! What enforcement must remember: the blocks (with the reserved concurrency each replaced) and
//! the audit log of every action. [`Ledger`] is the interface; [`FileLedger`] keeps it in two
//! files for the CLI (a store-backed implementation belongs to faasguard-store).

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A function blocked by faasguard, with what unblocking must restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRecord {
    pub arn: String,
    /// The reserved concurrency before the block; `None` = there was none (unreserved).
    pub previous: Option<i32>,
    pub policy: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    pub actor: String,
}

/// One action, done or attempted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: `--actor`, else the caller's AWS identity ARN, else the local user.
    pub actor: String,
    /// `block`, `unblock`, `no-op`, `notify`, `notify-failed`, `block-failed`,
    /// `unblock-failed`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The function ARN.
    pub function: String,
    /// The notification channel, for notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Reserved concurrency before (`null` = unreserved), for block and unblock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    /// Reserved concurrency after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
    /// What happened, in words (the error for failures).
    pub detail: String,
}

/// Why the ledger could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a faasguard blocks file: {source}", path.display())]
    Corrupt {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{0}")]
    Other(String),
}

/// What enforcement persists. The CLI uses [`FileLedger`]; the server will implement it over
/// faasguard-store.
pub trait Ledger {
    /// The block recorded for `arn`, if any.
    fn block_of(&self, arn: &str) -> Result<Option<BlockRecord>, LedgerError>;
    /// Records a block. An existing record for the same ARN is kept (its `previous` is the
    /// value to restore), and `false` is returned.
    fn record_block(&mut self, record: &BlockRecord) -> Result<bool, LedgerError>;
    /// Removes and returns the block recorded for `arn` (for unblock).
    fn take_block(&mut self, arn: &str) -> Result<Option<BlockRecord>, LedgerError>;
    /// Appends one entry to the audit log, durably.
    fn append_audit(&mut self, entry: &AuditEntry) -> Result<(), LedgerError>;
}

/// The ledger as files in one directory: `blocks.json` (ARN → block record, rewritten
/// atomically: temporary file, fsync, rename) and `audit.jsonl` (one JSON object per line,
/// appended and fsynced). One process at a time: there is no cross-process lock.
#[derive(Debug, Clone)]
pub struct FileLedger {
    dir: PathBuf,
}

/// The blocks file's content.
#[derive(Debug, Default, Serialize, Deserialize)]
struct BlocksFile {
    faasguard_blocks: u32,
    blocks: BTreeMap<String, BlockRecord>,
}

impl FileLedger {
    /// A ledger in `dir` (created on the first write).
    pub fn new(dir: impl Into<PathBuf>) -> FileLedger {
        FileLedger { dir: dir.into() }
    }

    pub fn blocks_path(&self) -> PathBuf {
        self.dir.join("blocks.json")
    }

    pub fn audit_path(&self) -> PathBuf {
        self.dir.join("audit.jsonl")
    }

    fn read_blocks(&self) -> Result<BlocksFile, LedgerError> {
        let path = self.blocks_path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|source| LedgerError::Corrupt { path, source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BlocksFile {
                faasguard_blocks: 1,
                blocks: BTreeMap::new(),
            }),
            Err(source) => Err(LedgerError::Io {
                what: "read",
                path,
                source,
            }),
        }
    }

    fn write_blocks(&self, file: &BlocksFile) -> Result<(), LedgerError> {
        let path = self.blocks_path();
        let io = |what: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| LedgerError::Io { what, path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(io("create", &self.dir))?;
        let mut json =
            serde_json::to_vec_pretty(file).map_err(|e| LedgerError::Other(e.to_string()))?;
        json.push(b'\n');
        let tmp = self
            .dir
            .join(format!(".blocks.json.{}.tmp", std::process::id()));
        let written = (|| {
            let mut f = std::fs::File::create(&tmp).map_err(io("write", &tmp))?;
            f.write_all(&json).map_err(io("write", &tmp))?;
            f.sync_all().map_err(io("sync", &tmp))?;
            std::fs::rename(&tmp, &path).map_err(io("replace", &path))
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written?;
        // The rename is durable once the directory is synced (best effort: not every
        // filesystem lets a directory be opened for it).
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Every entry of the audit log, oldest first (for tests and `faasguard` tools).
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>, LedgerError> {
        let path = self.audit_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(LedgerError::Io {
                    what: "read",
                    path,
                    source,
                });
            }
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l).map_err(|source| LedgerError::Corrupt {
                    path: path.clone(),
                    source,
                })
            })
            .collect()
    }
}

impl Ledger for FileLedger {
    fn block_of(&self, arn: &str) -> Result<Option<BlockRecord>, LedgerError> {
        Ok(self.read_blocks()?.blocks.remove(arn))
    }

    fn record_block(&mut self, record: &BlockRecord) -> Result<bool, LedgerError> {
        let mut file = self.read_blocks()?;
        if file.blocks.contains_key(&record.arn) {
            return Ok(false);
        }
        file.blocks.insert(record.arn.clone(), record.clone());
        self.write_blocks(&file)?;
        Ok(true)
    }

    fn take_block(&mut self, arn: &str) -> Result<Option<BlockRecord>, LedgerError> {
        let mut file = self.read_blocks()?;
        let taken = file.blocks.remove(arn);
        if taken.is_some() {
            self.write_blocks(&file)?;
        }
        Ok(taken)
    }

    fn append_audit(&mut self, entry: &AuditEntry) -> Result<(), LedgerError> {
        let path = self.audit_path();
        std::fs::create_dir_all(&self.dir).map_err(|source| LedgerError::Io {
            what: "create",
            path: self.dir.clone(),
            source,
        })?;
        let mut line = serde_json::to_vec(entry).map_err(|e| LedgerError::Other(e.to_string()))?;
        line.push(b'\n');
        let io = |source| LedgerError::Io {
            what: "append to",
            path: path.clone(),
            source,
        };
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io)?;
        // One write call per line: with O_APPEND, lines of concurrent writers do not interleave.
        f.write_all(&line).map_err(io)?;
        f.sync_all().map_err(io)
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn record(arn: &str, previous: Option<i32>) -> BlockRecord {
        BlockRecord {
            arn: arn.to_owned(),
            previous,
            policy: "p".to_owned(),
            at: "2026-11-24T00:00:00Z".to_owned(),
            actor: "tester".to_owned(),
        }
    }

    /// A block is recorded once: a second block of the same function keeps the first
    /// previous value; taking it removes it; the file survives a reopen.
    #[test]
    fn blocks_are_kept_once_and_taken_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = FileLedger::new(dir.path().join("state"));
        assert!(ledger.record_block(&record("arn:a", Some(7))).unwrap());
        assert!(!ledger.record_block(&record("arn:a", Some(0))).unwrap());
        let reopened = FileLedger::new(dir.path().join("state"));
        assert_eq!(
            reopened.block_of("arn:a").unwrap().unwrap().previous,
            Some(7)
        );
        assert_eq!(
            ledger.take_block("arn:a").unwrap().unwrap().previous,
            Some(7)
        );
        assert_eq!(ledger.take_block("arn:a").unwrap(), None);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("state"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            leftovers,
            vec!["blocks.json".to_owned()],
            "no temporary file is left"
        );
    }

    /// Audit entries are appended as JSON lines and read back in order; a corrupt blocks file
    /// is an error naming it, not a panic or an empty ledger.
    #[test]
    fn audit_lines_and_corrupt_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = FileLedger::new(dir.path());
        for action in ["block", "no-op"] {
            ledger
                .append_audit(&AuditEntry {
                    at: "2026-11-24T00:00:00Z".into(),
                    actor: "tester".into(),
                    action: action.into(),
                    policy: Some("p".into()),
                    function: "arn:a".into(),
                    channel: None,
                    before: Some(serde_json::Value::Null),
                    after: Some(serde_json::json!(0)),
                    detail: String::new(),
                })
                .unwrap();
        }
        let entries = ledger.audit_entries().unwrap();
        assert_eq!(
            entries
                .iter()
                .map(|e| e.action.as_str())
                .collect::<Vec<_>>(),
            ["block", "no-op"]
        );
        let text = std::fs::read_to_string(ledger.audit_path()).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(
            text.lines()
                .next()
                .unwrap()
                .contains(r#""before":null,"after":0"#)
        );

        std::fs::write(ledger.blocks_path(), "{not json").unwrap();
        let err = ledger.block_of("arn:a").unwrap_err().to_string();
        assert!(
            err.contains("blocks.json is not a faasguard blocks file"),
            "{err}"
        );
    }
}
