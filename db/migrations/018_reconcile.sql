-- Reconciliation (issue 13; src/reconcile.h): what the services really have,
-- compared with the grants. A run reads, for each organisation and system
-- (Metabase, Teams, Slack), the members of the organisation's group and
-- records what differs from the active grants. It changes nothing at the
-- services: repairs are explicit, audited actions (ops_access.h).
--
-- (CHECKs are OR chains, as migration 005 made them: SQLite evaluates an IN
-- list per written row.)
--
-- reconcile_runs: one per run (the last 30 are kept, and any run that is
-- still the latest good check of an organisation and system).
CREATE TABLE reconcile_runs (
    id            TEXT PRIMARY KEY,
    started_at    TEXT NOT NULL,                  -- ISO
    started_ms    INTEGER NOT NULL,               -- ms since the epoch (ordering)
    finished_at   TEXT,
    started_by    TEXT,                           -- a user id; NULL: a worker (no FK: runs outlive users)
    started_by_label TEXT NOT NULL,               -- the user's email, or "worker <host:pid>"
    scope_org_id  TEXT,                           -- NULL: every organisation
    systems       TEXT NOT NULL,                  -- "metabase,teams,slack"
    status        TEXT NOT NULL DEFAULT 'running'
                  CHECK (status = 'running' OR status = 'completed' OR status = 'incomplete' OR status = 'failed'),
    organizations INTEGER NOT NULL DEFAULT 0,     -- organisations looked at
    findings      INTEGER NOT NULL DEFAULT 0,
    calls         INTEGER NOT NULL DEFAULT 0,     -- service calls made (0 for simulated services)
    duration_ms   INTEGER,
    error         TEXT                            -- incomplete / failed: what could not be read
);
CREATE INDEX idx_reconcile_runs_started ON reconcile_runs(started_ms);

-- What a run looked at: one row per organisation and system ('' for the
-- Teams team's members HyOpps knows nothing of: the team is shared by every
-- partner). ok: read and compared; error: could not be read (nothing is
-- reported for it); skipped: nothing to read (no group, or a placeholder
-- id, reported as a finding without any call).
CREATE TABLE reconcile_checks (
    run_id          TEXT NOT NULL REFERENCES reconcile_runs(id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,                -- '' = the shared Teams team
    system          TEXT NOT NULL CHECK (system = 'metabase' OR system = 'teams' OR system = 'slack'),
    status          TEXT NOT NULL CHECK (status = 'ok' OR status = 'error' OR status = 'skipped'),
    checked_ms      INTEGER NOT NULL,
    checked_at      TEXT NOT NULL,
    group_id        TEXT,                         -- the group / channel compared
    members         INTEGER,                      -- how many the service listed
    calls           INTEGER NOT NULL DEFAULT 0,
    note            TEXT,                         -- the error, or why skipped
    PRIMARY KEY (run_id, organization_id, system)
) WITHOUT ROWID;
CREATE INDEX idx_reconcile_checks_org ON reconcile_checks(organization_id, system, checked_ms);

-- One difference. kind: missing (granted, not there), unexpected (there, not
-- granted: known = a person HyOpps knows), revoked_present (revoked, still
-- there), unknown_group (the group id is a placeholder, or the service does
-- not know it). first_seen: the first check that saw it (carried from check
-- to check). repair: what an admin did about it ("repair_access <exec id>",
-- "adopted", "removed", "revoke_partner_user <exec id>").
CREATE TABLE reconcile_findings (
    id                 INTEGER PRIMARY KEY,
    run_id             TEXT NOT NULL,
    organization_id    TEXT NOT NULL,
    system             TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind = 'missing' OR kind = 'unexpected' OR kind = 'revoked_present' OR kind = 'unknown_group'),
    known              INTEGER NOT NULL DEFAULT 0,
    user_id            TEXT,
    account_id         TEXT,
    email              TEXT,
    name               TEXT,
    group_id           TEXT,
    membership_id      TEXT,
    grant_execution_id TEXT,
    granted_at         TEXT,
    detail             TEXT,
    first_seen         TEXT NOT NULL,
    repair             TEXT,
    repaired_at        TEXT,
    repaired_by        TEXT,
    FOREIGN KEY (run_id, organization_id, system)
        REFERENCES reconcile_checks(run_id, organization_id, system) ON DELETE CASCADE
);
CREATE INDEX idx_reconcile_findings_check ON reconcile_findings(run_id, organization_id, system);
CREATE INDEX idx_reconcile_findings_user ON reconcile_findings(user_id) WHERE user_id IS NOT NULL;
