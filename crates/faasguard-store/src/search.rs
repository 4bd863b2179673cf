//! The findings text search through a word index (migration 7).
//!
//! A search is a case-insensitive substring of a finding's search text (`message`, rule id and
//! function key, joined by spaces). The trigram indexes (FTS5, pg_trgm) answer that for any
//! term, but a term made of common trigrams makes them read long posting lists and sort
//! them; the word index answers the usual terms with an index range instead.
//!
//! **Words.** A finding's words are the maximal runs of ASCII letters and digits of its search
//! text, lowercased ([`words`]). A run longer than [`MAX_WORD`] is filed as the empty word
//! ([`LONG`]): the key stays small, and such a finding is checked against its text.
//!
//! **A term's runs.** The term is cut the same way ([`runs`]). If a finding's text contains
//! the term, each run of the term lies in one of the finding's words, and how it lies there
//! follows from the term: a run with a separator on both sides in the term is a whole word, a
//! run at the term's start ends a word, one at its end starts a word, and a term that is one
//! run lies anywhere inside a word. So the findings filed under the vocabulary words a run
//! fits (plus the long-word ones) are a superset of the matches, in list order per word.
//!
//! **The plan** ([`Store::search_by_words`]):
//! 1. One query weighs up to [`MAX_RUNS`] runs: the vocabulary words each one fits (at most
//!    [`MAX_CANDIDATE_WORDS`]; a run that fits more, like a single letter, is not used), how
//!    many postings they have under the filter, counting to [`FEW`] + 1, and their document
//!    counts (findings per word, kept by the writers). The run with the fewest postings is
//!    used.
//! 2. At most [`FEW`] candidates: they are read (checked against the text unless the term is
//!    one run, where every candidate matches) and sorted here; the total is exact.
//! 3. More: for a one-run term, a word's document count less the findings the filter leaves
//!    out (from `finding_totals`) proves "more than 1,000" when it exceeds 1,000; else the
//!    words' postings are counted to 1,001, or, for a term of several runs, the checked
//!    candidates. With more than 1,000, the page is merged from each word's postings in list
//!    order (an index range each).
//!
//! Filters on a finding's state, severity and rule family are columns of the postings. Other
//! filters (function, scope, a rule id prefix) and terms without a usable run fall back to the
//! trigram plans in query.rs. Letters are compared case-insensitively for ASCII only.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::ingest::severity_to_i64;
use crate::query::{
    Arg, FINDING_COLUMNS, FindingFilter, FindingsPage, Page, SEARCH_COUNT_LIMIT, bind_args,
    finding_from_row, is_family,
};
use crate::rows::Cols;
use crate::{Backend, Store, StoreError, on_pool};

/// The longest word filed as itself; longer runs are filed as [`LONG`].
pub(crate) const MAX_WORD: usize = 100;

/// The word a finding with a run longer than [`MAX_WORD`] is filed under.
pub(crate) const LONG: &str = "";

/// A run that fits more vocabulary words than this is not used to find candidates.
pub(crate) const MAX_CANDIDATE_WORDS: usize = 64;

/// At most this many of a term's runs (the longest) are weighed.
const MAX_RUNS: usize = 4;

/// Runs are weighed by counting each one's postings to this + 1: enough to tell a rare run from
/// a common one without reading a thousand postings per run; this many or fewer are read.
const FEW: i64 = 100;

/// Postings (or words) per `INSERT` statement.
pub(crate) const INSERT_CHUNK: usize = 10_000;

/// A finding's search text, as the search and the trigram indexes see it.
pub(crate) fn search_text(message: &str, rule_id: &str, function_key: Option<&str>) -> String {
    format!("{message} {rule_id} {}", function_key.unwrap_or_default())
}

/// The distinct words of a search text.
pub(crate) fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|run| !run.is_empty())
        .map(|run| {
            if run.len() > MAX_WORD {
                LONG.to_owned()
            } else {
                run.to_ascii_lowercase()
            }
        })
        .collect()
}

/// One row of `finding_words`.
pub(crate) struct Posting {
    pub(crate) word: String,
    pub(crate) open: i64,
    pub(crate) severity: i64,
    pub(crate) finding_id: i64,
    pub(crate) family: String,
}

