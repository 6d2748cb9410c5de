-- A completed execution's skipped and by-hand steps (skipped * 100 + by
-- hand), written once by the completion (src/engine.c complete()), so that
-- the executions list reads them from the execution's row instead of its
-- step rows (about four pages per execution, read again after every commit
-- of another connection: a partner's requests list re-read some forty on
-- each filter key while a worker ran). NULL (rows completed before this
-- version and not back-filled, or imported) falls back to the step rows.
ALTER TABLE workflow_executions ADD COLUMN done_summary INTEGER;
UPDATE workflow_executions SET done_summary =
    (SELECT coalesce(sum(k.status = 'skipped'), 0) * 100 + coalesce(sum(k.completed_manually), 0)
     FROM workflow_step_executions k WHERE k.execution_id = workflow_executions.id)
    WHERE status = 'completed';
