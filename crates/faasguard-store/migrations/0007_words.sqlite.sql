-- Word index of the findings search (search.rs). A finding's words are the maximal runs of ASCII
-- letters and digits of `message || ' ' || rule_id || ' ' || COALESCE(function_key, '')`,
-- lowercased; a run longer than search.rs's MAX_WORD is filed as the empty word (such findings
-- are checked against the text instead). The writers (ingest.rs) tokenise and insert postings;
-- a finding's state columns follow it through the trigger below. Findings recorded before this
-- version are indexed at open (search::backfill), in one transaction.
--
-- `search_words` is the vocabulary (the words a search term can be part of); `finding_words` has
-- one row per (word, finding), keyed so that one word's matches are an index range in list order
-- (worst first, then newest first) per state.

-- `df`: how many findings are filed under the word, whatever their state (kept by the writers).
CREATE TABLE search_words (id INTEGER PRIMARY KEY, word TEXT NOT NULL UNIQUE, df BIGINT NOT NULL DEFAULT 0);

-- The words a term lies inside, found through trigrams (a scan of the vocabulary grows with it:
-- 2.4 ms at 50,000 words, against 0.02 ms through this index). Words are never removed.
CREATE VIRTUAL TABLE search_words_trigram USING fts5 (word, content = '', tokenize = 'trigram');

CREATE TRIGGER search_words_insert AFTER INSERT ON search_words BEGIN
    INSERT INTO search_words_trigram (rowid, word) VALUES (new.id, new.word);
END;

CREATE TABLE finding_words (
    word TEXT NOT NULL,
    open BIGINT NOT NULL,
    severity BIGINT NOT NULL,
    finding_id BIGINT NOT NULL,
    family TEXT NOT NULL,
    PRIMARY KEY (word, open, severity, finding_id)
) WITHOUT ROWID;

CREATE INDEX finding_words_finding ON finding_words (finding_id);

CREATE TRIGGER finding_words_state AFTER UPDATE OF open, severity, family ON findings
WHEN old.open IS NOT new.open OR old.severity IS NOT new.severity OR old.family IS NOT new.family
BEGIN
    UPDATE finding_words SET open = new.open, severity = new.severity, family = new.family
    WHERE finding_id = new.id;
END;
