-- A counter that every write changing the listed functions or findings advances, in the
-- write's own transaction (next to the list totals, see totals.rs). Readers key what they
-- memoise on it: text search answers and deep-page positions (cache.rs); a new value means
-- "recompute". One row. Both dialects.
CREATE TABLE store_generation (
    id INTEGER PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO store_generation (id, n) VALUES (1, 0);
