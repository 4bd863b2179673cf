-- The latest outcome of each policy for each function, kept by `record_policy_results` in the
-- same transaction: the assurance view reads a page's outcomes from here instead of ranking
-- every stored result of those functions (measured with benches/server/run.sh). Both dialects.
CREATE TABLE policy_latest (
    function_key TEXT NOT NULL,
    policy TEXT NOT NULL,
    outcome TEXT NOT NULL,
    evaluated_at BIGINT NOT NULL,
    result_id BIGINT NOT NULL,
    PRIMARY KEY (function_key, policy)
);
INSERT INTO policy_latest (function_key, policy, outcome, evaluated_at, result_id)
SELECT function_key, policy, outcome, evaluated_at, id FROM (
    SELECT function_key, policy, outcome, evaluated_at, id,
        ROW_NUMBER() OVER (PARTITION BY function_key, policy ORDER BY id DESC) AS rn
    FROM policy_results) ranked
WHERE rn = 1;
