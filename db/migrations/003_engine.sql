-- The durable engine's lists: a search index over executions (organisation
-- name, user email, id), per-organisation counts by status, and the indexes
-- the engine's lookups and the execution lists need (DESIGN.md invariant 8).
--
-- Both the search text and the counts are kept up to date by triggers, so
-- they stay right whoever changes executions, organisations or users.

-- "<id> <organisation name> <user email>" (ASCII lower-cased), indexed below.
ALTER TABLE workflow_executions ADD COLUMN search_text TEXT;

-- Substring search (3 characters or more) over search_text. The trigram
-- tokenizer folds case (also non-ASCII).
CREATE VIRTUAL TABLE exec_search USING fts5(
    search_text, content='workflow_executions', content_rowid='rowid', tokenize='trigram');

CREATE TRIGGER exec_search_text_ai AFTER INSERT ON workflow_executions BEGIN
    UPDATE workflow_executions SET search_text =
        lower(new.id) || ' ' ||
        coalesce((SELECT lower(name) FROM organizations WHERE id = new.organization_id), '') || ' ' ||
        coalesce((SELECT lower(email) FROM users WHERE id = new.user_id), '')
    WHERE rowid = new.rowid;
END;

CREATE TRIGGER exec_search_text_au AFTER UPDATE OF organization_id, user_id ON workflow_executions
WHEN old.organization_id IS NOT new.organization_id OR old.user_id IS NOT new.user_id BEGIN
    UPDATE workflow_executions SET search_text =
        lower(new.id) || ' ' ||
        coalesce((SELECT lower(name) FROM organizations WHERE id = new.organization_id), '') || ' ' ||
        coalesce((SELECT lower(email) FROM users WHERE id = new.user_id), '')
    WHERE rowid = new.rowid;
END;

CREATE TRIGGER exec_search_fts_au AFTER UPDATE OF search_text ON workflow_executions BEGIN
    INSERT INTO exec_search(exec_search, rowid, search_text)
        SELECT 'delete', old.rowid, old.search_text WHERE old.search_text IS NOT NULL;
    INSERT INTO exec_search(rowid, search_text)
        SELECT new.rowid, new.search_text WHERE new.search_text IS NOT NULL;
END;

CREATE TRIGGER exec_search_fts_ad AFTER DELETE ON workflow_executions BEGIN
    INSERT INTO exec_search(exec_search, rowid, search_text)
        SELECT 'delete', old.rowid, old.search_text WHERE old.search_text IS NOT NULL;
END;

CREATE TRIGGER exec_search_org_name AFTER UPDATE OF name ON organizations BEGIN
    UPDATE workflow_executions SET search_text =
        lower(id) || ' ' || lower(new.name) || ' ' ||
        coalesce((SELECT lower(email) FROM users WHERE users.id = workflow_executions.user_id), '')
    WHERE organization_id = new.id;
END;

CREATE TRIGGER exec_search_user_email AFTER UPDATE OF email ON users BEGIN
    UPDATE workflow_executions SET search_text =
        lower(id) || ' ' ||
        coalesce((SELECT lower(name) FROM organizations WHERE organizations.id = workflow_executions.organization_id), '') ||
        ' ' || lower(new.email)
    WHERE user_id = new.id;
END;

-- How many executions of each workflow each organisation has in each status
-- ('' = not attached to an organisation yet). Every count the lists show is
-- read from here, so it costs the same with 100 or 1,000,000 executions.
CREATE TABLE exec_counts (
    organization_id        TEXT NOT NULL,
    workflow_definition_id TEXT NOT NULL,
    status                 TEXT NOT NULL,
    n                      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, workflow_definition_id, status)
) WITHOUT ROWID;

CREATE TRIGGER exec_counts_ai AFTER INSERT ON workflow_executions BEGIN
    INSERT INTO exec_counts(organization_id, workflow_definition_id, status, n)
        VALUES (coalesce(new.organization_id, ''), new.workflow_definition_id, new.status, 1)
        ON CONFLICT(organization_id, workflow_definition_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER exec_counts_au AFTER UPDATE OF status, organization_id, workflow_definition_id ON workflow_executions
WHEN old.status IS NOT new.status OR old.organization_id IS NOT new.organization_id
     OR old.workflow_definition_id IS NOT new.workflow_definition_id BEGIN
    UPDATE exec_counts SET n = n - 1
        WHERE organization_id = coalesce(old.organization_id, '')
          AND workflow_definition_id = old.workflow_definition_id AND status = old.status;
    INSERT INTO exec_counts(organization_id, workflow_definition_id, status, n)
        VALUES (coalesce(new.organization_id, ''), new.workflow_definition_id, new.status, 1)
        ON CONFLICT(organization_id, workflow_definition_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER exec_counts_ad AFTER DELETE ON workflow_executions BEGIN
    UPDATE exec_counts SET n = n - 1
        WHERE organization_id = coalesce(old.organization_id, '')
          AND workflow_definition_id = old.workflow_definition_id AND status = old.status;
END;

-- Existing rows (a database written by the original app, or by 002).
UPDATE workflow_executions SET search_text =
    lower(id) || ' ' ||
    coalesce((SELECT lower(name) FROM organizations WHERE organizations.id = workflow_executions.organization_id), '') ||
    ' ' || coalesce((SELECT lower(email) FROM users WHERE users.id = workflow_executions.user_id), '');
INSERT INTO exec_counts(organization_id, workflow_definition_id, status, n)
    SELECT coalesce(organization_id, ''), workflow_definition_id, status, count(*) FROM workflow_executions
    GROUP BY coalesce(organization_id, ''), workflow_definition_id, status;

-- The execution list: newest first (by rowid, the insertion order) within a
-- status, an organisation, or both.
CREATE INDEX idx_we_status_rowid ON workflow_executions(status);
CREATE INDEX idx_we_org_rowid ON workflow_executions(organization_id);
CREATE INDEX idx_we_org_status ON workflow_executions(organization_id, status);
-- The inbox: waiting manual steps, oldest first.
CREATE INDEX idx_wse_awaiting_since ON workflow_step_executions(started_at) WHERE status = 'awaiting_input';
-- Users are found by their lower-cased email (the original stored it as typed).
CREATE INDEX idx_users_email_lower ON users(lower(email));
