-- List totals kept by the writers (measured with benches/server/run.sh at 10,000 functions and
-- 200,000 findings): a dashboard list's `total` is a sum over these few rows instead of a count
-- of thousands of index entries on every request. Both dialects. Recomputed in the same
-- transaction by every write that changes what they count (see totals.rs).

-- Findings per rule family, severity and state (was per severity and state).
DROP TABLE finding_totals;
CREATE TABLE finding_totals (
    family TEXT NOT NULL,
    severity BIGINT NOT NULL,
    open BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (family, severity, open)
);
INSERT INTO finding_totals (family, severity, open, n)
SELECT family, severity, open, COUNT(*) FROM findings GROUP BY family, severity, open;

-- Live (not deleted) functions per account, region and flags; a missing account or region is ''.
CREATE TABLE function_totals (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    has_violation BIGINT NOT NULL,
    blocked BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (account, region, has_violation, blocked)
);
INSERT INTO function_totals (account, region, has_violation, blocked, n)
SELECT COALESCE(account, ''), COALESCE(region, ''), has_violation, blocked, COUNT(*)
FROM functions WHERE deleted_at IS NULL
GROUP BY COALESCE(account, ''), COALESCE(region, ''), has_violation, blocked;
