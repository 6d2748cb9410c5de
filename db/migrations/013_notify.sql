-- Notifications (issue 14; src/notify.h).
--
-- notify_events: what happened, written by the engine in the transaction of
-- the state change (a step waits for input, fails, an execution completes or
-- is cancelled) or by a runner (reminders, the daily digest). Runners turn
-- each into outbox rows, one per recipient and channel, and deliver those.

-- A person may turn them off for themselves (hyopps notify off).
ALTER TABLE users ADD COLUMN notifications INTEGER NOT NULL DEFAULT 1;

CREATE TABLE notify_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,                  -- when it happened (ISO)
    due_ms        INTEGER NOT NULL,               -- not addressed before (ms since the epoch)
    event         TEXT NOT NULL,                  -- input_needed | failed | completed | cancelled | reminder | digest
    execution_id  TEXT,                           -- no foreign keys: the outbox outlives what it reports
    step_order    INTEGER,
    step_id       TEXT,
    since         TEXT,                           -- input_needed, reminder: when the step started waiting
    detail        TEXT,                           -- failed: the error
    actor_id      TEXT,                           -- cancelled: by whom
    dedup         TEXT UNIQUE,                    -- reminders and digests happen once each
    state         TEXT NOT NULL DEFAULT 'new',    -- new | addressed | dropped
    note          TEXT                            -- why it was dropped
);
CREATE INDEX idx_notify_events_new ON notify_events(due_ms) WHERE state = 'new';
CREATE INDEX idx_notify_events_exec ON notify_events(execution_id);

CREATE TABLE notify_outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      INTEGER NOT NULL REFERENCES notify_events(id),
    channel       TEXT NOT NULL,                  -- email | slack
    recipient     TEXT NOT NULL,                  -- an address, or a Slack channel
    user_id       TEXT,                           -- the recipient's account, when it has one
    subject       TEXT NOT NULL,
    body_text     TEXT NOT NULL,
    body_html     TEXT,
    -- pending | sending | sent | simulated | skipped | failed | uncertain
    status        TEXT NOT NULL DEFAULT 'pending',
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_ms       INTEGER,                        -- pending: when to try; sending: when its lease ends; else NULL
    lease_owner   TEXT,                           -- the runner handing it to the server
    message_id    TEXT,                           -- kept across attempts: a resend is recognisable
    uncertain     INTEGER NOT NULL DEFAULT 0,     -- an attempt may have delivered it: sent again at most once
    error         TEXT,
    created_at    TEXT NOT NULL,
    sent_at       TEXT
);
-- (only the rows still to deliver have a next_ms: the index stays small)
CREATE INDEX idx_notify_outbox_due ON notify_outbox(next_ms) WHERE next_ms IS NOT NULL;
CREATE INDEX idx_notify_outbox_event ON notify_outbox(event_id);