/// The postings of a finding with this search text.
pub(crate) fn postings(
    finding_id: i64,
    open: i64,
    severity: i64,
    family: &str,
    text: &str,
) -> impl Iterator<Item = Posting> {
    words(text).into_iter().map(move |word| Posting {
        word,
        open,
        severity,
        finding_id,
        family: family.to_owned(),
    })
}

/// Adds to the vocabulary's document counts from a JSON array of `[word, delta]` (`$1`),
/// filing new words. One JSON argument, not a placeholder per value: sqlx looks up each bound
/// placeholder's name with `sqlite3_bind_parameter_name`, a linear search, so a statement with
/// thousands of placeholders spent 85 % of an indexing run there.
pub(crate) fn count_words_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "INSERT INTO search_words (word, df) SELECT value ->> 0, value ->> 1 FROM json_each($1) WHERE true \
             ON CONFLICT (word) DO UPDATE SET df = search_words.df + excluded.df"
        }
        Backend::Postgres => {
            "INSERT INTO search_words (word, df) \
             SELECT value ->> 0, CAST(value ->> 1 AS BIGINT) FROM jsonb_array_elements($1::jsonb) AS e(value) \
             ON CONFLICT (word) DO UPDATE SET df = search_words.df + excluded.df"
        }
    }
}

/// Files postings from a JSON array of `[word, open, severity, finding_id, family]` (`$1`).
pub(crate) fn insert_postings_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "INSERT INTO finding_words (word, open, severity, finding_id, family) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each($1)"
        }
        Backend::Postgres => {
            "INSERT INTO finding_words (word, open, severity, finding_id, family) \
             SELECT value ->> 0, CAST(value ->> 1 AS BIGINT), CAST(value ->> 2 AS BIGINT), \
                    CAST(value ->> 3 AS BIGINT), value ->> 4 \
             FROM jsonb_array_elements($1::jsonb) AS e(value)"
        }
    }
}

