-- List marks (see marks.rs): the sort key of every 256th row of the dashboard's unfiltered
-- lists, so that a deep page by offset starts from the mark before it instead of skipping
-- every earlier row. Recomputed by the writers, under the totals lock, in every transaction
-- that changes a list; filled at open for a store that has rows but no marks yet. Both
-- dialects.
CREATE TABLE function_marks (
    ordinal BIGINT PRIMARY KEY,
    blocked BIGINT NOT NULL,
    fkey TEXT NOT NULL
);
CREATE TABLE finding_marks (
    list TEXT NOT NULL,
    ordinal BIGINT NOT NULL,
    severity BIGINT NOT NULL,
    id BIGINT NOT NULL,
    PRIMARY KEY (list, ordinal)
);
