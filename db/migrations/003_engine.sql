-- The durable engine's lists: a search index over executions (organisation
-- name, user email, id), per-organisation counts by status, and the indexes
-- the engine's lookups and the lists need (DESIGN.md invariant 8).
--
-- The engine (the only writer of executions) keeps search_text and the
-- counts right as it writes; triggers cover what others change
-- (organisations renamed or deleted, users' emails changed or deleted).
-- Triggers that fire on the engine's frequent UPDATEs are avoided: every
-- statement of a table with such triggers takes SQLite's slow path.

-- "<id> <organisation name> <user email>" (ASCII lower-cased).
ALTER TABLE workflow_executions ADD COLUMN search_text TEXT;

UPDATE workflow_executions SET search_text =
    lower(id) || ' ' ||
    coalesce((SELECT lower(name) FROM organizations WHERE organizations.id = workflow_executions.organization_id), '') ||
    ' ' || coalesce((SELECT lower(email) FROM users WHERE users.id = workflow_executions.user_id), '');

-- Substring search (3 characters or more): a trigram index (it folds case,
-- also non-ASCII) over a copy of search_text as it was last indexed.
-- Executions whose search_text changed since wait in exec_search_pending
-- and are indexed in batches (exec_search.c): writing the FTS index in
-- every transaction cost a third of the engine's throughput. Searches look
-- at the pending ones directly, so results are never stale.
CREATE TABLE exec_search_content (
    rowid       INTEGER PRIMARY KEY,   -- workflow_executions.rowid
    search_text TEXT NOT NULL
);
CREATE VIRTUAL TABLE exec_search USING fts5(
    search_text, content='exec_search_content', content_rowid='rowid', tokenize='trigram');
CREATE TABLE exec_search_pending (
    rowid INTEGER PRIMARY KEY,         -- workflow_executions.rowid
    at    INTEGER NOT NULL             -- ms since the epoch: when it changed
);

INSERT INTO exec_search_content(rowid, search_text)
    SELECT rowid, search_text FROM workflow_executions WHERE search_text IS NOT NULL;
INSERT INTO exec_search(exec_search) VALUES ('rebuild');

-- Another writer detaches an organisation or a user (deletes): recompute.
-- The engine sets search_text itself in the same UPDATE when it attaches
-- one, so this does not fire then.
CREATE TRIGGER exec_search_text_au AFTER UPDATE OF organization_id, user_id ON workflow_executions
WHEN (old.organization_id IS NOT new.organization_id OR old.user_id IS NOT new.user_id)
     AND new.search_text IS old.search_text BEGIN
    UPDATE workflow_executions SET search_text =
        lower(new.id) || ' ' ||
        coalesce((SELECT lower(name) FROM organizations WHERE id = new.organization_id), '') || ' ' ||
        coalesce((SELECT lower(email) FROM users WHERE id = new.user_id), '')
    WHERE rowid = new.rowid;
END;

CREATE TRIGGER exec_search_pending_au AFTER UPDATE OF search_text ON workflow_executions
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT OR IGNORE INTO exec_search_pending(rowid, at)
        VALUES (new.rowid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER exec_search_pending_ad AFTER DELETE ON workflow_executions BEGIN
    INSERT OR IGNORE INTO exec_search_pending(rowid, at)
        VALUES (old.rowid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
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
-- The engine counts the executions it creates and their status changes;
-- the triggers count organisation changes and deletions.
CREATE TABLE exec_counts (
    organization_id        TEXT NOT NULL,
    workflow_definition_id TEXT NOT NULL,
    status                 TEXT NOT NULL,
    n                      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, workflow_definition_id, status)
) WITHOUT ROWID;

INSERT INTO exec_counts(organization_id, workflow_definition_id, status, n)
    SELECT coalesce(organization_id, ''), workflow_definition_id, status, count(*) FROM workflow_executions
    GROUP BY coalesce(organization_id, ''), workflow_definition_id, status;

CREATE TRIGGER exec_counts_au AFTER UPDATE OF organization_id, workflow_definition_id ON workflow_executions
WHEN old.organization_id IS NOT new.organization_id
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

-- The execution list walks the indexes of 002 (status, created_at),
-- (organization_id, created_at) and (created_at).
-- The inbox: waiting manual steps, oldest first (replaces the status-only
-- partial index, which nothing used).
DROP INDEX IF EXISTS idx_wse_awaiting;
CREATE INDEX idx_wse_awaiting_since ON workflow_step_executions(started_at) WHERE status = 'awaiting_input';
-- References that stay NULL for a while are indexed only once set (lookups
-- are always "= ?"), so creating an execution or a step does not touch them.
DROP INDEX IF EXISTS idx_wse_completed_by;
DROP INDEX IF EXISTS idx_wse_input_by;
DROP INDEX IF EXISTS idx_we_user;
CREATE INDEX idx_wse_completed_by ON workflow_step_executions(completed_by) WHERE completed_by IS NOT NULL;
CREATE INDEX idx_wse_input_by ON workflow_step_executions(input_by) WHERE input_by IS NOT NULL;
CREATE INDEX idx_we_user ON workflow_executions(user_id) WHERE user_id IS NOT NULL;
-- Users are found by their lower-cased email (the original stored it as typed).
CREATE INDEX idx_users_email_lower ON users(lower(email));