/// Files `$postings` (a `&[Posting]`) of `$store` inside its write transaction `$tx` (an
/// `on_pool!` body returning `sqlx::Error`), after `$removed` (the words of postings the
/// caller deleted, one entry per posting): the vocabulary's document counts, then the
/// postings, [`INSERT_CHUNK`] to a statement.
macro_rules! file_postings {
    ($store:expr, $tx:expr, $postings:expr, $removed:expr) => {{
        let postings: &[$crate::search::Posting] = $postings;
        let removed: &[String] = $removed;
        let mut deltas: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
        for p in postings {
            *deltas.entry(p.word.as_str()).or_default() += 1;
        }
        for word in removed {
            *deltas.entry(word.as_str()).or_default() -= 1;
        }
        let deltas: Vec<serde_json::Value> = deltas
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|(word, n)| serde_json::json!([word, n]))
            .collect();
        for chunk in deltas.chunks($crate::search::INSERT_CHUNK) {
            sqlx::query($crate::search::count_words_sql($store.backend()))
                .bind(serde_json::Value::Array(chunk.to_vec()).to_string())
                .execute(&mut *$tx)
                .await?;
        }
        for chunk in postings.chunks($crate::search::INSERT_CHUNK) {
            let rows: Vec<serde_json::Value> = chunk
                .iter()
                .map(|p| serde_json::json!([p.word, p.open, p.severity, p.finding_id, p.family]))
                .collect();
            sqlx::query($crate::search::insert_postings_sql($store.backend()))
                .bind(serde_json::Value::Array(rows).to_string())
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use file_postings;

/// Files the findings recorded before migration 7 (a store whose findings have no postings),
/// in one transaction at open. PostgreSQL: under the totals lock, so that two processes
/// opening the store at once index it once.
pub(crate) async fn backfill(store: &Store) -> Result<(), StoreError> {
    const NEEDED: &str = "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM findings) \
         AND NOT EXISTS (SELECT 1 FROM finding_words) THEN 1 ELSE 0 END AS BIGINT) AS n";
    on_pool!(store, pool => {
        if sqlx::query(NEEDED).fetch_one(pool).await?.int("n")? == 0 {
            return Ok(());
        }
        let mut tx = pool.begin_with(store.begin_write_sql()).await?;
        if store.backend() == Backend::Postgres {
            sqlx::query(crate::totals::PG_TOTALS_LOCK).execute(&mut *tx).await?;
        }
        if sqlx::query(NEEDED).fetch_one(&mut *tx).await?.int("n")? == 1 {
            let mut after = i64::MIN;
            loop {
                let rows = sqlx::query(
                    "SELECT id, open, severity, family, message, rule_id, function_key FROM findings \
                     WHERE id > $1 ORDER BY id LIMIT 5000",
                )
                .bind(after)
                .fetch_all(&mut *tx)
                .await?;
                let Some(last) = rows.last() else { break };
                after = last.int("id")?;
                let mut filed = Vec::new();
                for row in &rows {
                    let text = search_text(
                        &row.text("message")?,
                        &row.text("rule_id")?,
                        row.opt_text("function_key")?.as_deref(),
                    );
                    filed.extend(postings(
                        row.int("id")?,
                        row.int("open")?,
                        row.int("severity")?,
                        &row.text("family")?,
                        &text,
                    ));
                }
                file_postings!(store, tx, &filed, &[]);
            }
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })
    .map_err(store.err("index findings for search"))
}

/// How a run of a search term lies in a word of a matching finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Separators on both sides in the term: the whole word.
    Whole,
    /// At the term's end only: the word starts with it.
    Prefix,
    /// At the term's start only: the word ends with it.
    Suffix,
    /// The term is this run: anywhere in the word.
    Inside,
}

/// A run of ASCII letters and digits of a search term, lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    pub(crate) text: String,
    pub(crate) fit: Fit,
}

/// The runs of a search term, in order.
pub(crate) fn runs(term: &str) -> Vec<Run> {
    let bytes = term.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            i += 1;
            continue;
        }
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            i += 1;
        }
        // ASCII bytes never occur inside a multi-byte character: both ends are boundaries.
        let Some(text) = term.get(start..i) else {
            continue;
        };
        let fit = match (start == 0, i == bytes.len()) {
            (false, false) => Fit::Whole,
            (false, true) => Fit::Prefix,
            (true, false) => Fit::Suffix,
            (true, true) => Fit::Inside,
        };
        out.push(Run {
            text: text.to_ascii_lowercase(),
            fit,
        });
    }
    out
}

/// SQL text with numbered placeholders, built left to right.
///
/// On PostgreSQL every value is bound as `(SELECT $n)`: the planner then cannot see it, so the
/// plan it makes does not depend on it and, after its first five executions, PostgreSQL keeps
/// one generic plan per statement instead of planning each search again (planning was the
/// larger part of a search: 0.1–0.3 ms a statement). The plans are index ranges either way.
struct Sql {
    text: String,
    args: Vec<Arg>,
    hide_values: bool,
}

impl Sql {
    fn new(backend: Backend) -> Sql {
        Sql {
            text: String::new(),
            args: Vec::new(),
            hide_values: backend == Backend::Postgres,
        }
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `arg`.
    fn bind(&mut self, arg: Arg) {
        self.args.push(arg);
        let n = self.args.len();
        if self.hide_values {
            let _ = write!(self.text, "(SELECT ${n})");
        } else {
            let _ = write!(self.text, "${n}");
        }
    }
}

/// The part of a findings filter the postings can answer.
struct PostingFilter {
    /// The `open` values listed: `[1]`, `[0]` or both.
    opens: Vec<i64>,
    severities: Vec<i64>,
    min_severity: Option<i64>,
    family: Option<String>,
}

impl PostingFilter {
    /// `None` when `filter` has a condition the postings cannot answer.
    fn of(filter: &FindingFilter) -> Option<PostingFilter> {
        let family = match filter.rule_prefix.as_deref().map(str::to_ascii_uppercase) {
            None => None,
            Some(p) if is_family(&p) => Some(p),
            Some(_) => return None,
        };
        if filter.function_key.is_some() || filter.scope.is_some() || filter.after.is_some() {
            return None;
        }
        Some(PostingFilter {
            opens: match filter.status {
                Some(crate::query::FindingStatus::Open) => vec![1],
                Some(crate::query::FindingStatus::Fixed) => vec![0],
                None => vec![1, 0],
            },
            severities: filter
                .severities
                .iter()
                .map(|s| severity_to_i64(*s))
                .collect(),
            min_severity: filter.min_severity.map(severity_to_i64),
            family,
        })
    }

