-- SQLite gets an FTS5 trigram index in this version. PostgreSQL's substring search uses a
-- pg_trgm GIN index when the extension can be created (best effort at open, see schema.rs);
-- without it the search still works, by scanning.
SELECT 1;
