-- Function marks per list (see marks.rs): `all` live functions, and the `violating` and
-- `passing` ones (the dashboard's violating filter), each blocked first, then by key. Marks are
-- derived data: the table is recreated empty and filled again when the store is opened.
-- Both dialects.
DROP TABLE function_marks;
CREATE TABLE function_marks (
    list TEXT NOT NULL,
    ordinal BIGINT NOT NULL,
    blocked BIGINT NOT NULL,
    fkey TEXT NOT NULL,
    PRIMARY KEY (list, ordinal)
);