    /// ` AND …` over the postings `p`, for every state listed (`open` must then be bound by
    /// the caller when `with_open` is false).
    fn push(&self, sql: &mut Sql, with_open: bool) {
        self.push_on(sql, with_open, "p.");
    }

    /// [`PostingFilter::push`] on the columns of `table` (`p.`, or `` for `finding_totals`).
    fn push_on(&self, sql: &mut Sql, with_open: bool, table: &str) {
        if with_open {
            let _ = write!(sql.text, " AND {table}open IN (");
            for (i, open) in self.opens.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(Arg::Int(*open));
            }
            sql.push(")");
        }
        if !self.severities.is_empty() {
            let _ = write!(sql.text, " AND {table}severity IN (");
            for (i, s) in self.severities.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(Arg::Int(*s));
            }
            sql.push(")");
        }
        if let Some(s) = self.min_severity {
            let _ = write!(sql.text, " AND {table}severity >= ");
            sql.bind(Arg::Int(s));
        }
        if let Some(family) = &self.family {
            let _ = write!(sql.text, " AND {table}family = ");
            sql.bind(Arg::Text(family.clone()));
        }
    }
}

/// Whether finding a run's words reads the whole vocabulary: a word ending with or containing
/// fewer than three characters has no trigram to look up (a whole word or a prefix is a key
/// range).
fn scans_vocabulary(run: &Run) -> bool {
    matches!(run.fit, Fit::Suffix | Fit::Inside) && run.text.len() < 3
}

