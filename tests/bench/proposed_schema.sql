-- Schema changes PROPOSED to the lead (not a migration: only the benchmark
-- applies this, to its private copy, with BENCH_PROPOSED=1; see the notes
-- in BENCHMARKS.md). Each is measured there.
--
-- 1. The status CHECK constraints of executions and steps as OR chains: an
--    `IN (list)` in a CHECK makes SQLite build an ephemeral B-tree of the
--    list for every row it checks (every INSERT, and every UPDATE that sets
--    status: about 30 per execution). Same constraint, same values.
--    (writable_schema is SQLite's documented way to change a CHECK
--    constraint in place; a migration would also bump schema_version.)
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (status IN (''pending'',''running'',''awaiting_input'',''completed'',''failed'',''skipped'',''cancelled''))',
    'CHECK (status = ''pending'' OR status = ''running'' OR status = ''awaiting_input'' OR status = ''completed'' OR status = ''failed'' OR status = ''skipped'' OR status = ''cancelled'')')
  WHERE type = 'table' AND name = 'workflow_step_executions';
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (status IN (''pending'',''running'',''awaiting_input'',''completed'',''failed'',''cancelled''))',
    'CHECK (status = ''pending'' OR status = ''running'' OR status = ''awaiting_input'' OR status = ''completed'' OR status = ''failed'' OR status = ''cancelled'')')
  WHERE type = 'table' AND name = 'workflow_executions';
PRAGMA writable_schema = OFF;
-- 2. The audit trail's four indexes: audit_query (the only reader of
--    audit_log) uses none of them (EXPLAIN QUERY PLAN: SCAN audit_log, by
--    id), yet every audit row (ten per execution) updates all four.
DROP INDEX IF EXISTS idx_audit_at;
DROP INDEX IF EXISTS idx_audit_actor;
DROP INDEX IF EXISTS idx_audit_action;
DROP INDEX IF EXISTS idx_audit_target;
