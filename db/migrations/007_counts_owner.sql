-- exec_counts has one owner: the engine counts the executions it creates,
-- their status changes, and an organisation attached or detached
-- (engine_submit, engine_detach_org). The triggers of migration 003 that
-- counted organisation changes and deletions go. Nothing deletes
-- executions: deleting an organisation or a user detaches them.
DROP TRIGGER IF EXISTS exec_counts_au;
DROP TRIGGER IF EXISTS exec_counts_ad;