/// The least string above every string that starts with `prefix` (ASCII letters and digits,
/// bytewise).
fn successor(prefix: &str) -> String {
    let mut bytes = prefix.as_bytes().to_vec();
    if let Some(last) = bytes.last_mut() {
        *last = last.saturating_add(1);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Appends the vocabulary words `run` fits (at most [`MAX_CANDIDATE_WORDS`] + 1) as a
/// `SELECT word …`.
fn push_fits(sql: &mut Sql, backend: Backend, run: &Run) {
    let (any, op) = match backend {
        Backend::Sqlite => ('*', "GLOB"),
        Backend::Postgres => ('%', "LIKE"),
    };
    // Runs are ASCII letters and digits: no pattern or query syntax to escape.
    let text = &run.text;
    let pattern = match run.fit {
        Fit::Whole => text.clone(),
        Fit::Prefix => format!("{text}{any}"),
        Fit::Suffix => format!("{any}{text}"),
        Fit::Inside => format!("{any}{text}{any}"),
    };
    sql.push("SELECT word FROM search_words WHERE ");
    if backend == Backend::Sqlite && matches!(run.fit, Fit::Suffix | Fit::Inside) && text.len() >= 3
    {
        // Through the trigram index of the vocabulary (PostgreSQL's LIKE uses pg_trgm).
        sql.push("id IN (SELECT rowid FROM search_words_trigram WHERE search_words_trigram MATCH ");
        sql.bind(Arg::Text(format!("\"{text}\"")));
        sql.push(") AND ");
    }
    if run.fit == Fit::Whole {
        sql.push("word = ");
        sql.bind(Arg::Text(pattern));
    } else if run.fit == Fit::Prefix && backend == Backend::Postgres {
        // A key range (bytewise: COLLATE "C"), which a hidden LIKE pattern would not give.
        sql.push("word >= ");
        sql.bind(Arg::Text(text.clone()));
        sql.push(" AND word < ");
        sql.bind(Arg::Text(successor(text)));
    } else {
        let _ = write!(sql.text, "word {op} ");
        sql.bind(Arg::Text(pattern));
    }
    let _ = write!(
        sql.text,
        " AND word <> '' LIMIT {}",
        MAX_CANDIDATE_WORDS + 1
    );
}

/// What [`Store::weigh`] learns: per run, its words (joined by commas) and their postings under
/// the filter (counted to [`FEW`] + 1); the long words' postings, counted the same way; for a
/// one-run term, the largest document count among its words and how many findings the filter
/// leaves out.
struct Weights {
    runs: Vec<(Option<String>, i64)>,
    long_n: i64,
    /// One-run terms only: the largest document count among the run's words.
    df: i64,
    left_out: i64,
}

/// The candidates of the chosen run: its words, whether findings filed under [`LONG`] are
/// candidates too, and whether a candidate must be checked against the text.
struct Candidates {
    words: Vec<String>,
    long: bool,
    check: bool,
}

impl Store {
    /// The text check of a finding `f` against the term bound as `$term`.
    fn text_check(&self, term: usize) -> String {
        let find = match self.backend() {
            Backend::Sqlite => "instr",
            Backend::Postgres => "strpos",
        };
        format!(
            "{find}(lower(f.message || ' ' || f.rule_id || ' ' || COALESCE(f.function_key, '')), lower(${term})) > 0"
        )
    }

    /// `p.word IN (…)`.
    fn push_words(sql: &mut Sql, words: &[&str]) {
        sql.push("p.word IN (");
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(Arg::Text((*word).to_owned()));
        }
        sql.push(")");
    }

    /// A findings text search through the word index, or `None` when it cannot answer it (see
    /// the module documentation): the caller then uses the trigram plans.
    pub(crate) async fn search_by_words(
        &self,
        filter: &FindingFilter,
        term: &str,
        page: Page,
    ) -> Result<Option<FindingsPage>, StoreError> {
        let Some(pf) = PostingFilter::of(filter) else {
            return Ok(None);
        };
        let all_runs = runs(term);
        // The term is one run: every finding filed under a word it fits matches.
        let single = matches!(
            all_runs.as_slice(),
            [Run {
                fit: Fit::Inside,
                ..
            }]
        );
        // The longest runs, leaving out those that would scan the vocabulary if others remain.
        let mut weighed = all_runs;
        weighed.sort_by_key(|r| (scans_vocabulary(r), std::cmp::Reverse(r.text.len())));
        if weighed.iter().any(|r| !scans_vocabulary(r)) {
            weighed.retain(|r| !scans_vocabulary(r));
        }
        weighed.truncate(MAX_RUNS);
        if weighed.is_empty() {
            return Ok(None);
        }
        // Counting to FEW + 1 tells a rare run from a common one.
        let w = self.weigh(&weighed, &pf, single).await?;
        let best = weighed
            .iter()
            .zip(w.runs)
            .filter_map(|(run, (words, n))| {
                let words: Vec<String> = words
                    .unwrap_or_default()
                    .split(',')
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect();
                (run.text.len() > MAX_WORD || words.len() <= MAX_CANDIDATE_WORDS)
                    .then_some((words, n))
            })
            .min_by_key(|(_, n)| *n);
        let Some((words, n)) = best else {
            return Ok(None);
        };
        let long_n = w.long_n;
        let c = Candidates {
            words,
            long: long_n > 0,
            check: !single,
        };
        if c.words.is_empty() && !c.long {
            return Ok(Some(FindingsPage {
                total: 0,
                total_exact: true,
                items: Vec::new(),
            }));
        }
        // 2. Few candidates (all counted): read them all.
        if n <= FEW && long_n <= FEW {
            return self
                .search_candidates(&c, &pf, term, None, page)
                .await
                .map(Some);
        }
        // 3. A one-run term with a word filed more than 1,000 times under the filter: more
        //    than 1,000. The word's document count less every finding the filter leaves out
        //    is a lower bound; when that does not decide, its postings are counted.
        let mut more = false;
        if single && !c.words.is_empty() {
            more = w.df.saturating_sub(w.left_out) > SEARCH_COUNT_LIMIT
                || self.most_filed(&c.words, &pf).await? > SEARCH_COUNT_LIMIT;
        }
        if !more {
            let found = self
                .search_candidates(&c, &pf, term, Some(SEARCH_COUNT_LIMIT + 1), page)
                .await?;
            if found.total_exact {
                return Ok(Some(found));
            }
        }
        self.search_walk(&c, &pf, term, page).await.map(Some)
    }

    /// Step 1 of [`Store::search_by_words`], in one query: for each run, the vocabulary words it
    /// fits (joined by commas; at most [`MAX_CANDIDATE_WORDS`] + 1) and their postings under the
    /// filter counted to [`FEW`] + 1; the postings of long words, counted the same way; and for
    /// a one-run term (`single`, one run weighed), the largest document count among its words
    /// and how many findings the filter leaves out (from `finding_totals`).
    async fn weigh(
        &self,
        weighed: &[Run],
        pf: &PostingFilter,
        single: bool,
    ) -> Result<Weights, StoreError> {
        let cap = FEW + 1;
        let mut sql = Sql::new(self.backend());
        // Each run's words once (MATERIALIZED: read by several subqueries).
        for (i, run) in weighed.iter().enumerate() {
            sql.push(if i == 0 { "WITH " } else { ", " });
            let _ = write!(sql.text, "w{i} AS MATERIALIZED (");
            push_fits(&mut sql, self.backend(), run);
            sql.push(")");
        }
        sql.push(" SELECT ");
        for i in 0..weighed.len() {
            let _ = write!(
                sql.text,
                "(SELECT string_agg(word, ',') FROM w{i}) AS words{i}, \
                 (SELECT COUNT(*) FROM (SELECT 1 FROM finding_words p WHERE p.word IN (SELECT word FROM w{i})"
            );
            pf.push(&mut sql, true);
            let _ = write!(sql.text, " LIMIT {cap}) x) AS n{i}, ");
        }
        sql.push("(SELECT COUNT(*) FROM (SELECT 1 FROM finding_words p WHERE p.word = ''");
        pf.push(&mut sql, true);
        let _ = write!(sql.text, " LIMIT {cap}) x) AS long_n");
        // A one-run term's lower bound (step 3); a term of several runs has no use for it.
        if single {
            sql.push(
                ", (SELECT MAX(df) FROM search_words WHERE word IN (SELECT word FROM w0)) AS df0, \
                 (SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM finding_totals) AS all_n, \
                 (SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM finding_totals WHERE 1 = 1",
            );
            pf.push_on(&mut sql, true, "");
            sql.push(") AS kept_n");
        }
        on_pool!(self, pool => {
            let row = bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql.text)), &sql.args)
                .fetch_one(pool)
                .await?;
            let mut runs = Vec::new();
            for i in 0..weighed.len() {
                runs.push((row.opt_text(&format!("words{i}"))?, row.int(&format!("n{i}"))?));
            }
            let (df, left_out) = if single {
                (row.opt_int("df0")?.unwrap_or(0), row.int("all_n")? - row.int("kept_n")?)
            } else {
                (0, 0)
            };
            Ok::<_, sqlx::Error>(Weights {
                runs,
                long_n: row.int("long_n")?,
                df,
                left_out,
            })
        })
        .map_err(self.err("list findings"))
    }

    /// The most postings one of `words` has under the filter, counting to 1,001 at most.
    async fn most_filed(&self, words: &[String], pf: &PostingFilter) -> Result<i64, StoreError> {
        let mut sql = Sql::new(self.backend());
        sql.push("SELECT MAX(n) AS n FROM (");
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                sql.push(" UNION ALL ");
            }
            sql.push("SELECT COUNT(*) AS n FROM (SELECT 1 FROM finding_words p WHERE p.word = ");
            sql.bind(Arg::Text(word.clone()));
            pf.push(&mut sql, true);
            let _ = write!(sql.text, " LIMIT {}) x{i}", SEARCH_COUNT_LIMIT + 1);
        }
        sql.push(") counts");
        self.count(sql.text, &sql.args, "list findings").await
    }

    /// The matching candidates, counted (to `cap` at most), and the page among them: exact
    /// when fewer than `cap` match.
    async fn search_candidates(
        &self,
        c: &Candidates,
        pf: &PostingFilter,
        term: &str,
        cap: Option<i64>,
        page: Page,
    ) -> Result<FindingsPage, StoreError> {
        // Candidates that match for sure come from the postings alone; the others are findings
        // whose text is checked: joined when they are filed under one word, else through an IN
        // subquery (a finding under two words is read once).
        let all: Vec<&str> = c
            .words
            .iter()
            .map(String::as_str)
            .chain(c.long.then_some(LONG))
            .collect();
        let (sure, checked): (Vec<&str>, Vec<&str>) = if c.check {
            (Vec::new(), all)
        } else {
            all.into_iter().partition(|w| *w != LONG)
        };
        let mut sql = Sql::new(self.backend());
        sql.push(
            "SELECT COUNT(*) AS n, string_agg(CAST(id AS TEXT), ',' ORDER BY severity DESC, id DESC) AS ids \
             FROM (SELECT id, severity FROM (",
        );
        if !sure.is_empty() {
            sql.push(
                "SELECT DISTINCT p.finding_id AS id, p.severity AS severity FROM finding_words p WHERE ",
            );
            Self::push_words(&mut sql, &sure);
            pf.push(&mut sql, true);
        }
        if !checked.is_empty() {
            if !sure.is_empty() {
                sql.push(" UNION ");
            }
            if let [word] = checked.as_slice() {
                sql.push(
                    "SELECT f.id AS id, f.severity AS severity FROM finding_words p \
                     JOIN findings f ON f.id = p.finding_id WHERE p.word = ",
                );
                sql.bind(Arg::Text((*word).to_owned()));
            } else {
                sql.push(
                    "SELECT f.id AS id, f.severity AS severity FROM findings f WHERE f.id IN \
                     (SELECT p.finding_id FROM finding_words p WHERE ",
                );
                Self::push_words(&mut sql, &checked);
            }
            pf.push(&mut sql, true);
            sql.args.push(Arg::Text(term.to_owned()));
            if checked.len() > 1 {
                sql.push(")");
            }
            let _ = write!(sql.text, " AND {}", self.text_check(sql.args.len()));
        }
        sql.push(") d");
        if let Some(cap) = cap {
            let _ = write!(sql.text, " LIMIT {cap}");
        }
        sql.push(") m");
        // The count and the ids in list order come back as one row; on PostgreSQL, reading the
        // page's rows in the same statement cost more to plan than a second query.
        let (counted, ids) = on_pool!(self, pool => {
            let row = bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql.text)), &sql.args)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((row.int("n")?, row.opt_text("ids")?.unwrap_or_default()))
        })
        .map_err(self.err("list findings"))?;
        let exact = cap.is_none_or(|cap| counted < cap);
        Ok(FindingsPage {
            total: if exact { counted } else { SEARCH_COUNT_LIMIT },
            total_exact: exact,
            items: if exact {
                self.page_of_ids(&ids, page).await?
            } else {
                Vec::new()
            },
        })
    }

    /// A page of a search with more than 1,000 matches: each candidate word's postings in list
    /// order (per state), as far as the page reaches, merged.
    async fn search_walk(
        &self,
        c: &Candidates,
        pf: &PostingFilter,
        term: &str,
        page: Page,
    ) -> Result<FindingsPage, StoreError> {
        let reach = page.offset_i64().saturating_add(page.limit_i64());
        let mut sql = Sql::new(self.backend());
        let t = if c.check || c.long {
            sql.args.push(Arg::Text(term.to_owned()));
            Some(1)
        } else {
            None
        };
        // The page's rows in the same query: the merged walks give the ids, then their rows.
        let _ = write!(
            sql.text,
            "SELECT {FINDING_COLUMNS} FROM findings WHERE id IN (SELECT id FROM ("
        );
        let mut first = true;
        for word in c
            .words
            .iter()
            .map(String::as_str)
            .chain(c.long.then_some(LONG))
        {
            for open in &pf.opens {
                if !first {
                    sql.push(" UNION ");
                }
                first = false;
                sql.push(
                    "SELECT * FROM (SELECT p.finding_id AS id, p.severity AS severity FROM finding_words p \
                     WHERE p.word = ",
                );
                sql.bind(Arg::Text(word.to_owned()));
                sql.push(" AND p.open = ");
                sql.bind(Arg::Int(*open));
                pf.push(&mut sql, false);
                if let Some(t) = t.filter(|_| c.check || word == LONG) {
                    let _ = write!(
                        sql.text,
                        " AND EXISTS (SELECT 1 FROM findings f WHERE f.id = p.finding_id AND {})",
                        self.text_check(t)
                    );
                }
                let _ = write!(
                    sql.text,
                    " ORDER BY p.severity DESC, p.finding_id DESC LIMIT {reach}) l"
                );
            }
        }
        let _ = write!(
            sql.text,
            ") u ORDER BY severity DESC, id DESC LIMIT {} OFFSET {}) ORDER BY severity DESC, id DESC",
            page.limit_i64(),
            page.offset_i64()
        );
        let items = on_pool!(self, pool => {
            bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql.text)), &sql.args)
                .fetch_all(pool)
                .await?
                .iter()
                .map(finding_from_row)
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })
        .map_err(self.err("list findings"))?;
        Ok(FindingsPage {
            total: SEARCH_COUNT_LIMIT,
            total_exact: false,
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words are lowercased ASCII letter-and-digit runs; anything else separates them.
    #[test]
    fn words_of_a_text() {
        let text = search_text(
            "Lambda role allows iam:PassRole on * (naïve)",
            "FG-IAM-003",
            Some("123456789012/eu-west-1/fn-00042"),
        );
        let got: Vec<String> = words(&text).into_iter().collect();
        let want = [
            "00042",
            "003",
            "1",
            "123456789012",
            "allows",
            "eu",
            "fg",
            "fn",
            "iam",
            "lambda",
            "na",
            "on",
            "passrole",
            "role",
            "ve",
            "west",
        ];
        assert_eq!(got, want);
        let long = "a".repeat(MAX_WORD + 1);
        let got = words(&format!("x {long} y"));
        assert!(got.contains(LONG) && got.contains("x") && got.len() == 3);
        assert!(words(&"a".repeat(MAX_WORD)).contains(&"a".repeat(MAX_WORD)));
    }

    /// A term's runs and how each must lie in a matching finding's word.
    #[test]
    fn runs_of_a_term() {
        let fits = |term: &str| -> Vec<(String, Fit)> {
            runs(term).into_iter().map(|r| (r.text, r.fit)).collect()
        };
        assert_eq!(fits("Handler"), [("handler".to_owned(), Fit::Inside)]);
        assert_eq!(
            fits("GHSA-0042-0005"),
            [
                ("ghsa".to_owned(), Fit::Suffix),
                ("0042".to_owned(), Fit::Whole),
                ("0005".to_owned(), Fit::Prefix)
            ]
        );
        assert_eq!(
            fits("/fn-000"),
            [
                ("fn".to_owned(), Fit::Whole),
                ("000".to_owned(), Fit::Prefix)
            ]
        );
        assert_eq!(
            fits("ld_process.ex "),
            [
                ("ld".to_owned(), Fit::Suffix),
                ("process".to_owned(), Fit::Whole),
                ("ex".to_owned(), Fit::Whole)
            ]
        );
        assert_eq!(fits("é-x"), [("x".to_owned(), Fit::Prefix)]);
        assert!(fits("*").is_empty() && fits("").is_empty() && fits("ü").is_empty());
    }

    /// A prefix's key range ends at its successor: every word starting with it sorts between.
    #[test]
    fn prefix_ranges() {
        assert_eq!(successor("fn"), "fo");
        assert_eq!(successor("abz"), "ab{");
        assert_eq!(successor("009"), "00:");
        for word in ["fn", "fn0", "fnzzzz", "fn99"] {
            assert!(word >= "fn" && word < successor("fn").as_str(), "{word}");
        }
        assert!("fo" >= successor("fn").as_str() && "fm9" < "fn");
    }
}
