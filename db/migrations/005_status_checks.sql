-- The status CHECK constraints of executions and steps as OR chains.
-- `status IN ('pending', ...)` in a CHECK makes SQLite build an ephemeral
-- B-tree of the list for every row it checks: every INSERT and every UPDATE
-- that sets status, about 25 per execution, 13% of an execution's
-- instructions (callgrind; BENCHMARKS.md). The OR chain accepts exactly the
-- same values and costs a few comparisons.
--
-- SQLite cannot ALTER a CHECK. This is its documented procedure for a
-- constraint change that leaves every stored row valid
-- (https://sqlite.org/lang_altertable.html#otheralter): edit the table's
-- SQL in sqlite_schema, then make connections read it again. RESET turns
-- writable_schema off and reloads this connection's schema; the CREATE/DROP
-- bumps schema_version, so other connections reload theirs. 002 wrote these
-- CHECKs with exactly the text replaced here.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (status IN (''pending'',''running'',''awaiting_input'',''completed'',''failed'',''skipped'',''cancelled''))',
    'CHECK (status = ''pending'' OR status = ''running'' OR status = ''awaiting_input'' OR status = ''completed''
                               OR status = ''failed'' OR status = ''skipped'' OR status = ''cancelled'')')
  WHERE type = 'table' AND name = 'workflow_step_executions';
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (status IN (''pending'',''running'',''awaiting_input'',''completed'',''failed'',''cancelled''))',
    'CHECK (status = ''pending'' OR status = ''running'' OR status = ''awaiting_input'' OR status = ''completed''
                               OR status = ''failed'' OR status = ''cancelled'')')
  WHERE type = 'table' AND name = 'workflow_executions';
PRAGMA writable_schema = RESET;
CREATE TABLE hy_schema_bump(x);
DROP TABLE hy_schema_bump;
