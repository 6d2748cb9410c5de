-- A schema change PROPOSED, not applied (not a migration: only the
-- benchmark applies this, to its private copy, with BENCH_PROPOSED=1; see
-- the notes in BENCHMARKS.md). The other change measured this way, the
-- status CHECKs as OR chains, became migration 005.
--
-- Three of the audit trail's four indexes: audit_query (the only reader of
-- audit_log) uses idx_audit_target for a whole target id and none of these
-- (EXPLAIN QUERY PLAN: SCAN audit_log, by id), yet every audit row (ten per
-- execution) updates them.
DROP INDEX IF EXISTS idx_audit_at;
DROP INDEX IF EXISTS idx_audit_actor;
DROP INDEX IF EXISTS idx_audit_action;
