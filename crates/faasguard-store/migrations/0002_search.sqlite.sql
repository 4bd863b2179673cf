-- Substring search over findings (message, rule id, function key) through an FTS5 trigram
-- index: contentless (the text lives in `findings`), rowid = findings.id, kept in step by
-- triggers. PostgreSQL uses a pg_trgm index instead, created when available (see schema.rs).

CREATE VIRTUAL TABLE findings_search USING fts5 (body, content = '', contentless_delete = 1, tokenize = 'trigram');

INSERT INTO findings_search (rowid, body)
SELECT id, message || ' ' || rule_id || ' ' || COALESCE(function_key, '') FROM findings;

CREATE TRIGGER findings_search_insert AFTER INSERT ON findings BEGIN
    INSERT INTO findings_search (rowid, body)
    VALUES (new.id, new.message || ' ' || new.rule_id || ' ' || COALESCE(new.function_key, ''));
END;

CREATE TRIGGER findings_search_update AFTER UPDATE OF message, rule_id, function_key ON findings
WHEN old.message IS NOT new.message OR old.rule_id IS NOT new.rule_id
    OR old.function_key IS NOT new.function_key
BEGIN
    DELETE FROM findings_search WHERE rowid = old.id;
    INSERT INTO findings_search (rowid, body)
    VALUES (new.id, new.message || ' ' || new.rule_id || ' ' || COALESCE(new.function_key, ''));
END;

CREATE TRIGGER findings_search_delete AFTER DELETE ON findings BEGIN
    DELETE FROM findings_search WHERE rowid = old.id;
END;
