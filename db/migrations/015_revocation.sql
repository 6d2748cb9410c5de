-- Access revocation (issue 12): executions that start at a date, steps
-- that wait on child executions, and the marks an offboarding leaves.
--
-- Executions may be 'scheduled' (they wait until next_run_at before their
-- current step starts); steps may be 'waiting' (a step that started child
-- executions waits until each of them is completed). SQLite cannot ALTER a
-- CHECK: as in 005 and 012, the tables' SQL is edited in sqlite_schema (the
-- new CHECKs accept every value the old ones did, so every stored row stays
-- valid), then the schema is reloaded (RESET here, the CREATE/DROP for other
-- connections). 005 wrote these CHECKs with exactly the text replaced here;
-- the temporary table makes the migration fail (and roll back) if a database
-- had another text, rather than leave the new statuses refused.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    'OR status = ''skipped'' OR status = ''cancelled'')',
    'OR status = ''skipped'' OR status = ''cancelled'' OR status = ''waiting'')')
  WHERE type = 'table' AND name = 'workflow_step_executions';
UPDATE sqlite_schema SET sql = replace(sql,
    'OR status = ''failed'' OR status = ''cancelled'')',
    'OR status = ''failed'' OR status = ''cancelled'' OR status = ''scheduled'')')
  WHERE type = 'table' AND name = 'workflow_executions';
PRAGMA writable_schema = RESET;
CREATE TEMP TABLE hy_revocation_check(ok INTEGER CHECK (ok = 2));
INSERT INTO hy_revocation_check
    SELECT count(*) FROM sqlite_schema WHERE type = 'table'
       AND ((name = 'workflow_step_executions' AND sql LIKE '%status = ''waiting''%')
         OR (name = 'workflow_executions' AND sql LIKE '%status = ''scheduled''%'));
DROP TABLE hy_revocation_check;
CREATE TABLE hy_schema_bump(x);
DROP TABLE hy_schema_bump;

-- A child execution names its parent (an organisation's offboarding starts
-- one revocation per person and waits for them). Plain id, no foreign key,
-- as the other references of executions that nothing deletes.
ALTER TABLE workflow_executions ADD COLUMN child_of TEXT;
CREATE INDEX idx_we_child_of ON workflow_executions(child_of) WHERE child_of IS NOT NULL;

-- Offboarded people and organisations are kept for the audit trail, marked
-- (and left out of pick lists, counts and new requests).
ALTER TABLE users ADD COLUMN offboarded_at TEXT;
ALTER TABLE organizations ADD COLUMN offboarded_at TEXT;

-- An organisation's external groups: a Slack user group disabled because
-- its last member left (the next onboarding enables it again and drops the
-- member Slack still lists), and groups archived by an offboarding.
ALTER TABLE system_groups ADD COLUMN disabled_at TEXT;
ALTER TABLE system_groups ADD COLUMN archived_at TEXT;
