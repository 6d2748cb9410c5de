-- Access records that tell the truth (issue 11). A grant is written by the
-- step that granted it (the engine, when a step declaring `grants`
-- completes: run by a runner, or done by hand) and ended by the step that
-- revoked it (revoked_at); a skipped step grants nothing. Until now
-- new_partner_user wrote a grant on every resource when it completed, even
-- for skipped steps (and for LMS and KeyCloak, which no step grants).
--
-- One row per (user, resource), as in the original schema: the current
-- state; the audit trail keeps the history.
ALTER TABLE access_grants ADD COLUMN step_execution_id TEXT;   -- the step that granted it
ALTER TABLE access_grants ADD COLUMN granted_how TEXT;         -- auto | by_hand | inferred | adopted
ALTER TABLE access_grants ADD COLUMN note TEXT;                -- done-by-hand note, or why it was inferred/adopted
ALTER TABLE access_grants ADD COLUMN account_id TEXT;          -- the person's account in that service
ALTER TABLE access_grants ADD COLUMN organization_id TEXT;     -- through which organisation's group
ALTER TABLE access_grants ADD COLUMN revoked_by TEXT;           -- who asked (no FK: the trail outlives users)
ALTER TABLE access_grants ADD COLUMN revoked_execution_id TEXT;
ALTER TABLE access_grants ADD COLUMN revoked_step_execution_id TEXT;
ALTER TABLE access_grants ADD COLUMN revoked_how TEXT;         -- auto | by_hand
ALTER TABLE access_grants ADD COLUMN revoked_note TEXT;

-- Grants of new_partner_user executions are rebuilt from their steps:
-- a completed granting step (of any execution, finished or not) granted
-- its resource; nothing else did. Marked 'inferred'.
DELETE FROM access_grants WHERE execution_id IN (
    SELECT e.id FROM workflow_executions e JOIN workflow_definitions d ON d.id = e.workflow_definition_id
    WHERE d.name = 'new_partner_user');

INSERT INTO access_grants(id, user_id, resource_id, permission, granted_by, granted_at, execution_id,
                          step_execution_id, granted_how, note, account_id, organization_id)
    SELECT printf('%s-%s-4%s-a%s-%s', lower(hex(randomblob(4))), lower(hex(randomblob(2))),
                  substr(lower(hex(randomblob(2))), 2), substr(lower(hex(randomblob(2))), 2),
                  lower(hex(randomblob(6)))),
           e.user_id, r.id, 'read', e.requested_by,
           coalesce(s.completed_at, e.completed_at, e.created_at), e.id, s.id, 'inferred',
           CASE WHEN s.completed_manually THEN 'done by hand: ' || coalesce(s.note, '')
                ELSE 'recorded when HyOpps was upgraded, from the step''s status' END,
           CASE sd.name
               WHEN 'add_user_to_metabase_group' THEN CAST(json_extract(s.output, '$.metabase_user_id') AS TEXT)
               WHEN 'add_user_to_teams_channel' THEN json_extract(s.output, '$.teams_user_id')
               WHEN 'add_user_to_slack_group' THEN json_extract(s.output, '$.slack_user_id')
           END,
           e.organization_id
    FROM workflow_step_executions s
    JOIN workflow_executions e ON e.id = s.execution_id
    JOIN workflow_definitions d ON d.id = e.workflow_definition_id
    JOIN workflow_step_definitions sd ON sd.id = s.step_definition_id
    JOIN resources r ON r.name = CASE sd.name
        WHEN 'add_user_to_studio_companies' THEN 'Studio'
        WHEN 'add_user_to_metabase_group' THEN 'Metabase'
        WHEN 'add_user_to_teams_channel' THEN 'Microsoft Teams'
        WHEN 'add_user_to_slack_group' THEN 'Slack' END
    WHERE d.name = 'new_partner_user' AND s.status = 'completed' AND e.user_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id)
    ORDER BY s.completed_at
ON CONFLICT(user_id, resource_id) DO UPDATE SET
    granted_at = excluded.granted_at, execution_id = excluded.execution_id,
    step_execution_id = excluded.step_execution_id, granted_how = excluded.granted_how, note = excluded.note,
    account_id = coalesce(excluded.account_id, access_grants.account_id),
    organization_id = excluded.organization_id, revoked_at = NULL;

-- Older grants with no step behind them stay, marked as inferred.
UPDATE access_grants SET granted_how = 'inferred',
       note = coalesce(note, 'recorded before HyOpps kept the step that granted it')
    WHERE granted_how IS NULL;

-- Studio access: granted when add_user_to_studio_companies completed, not
-- when the execution did. Rows of executions whose Studio step did not
-- complete are pending again (granted_at NULL).
UPDATE user_studio_access SET granted_at = NULL
    WHERE granted_at IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM access_grants g JOIN resources r ON r.id = g.resource_id
        WHERE g.user_id = user_studio_access.user_id AND r.name = 'Studio' AND g.revoked_at IS NULL);
UPDATE user_studio_access SET granted_at = (
        SELECT g.granted_at FROM access_grants g JOIN resources r ON r.id = g.resource_id
        WHERE g.user_id = user_studio_access.user_id AND r.name = 'Studio' AND g.revoked_at IS NULL)
    WHERE granted_at IS NULL AND revoked_at IS NULL AND EXISTS (
        SELECT 1 FROM access_grants g JOIN resources r ON r.id = g.resource_id
        WHERE g.user_id = user_studio_access.user_id AND r.name = 'Studio' AND g.revoked_at IS NULL);

CREATE INDEX IF NOT EXISTS idx_access_grants_org ON access_grants(organization_id, resource_id)
    WHERE organization_id IS NOT NULL;
