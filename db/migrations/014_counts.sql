-- Cheaper steps, measured in instructions per new_partner_user execution
-- (BENCHMARKS.md). Every execution writes about ten audit rows and four
-- grants; indexes nothing reads cost on each of them:
--  * three of the audit trail's four indexes: audit_query, the only reader
--    of audit_log, walks it by id and uses idx_audit_target for a target;
--    none of these (proposed since the engine benchmark, now made);
--  * grants by execution (nothing reads them so) and by who granted them
--    (only a user's deletion, rare: it nulls granted_by with a scan).
--    Grants by organisation stay indexed (offboarding and reconciliation
--    read them so; it costs 1% of an execution).
-- And the simulated Slack keeps its groups' member counts.
DROP INDEX IF EXISTS idx_audit_at;
DROP INDEX IF EXISTS idx_audit_actor;
DROP INDEX IF EXISTS idx_audit_action;
DROP INDEX IF EXISTS idx_access_grants_exec;
DROP INDEX IF EXISTS idx_access_grants_granted_by;
ALTER TABLE sim_groups ADD COLUMN members INTEGER NOT NULL DEFAULT 0;
UPDATE sim_groups SET members = (SELECT count(*) FROM sim_members m
    WHERE m.system = sim_groups.system AND m.group_id = sim_groups.group_id);

-- The grants' permission CHECK as an OR chain (as 005 did for statuses: an
-- IN list in a CHECK builds an ephemeral B-tree for every row checked, four
-- grants per execution). Same procedure as 005 and 012; the temporary table
-- makes the migration fail (and roll back) if 001's text was not found.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (permission IN (''read'',''write'',''admin''))',
    'CHECK (permission = ''read'' OR permission = ''write'' OR permission = ''admin'')')
  WHERE type = 'table' AND name = 'access_grants';
PRAGMA writable_schema = RESET;
CREATE TEMP TABLE hy_grants_check(ok INTEGER CHECK (ok = 1));
INSERT INTO hy_grants_check
    SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'access_grants'
        AND sql LIKE '%permission = ''read'' OR permission%';
DROP TABLE hy_grants_check;
CREATE TABLE hy_schema_bump(x);
DROP TABLE hy_schema_bump;
