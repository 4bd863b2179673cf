-- Word index of the findings search (search.rs). A finding's words are the maximal runs of ASCII
-- letters and digits of `message || ' ' || rule_id || ' ' || COALESCE(function_key, '')`,
-- lowercased; a run longer than search.rs's MAX_WORD is filed as the empty word (such findings
-- are checked against the text instead). The writers (ingest.rs) tokenise and insert postings;
-- a finding's state columns follow it through the trigger below. Findings recorded before this
-- version are indexed at open (search::backfill), in one transaction.
--
-- `search_words` is the vocabulary (the words a search term can be part of); `finding_words` has
-- one row per (word, finding), keyed so that one word's matches are an index range in list order
-- (worst first, then newest first) per state. Words compare bytewise (COLLATE "C"): prefix
-- ranges and LIKE 'word%' then use the B-tree whatever the database's locale.

-- `df`: how many findings are filed under the word, whatever their state (kept by the writers).
CREATE TABLE search_words (word TEXT COLLATE "C" PRIMARY KEY, df BIGINT NOT NULL DEFAULT 0);

CREATE TABLE finding_words (
    word TEXT COLLATE "C" NOT NULL,
    open BIGINT NOT NULL,
    severity BIGINT NOT NULL,
    finding_id BIGINT NOT NULL,
    family TEXT NOT NULL,
    PRIMARY KEY (word, open, severity, finding_id) INCLUDE (family)
);

CREATE INDEX finding_words_finding ON finding_words (finding_id);

CREATE FUNCTION finding_words_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE finding_words SET open = NEW.open, severity = NEW.severity, family = NEW.family
    WHERE finding_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER finding_words_state AFTER UPDATE OF open, severity, family ON findings
FOR EACH ROW
WHEN (OLD.open IS DISTINCT FROM NEW.open OR OLD.severity IS DISTINCT FROM NEW.severity
      OR OLD.family IS DISTINCT FROM NEW.family)
EXECUTE FUNCTION finding_words_state();
