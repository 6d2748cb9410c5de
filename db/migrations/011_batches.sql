-- Batches: executions started together from one imported file (a CSV of
-- new partner users, or rows pasted in the TUI), all created in one
-- transaction. A batch keeps who started it, for which organisation, and
-- one row per line of the file: the execution it started, or why the line
-- was skipped ("already has access"). Executions carry their batch id.
--
-- organization_id and requested_by are plain ids (no foreign key): deleting
-- an organisation or a user detaches their executions and leaves their
-- batches' history as it was.
CREATE TABLE batches (
    id                     TEXT PRIMARY KEY,
    workflow_definition_id TEXT NOT NULL REFERENCES workflow_definitions(id),
    organization_id        TEXT,
    requested_by           TEXT,
    source                 TEXT,             -- the file's name, "standard input" or "pasted rows"
    rows_total             INTEGER NOT NULL, -- data lines of the file
    rows_started           INTEGER NOT NULL,
    rows_skipped           INTEGER NOT NULL,
    created_at             TEXT NOT NULL
);
CREATE INDEX idx_batches_created ON batches(created_at);
CREATE INDEX idx_batches_org ON batches(organization_id, created_at);

CREATE TABLE batch_rows (
    batch_id     TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
    line         INTEGER NOT NULL,           -- line of the file where the row starts
    email        TEXT NOT NULL,
    execution_id TEXT,                       -- NULL: skipped
    note         TEXT,                       -- why it was skipped
    PRIMARY KEY (batch_id, line)
) WITHOUT ROWID;

ALTER TABLE workflow_executions ADD COLUMN batch_id TEXT REFERENCES batches(id);
CREATE INDEX idx_we_batch ON workflow_executions(batch_id, created_at) WHERE batch_id IS NOT NULL;

-- The runners' order: lane 0 (people's one-off requests) before lane 1
-- (batches), each by next_run_at, so that a request made while a 500-row
-- batch is being worked through starts at the next step a runner takes.
-- The index replaces idx_we_runnable (next_run_at): the runner looks up
-- each lane with an equality on run_lane.
ALTER TABLE workflow_executions ADD COLUMN run_lane INTEGER NOT NULL DEFAULT 0;
DROP INDEX IF EXISTS idx_we_runnable;
CREATE INDEX idx_we_runnable ON workflow_executions(run_lane, next_run_at) WHERE next_run_at IS NOT NULL;
