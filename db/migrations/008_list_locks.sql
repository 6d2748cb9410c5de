-- Leases on external lists (src/list_lock.c). A service list that HyOpps can
-- only replace whole (a Slack user group's members) is changed by a
-- read-modify-write; a row here, taken in a short transaction before the
-- read and given back after the write, serializes those writes across every
-- runner of every process. A holder that dies leaves a row that expires.
CREATE TABLE list_locks (
    key         TEXT PRIMARY KEY,     -- "slack:usergroup:S0123ABCD"
    owner       TEXT NOT NULL,        -- the runner holding it (host:pid:tid)
    expires_at  INTEGER NOT NULL,     -- ms since the epoch
    acquired_at INTEGER NOT NULL      -- ms since the epoch
) WITHOUT ROWID;
