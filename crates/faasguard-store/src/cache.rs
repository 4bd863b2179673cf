//! Work memoised per store generation: the two dashboard answers whose cost grows with the
//! data rather than with the page (measured in BENCHMARKS.md, "Server API").
//!
//! - **Text search answers**: a search's total and the ids of its page. Computing them means
//!   probing the text index and, for a common term, walking the list; a hit reads the page's
//!   rows by id.
//! - **Deep-page positions**: where page *N* by offset starts, as a keyset cursor. Skipping
//!   thousands of index entries is what a deep offset page costs; with the position known it
//!   is a keyset page (an index range). Every deep page computed records where it starts and
//!   where the next one starts, so paging on stays on the fast path.
//!
//! Both are keyed on `store_generation` (migration 6), which every write that changes the
//! listed functions or findings advances in its own transaction (`totals.rs`). A reader reads
//! the generation first and then the data, so an answer is never filed under a generation
//! older than the data it came from, and a reader that sees a newer generation drops
//! everything memoised before it. Rows are always read from the database; only ids and keys
//! are memoised, at most [`MAX_ENTRIES`] of each kind per process.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::query::{FindingCursor, FunctionCursor};

/// Entries of each kind kept at most; the map starts over when full.
pub(crate) const MAX_ENTRIES: usize = 4096;

/// A memoised text search: its total and the ids of one page, in list order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SearchAnswer {
    pub total: i64,
    pub exact: bool,
    pub ids: Vec<i64>,
}

/// Where a deep page of a list starts: the key of the row before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Position {
    Function(FunctionCursor),
    Finding(FindingCursor),
}

#[derive(Debug, Default)]
struct Entries {
    generation: i64,
    searches: HashMap<String, SearchAnswer>,
    positions: HashMap<(String, u64), Position>,
}

/// The per-process memo shared by every clone of a [`crate::Store`].
#[derive(Debug, Default)]
pub(crate) struct ListCache {
    entries: Mutex<Entries>,
}

impl ListCache {
    /// The entries valid at `generation`, or `None` for a reader holding an older generation
    /// than the memo (it must neither read nor file answers).
    fn at(&self, generation: i64) -> Option<MutexGuard<'_, Entries>> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that
        // matters (each operation is one insert or one lookup): keep using them.
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if generation > entries.generation {
            entries.searches.clear();
            entries.positions.clear();
            entries.generation = generation;
        }
        (generation == entries.generation).then_some(entries)
    }

    pub(crate) fn search(&self, generation: i64, key: &str) -> Option<SearchAnswer> {
        self.at(generation)?.searches.get(key).cloned()
    }

    pub(crate) fn put_search(&self, generation: i64, key: String, answer: SearchAnswer) {
        if let Some(mut entries) = self.at(generation) {
            if entries.searches.len() >= MAX_ENTRIES {
                entries.searches.clear();
            }
            entries.searches.insert(key, answer);
        }
    }

    pub(crate) fn position(&self, generation: i64, list: &str, offset: u64) -> Option<Position> {
        self.at(generation)?
            .positions
            .get(&(list.to_owned(), offset))
            .cloned()
    }

    pub(crate) fn put_position(&self, generation: i64, list: &str, offset: u64, at: Position) {
        if let Some(mut entries) = self.at(generation) {
            if entries.positions.len() >= MAX_ENTRIES {
                entries.positions.clear();
            }
            entries.positions.insert((list.to_owned(), offset), at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(total: i64) -> SearchAnswer {
        SearchAnswer {
            total,
            exact: true,
            ids: vec![3, 2, 1],
        }
    }

    /// A newer generation drops what was memoised before it; an older one neither reads nor
    /// files anything.
    #[test]
    fn generations_invalidate() {
        let cache = ListCache::default();
        cache.put_search(1, "q".to_owned(), answer(3));
        assert_eq!(cache.search(1, "q"), Some(answer(3)));
        assert_eq!(cache.search(2, "q"), None, "generation 2 starts empty");
        cache.put_search(1, "q".to_owned(), answer(9));
        assert_eq!(cache.search(1, "q"), None, "a stale reader files nothing");
        assert_eq!(cache.search(2, "q"), None);
        cache.put_position(
            2,
            "functions",
            100,
            Position::Function(FunctionCursor {
                blocked: false,
                key: "k".to_owned(),
            }),
        );
        assert!(cache.position(2, "functions", 100).is_some());
        assert!(cache.position(2, "functions", 150).is_none());
        assert!(cache.position(3, "functions", 100).is_none());
    }

    /// The memo never holds more than MAX_ENTRIES of a kind.
    #[test]
    fn entries_are_bounded() {
        let cache = ListCache::default();
        for i in 0..(MAX_ENTRIES + 10) {
            cache.put_search(0, format!("q{i}"), answer(1));
        }
        let held = cache.at(0).map_or(0, |e| e.searches.len());
        assert!(held <= MAX_ENTRIES && held > 0, "{held}");
        assert!(cache.search(0, &format!("q{}", MAX_ENTRIES + 9)).is_some());
    }
}
