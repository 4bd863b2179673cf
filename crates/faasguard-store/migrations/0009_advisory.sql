-- The advisory a dependency finding reports (GHSA-…, PYSEC-…, RUSTSEC-…), next to its package
-- and versions, so the dashboard lists it in its own column. NULL for other findings, and for
-- dependency findings stored before this column until their next scan sees them again. Both
-- dialects.
ALTER TABLE findings ADD COLUMN advisory TEXT;
