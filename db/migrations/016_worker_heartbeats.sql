-- Each `hyopps worker` that is alive: it writes its row when it starts,
-- renews it every [engine] worker_heartbeat_seconds (expires_at = three
-- intervals ahead) and deletes it when it stops. While one row is fresh
-- (expires_at in the future), terminal sessions leave the auto steps to the
-- workers: they start no runner thread and look for no work. A worker that
-- died (kill -9, a lost machine) stops renewing and is taken as gone when
-- its row expires; the next worker to start removes expired rows.
CREATE TABLE worker_heartbeats (
    owner       TEXT PRIMARY KEY,      -- host:pid
    started_at  TEXT NOT NULL,         -- ISO-8601 UTC
    beat_at     INTEGER NOT NULL,      -- ms since the epoch
    expires_at  INTEGER NOT NULL       -- ms since the epoch
);
