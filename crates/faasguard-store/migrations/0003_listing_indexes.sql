-- Indexes for the dashboard lists at scale (measured with benches/server/run.sh: 10,000
-- functions, 200,000 findings). Both dialects.
--
-- Live functions (the lists hide deleted ones): the count and the blocked-first order come
-- from these partial indexes instead of a scan of the wide `functions` rows.
CREATE INDEX functions_live ON functions (blocked DESC, fkey) WHERE deleted_at IS NULL;
CREATE INDEX functions_live_violation ON functions (has_violation, blocked DESC, fkey) WHERE deleted_at IS NULL;
CREATE INDEX functions_live_account ON functions (account, region, blocked DESC, fkey) WHERE deleted_at IS NULL;
-- A rule family's open findings (`rule=FG-DEP`): counted from the index, listed worst first.
CREATE INDEX findings_family_open ON findings (family, open, severity DESC, id DESC);
