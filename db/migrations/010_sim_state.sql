-- The simulated integrations keep their state here (svc.h), so that
-- simulate mode agrees with itself: what a simulated workflow created is
-- what the Metabase panel shows, what revocation removes and what
-- reconciliation reads. Live integrations never touch these tables.
CREATE TABLE sim_accounts (
    system      TEXT NOT NULL,               -- metabase | teams | slack
    account_id  TEXT NOT NULL,
    email       TEXT NOT NULL,               -- lower-cased
    name        TEXT,
    active      INTEGER NOT NULL DEFAULT 1,  -- 0: deactivated (Metabase) / deleted guest (Teams)
    created_at  TEXT,
    PRIMARY KEY (system, account_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX idx_sim_accounts_email ON sim_accounts(system, email);

CREATE TABLE sim_groups (
    system      TEXT NOT NULL,               -- metabase | teams | slack
    kind        TEXT NOT NULL,               -- group | collection | channel | usergroup
    group_id    TEXT NOT NULL,
    name        TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'active',   -- active | archived | disabled | deleted
    data_access INTEGER NOT NULL DEFAULT 0,  -- Metabase groups: query access to [metabase] database_ids
    created_at  TEXT,
    PRIMARY KEY (system, kind, group_id)
) WITHOUT ROWID;
CREATE INDEX idx_sim_groups_name ON sim_groups(system, kind, name COLLATE NOCASE);

CREATE TABLE sim_members (
    system        TEXT NOT NULL,
    group_id      TEXT NOT NULL,             -- Teams: the team
    account_id    TEXT NOT NULL,
    membership_id TEXT NOT NULL,
    added_at      TEXT,
    PRIMARY KEY (system, group_id, account_id)
) WITHOUT ROWID;
CREATE INDEX idx_sim_members_account ON sim_members(system, account_id);

-- Simulated ids that must be integers (Metabase's): one counter each.
CREATE TABLE sim_counters (
    name  TEXT PRIMARY KEY,
    next  INTEGER NOT NULL
) WITHOUT ROWID;

-- What a simulated mail server "received".
CREATE TABLE sim_mail (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    mail_from   TEXT,
    mail_to     TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body_text   TEXT
);
CREATE INDEX idx_sim_mail_to ON sim_mail(mail_to, at);

-- The Metabase panel kept simulated memberships in the settings table
-- ({"<metabase user id>": [group ids]}): they move here, with the accounts
-- they name. (Groups need no copy: the simulated services have every group
-- an organisation names, svc_sim.c sim_group_known.)
INSERT OR IGNORE INTO sim_accounts(system, account_id, email, name, active, created_at)
    SELECT 'metabase', CAST(u.metabase_user_id AS TEXT), lower(u.email), trim(u.firstname || ' ' || u.lastname), 1,
           datetime('now')
    FROM users u WHERE u.metabase_user_id IS NOT NULL;
INSERT OR IGNORE INTO sim_members(system, group_id, account_id, membership_id, added_at)
    SELECT 'metabase', CAST(grp.value AS TEXT), acc.key, acc.key || '-' || grp.value, datetime('now')
    FROM settings s, json_each(s.value) acc, json_each(acc.value) grp
    WHERE s.key = 'metabase.simulated_memberships' AND json_valid(s.value);
DELETE FROM settings WHERE key = 'metabase.simulated_memberships';
