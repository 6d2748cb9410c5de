-- The executions waiting for a person (awaiting input, failed), with what
-- the "longest in state" and "stuck more than N hours" views filter and
-- sort on. Those views read every unfinished execution in scope; through
-- idx_we_status each one was a row of the table on a page of its own (a
-- few thousand random pages, read again after every commit of another
-- connection: 21-23 ms for the stuck view on 200,000 executions, 45 ms
-- with a search). Here they are a few hundred pages in a row. Partial: a
-- runner's own status flips (pending <-> running at every step) do not
-- touch it; an execution enters it once, when it starts waiting.
CREATE INDEX idx_we_waiting ON workflow_executions(status, updated_at, created_at, organization_id,
                                                   workflow_definition_id, batch_id, search_text)
    WHERE status = 'awaiting_input' OR status = 'failed';
