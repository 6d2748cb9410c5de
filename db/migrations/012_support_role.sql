-- The support role (issue 14): users.app_role may now be 'support' (sees
-- everything an admin sees; may fill in waiting steps and retry failed ones;
-- changes nothing else: src/authz.c).
--
-- SQLite cannot ALTER a CHECK. As in 005, the table's SQL is edited in
-- sqlite_schema (the new CHECK accepts every value the old one did, so every
-- stored row stays valid), then the schema is reloaded: RESET for this
-- connection, the CREATE/DROP bumps schema_version for the others. 001 and the
-- original app wrote this CHECK with exactly the text replaced here; the
-- temporary table below makes the migration fail (and roll back) if a
-- database had another text, rather than leave 'support' refused.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (app_role IN (''admin'', ''user'', ''partner_admin''))',
    'CHECK (app_role = ''admin'' OR app_role = ''user'' OR app_role = ''partner_admin'' OR app_role = ''support'')')
  WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
CREATE TEMP TABLE hy_support_check(ok INTEGER CHECK (ok = 1));
INSERT INTO hy_support_check
    SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'users' AND sql LIKE '%app_role = ''support''%';
DROP TABLE hy_support_check;
CREATE TABLE hy_schema_bump(x);
DROP TABLE hy_schema_bump;
