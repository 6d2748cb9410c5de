-- HyOpps additions: sessions, login attempts, the audit trail, settings,
-- password-change flags, and what the durable engine keeps on executions and
-- steps (leases, attempts, calls, manual completion). Executions and steps
-- may now be 'cancelled': SQLite cannot alter a CHECK constraint, so those two
-- tables are rebuilt (the runner switches foreign keys off around this).

ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
ALTER TABLE users ADD COLUMN updated_at TEXT;

CREATE TABLE new_workflow_executions (
    id                     TEXT PRIMARY KEY,
    workflow_definition_id TEXT NOT NULL REFERENCES workflow_definitions(id),
    organization_id        TEXT REFERENCES organizations(id),
    user_id                TEXT REFERENCES users(id),
    requested_by           TEXT REFERENCES users(id),
    status                 TEXT NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending','running','awaiting_input','completed','failed','cancelled')),
    current_step_order     INTEGER DEFAULT 1,
    created_at             TEXT DEFAULT (datetime('now')),
    completed_at           TEXT,
    updated_at             TEXT,
    -- when the current auto step may run (ms since the epoch); NULL = nothing to run
    next_run_at            INTEGER,
    cancelled_by           TEXT REFERENCES users(id),
    cancelled_at           TEXT
);
INSERT INTO new_workflow_executions
    (id, workflow_definition_id, organization_id, user_id, requested_by, status,
     current_step_order, created_at, completed_at)
    SELECT id, workflow_definition_id, organization_id, user_id, requested_by, status,
           current_step_order, created_at, completed_at
    FROM workflow_executions;
DROP TABLE workflow_executions;
ALTER TABLE new_workflow_executions RENAME TO workflow_executions;

CREATE TABLE new_workflow_step_executions (
    id                 TEXT PRIMARY KEY,
    execution_id       TEXT NOT NULL REFERENCES workflow_executions(id),
    step_definition_id TEXT NOT NULL REFERENCES workflow_step_definitions(id),
    step_order         INTEGER NOT NULL,
    status             TEXT NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending','running','awaiting_input','completed','failed','skipped','cancelled')),
    manual_input       TEXT,
    output             TEXT,
    error              TEXT,
    completed_by       TEXT REFERENCES users(id),
    started_at         TEXT,
    completed_at       TEXT,
    -- ours:
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    INTEGER,          -- ms since the epoch; backoff
    lease_owner        TEXT,             -- host:pid:thread of the runner holding it
    lease_expires_at   INTEGER,          -- ms since the epoch
    input_by           TEXT REFERENCES users(id),
    input_at           TEXT,
    completed_manually INTEGER NOT NULL DEFAULT 0,
    note               TEXT,             -- skip reason or "done by hand" note
    attempt_log        TEXT,             -- JSON [{at, duration_ms, error, transient}]
    calls              TEXT,             -- JSON [{method, path, status, duration_ms}]
    checkpoint         TEXT,             -- JSON progress a step saved (e.g. email sent)
    updated_at         TEXT
);
INSERT INTO new_workflow_step_executions
    (id, execution_id, step_definition_id, step_order, status, manual_input, output,
     error, completed_by, started_at, completed_at, input_by, input_at)
    SELECT id, execution_id, step_definition_id, step_order, status, manual_input, output,
           error, completed_by, started_at, completed_at,
           CASE WHEN manual_input IS NOT NULL THEN completed_by END,
           CASE WHEN manual_input IS NOT NULL THEN completed_at END
    FROM workflow_step_executions;
DROP TABLE workflow_step_executions;
ALTER TABLE new_workflow_step_executions RENAME TO workflow_step_executions;

CREATE TABLE sessions (
    jti          TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,      -- seconds since the epoch
    revoked_at   TEXT,
    revoked_why  TEXT,
    os_user      TEXT,
    remote       TEXT
);
CREATE INDEX idx_sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    id       INTEGER PRIMARY KEY,
    email    TEXT NOT NULL,             -- lower-cased, as typed (may not exist)
    at_ms    INTEGER NOT NULL,
    success  INTEGER NOT NULL,
    remote   TEXT
);
CREATE INDEX idx_login_attempts_email ON login_attempts(email, at_ms);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    actor_id     TEXT,                  -- no foreign key: the trail outlives users
    actor_email  TEXT,
    os_user      TEXT,
    remote       TEXT,
    action       TEXT NOT NULL,
    target_type  TEXT,
    target_id    TEXT,
    details      TEXT                   -- JSON
);
CREATE INDEX idx_audit_at ON audit_log(at);
CREATE INDEX idx_audit_actor ON audit_log(actor_email, at);
CREATE INDEX idx_audit_action ON audit_log(action, at);
CREATE INDEX idx_audit_target ON audit_log(target_id, at);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT
);

-- Every lookup the engine and the lists make is served by an index.
CREATE INDEX idx_wse_execution ON workflow_step_executions(execution_id, step_order);
CREATE INDEX idx_wse_awaiting ON workflow_step_executions(status) WHERE status = 'awaiting_input';
CREATE INDEX idx_we_status ON workflow_executions(status, created_at);
CREATE INDEX idx_we_created ON workflow_executions(created_at);
CREATE INDEX idx_we_org ON workflow_executions(organization_id, created_at);
CREATE INDEX idx_we_user ON workflow_executions(user_id);
CREATE INDEX idx_we_requested_by ON workflow_executions(requested_by);
CREATE INDEX idx_we_runnable ON workflow_executions(next_run_at) WHERE next_run_at IS NOT NULL;
CREATE INDEX idx_users_org ON users(organization_id);
CREATE INDEX idx_studio_companies_org ON studio_companies(organization_id);
CREATE INDEX idx_usa_company ON user_studio_access(studio_company_id);
CREATE INDEX idx_access_grants_exec ON access_grants(execution_id);
CREATE INDEX idx_access_grants_granted_by ON access_grants(granted_by);
CREATE INDEX idx_wse_completed_by ON workflow_step_executions(completed_by);
CREATE INDEX idx_wse_input_by ON workflow_step_executions(input_by);
CREATE INDEX idx_wsd_workflow ON workflow_step_definitions(workflow_definition_id, step_order);
CREATE INDEX idx_org_name_nocase ON organizations(name COLLATE NOCASE);
CREATE INDEX idx_users_role ON users(app_role);
