-- Fewer writes per execution (issue 11's benchmark, BENCHMARKS.md):
--
-- * "Input needed" notifications are now made by runners from the waiting
--   step's row once [notify] input_delay_minutes have passed, with a dedup
--   key 'input:<step id>:<started_at>' (src/notify.c), instead of an event
--   written at every step that begins to wait (two per new_partner_user
--   execution, most of them filled in within the delay: five B-trees each).
--   The events written by earlier versions get the same key, so a step that
--   was already notified (or dropped) is not notified again after the
--   upgrade.
-- * The simulated mail's index by recipient: nothing in HyOpps reads
--   sim_mail by recipient (only tests count its rows), and every
--   simulated documentation email wrote it.
UPDATE OR IGNORE notify_events SET dedup = 'input:' || step_id || ':' || since
    WHERE event = 'input_needed' AND dedup IS NULL AND step_id IS NOT NULL AND since IS NOT NULL;
DROP INDEX IF EXISTS idx_sim_mail_to;
-- * Indexes whose keys put one execution's rows on several pages: the
--   grants of an organisation by resource (four grants per execution: four
--   leaves; by organisation alone they are neighbours: the readers,
--   offboarding and reconciliation, filter the few resources), and the
--   simulated accounts by system then email (a person's three accounts:
--   three leaves; by email then system: one).
DROP INDEX IF EXISTS idx_access_grants_org;
CREATE INDEX idx_access_grants_org ON access_grants(organization_id) WHERE organization_id IS NOT NULL;
DROP INDEX IF EXISTS idx_sim_accounts_email;
CREATE UNIQUE INDEX idx_sim_accounts_email ON sim_accounts(email, system);
