-- Executions are found by the name of the person they are about, not only
-- by the email (issue 17): the search text becomes "<id> <organisation
-- name> <user email> <first name> <last name>" (ASCII lower-cased), kept
-- as 003 keeps it: the engine writes it as it attaches a user
-- (EXEC_SEARCH_TEXT, exec_search.h), the triggers below follow what others
-- change (an organisation renamed, a user's email or names edited).

DROP TRIGGER IF EXISTS exec_search_text_au;
CREATE TRIGGER exec_search_text_au AFTER UPDATE OF organization_id, user_id ON workflow_executions
WHEN (old.organization_id IS NOT new.organization_id OR old.user_id IS NOT new.user_id)
     AND new.search_text IS old.search_text BEGIN
    UPDATE workflow_executions SET search_text =
        lower(new.id) || ' ' ||
        coalesce((SELECT lower(name) FROM organizations WHERE id = new.organization_id), '') || ' ' ||
        coalesce((SELECT lower(email || ' ' || coalesce(firstname, '') || ' ' || coalesce(lastname, ''))
                  FROM users WHERE id = new.user_id), '')
    WHERE rowid = new.rowid;
END;

DROP TRIGGER IF EXISTS exec_search_org_name;
CREATE TRIGGER exec_search_org_name AFTER UPDATE OF name ON organizations BEGIN
    UPDATE workflow_executions SET search_text =
        lower(id) || ' ' || lower(new.name) || ' ' ||
        coalesce((SELECT lower(email || ' ' || coalesce(firstname, '') || ' ' || coalesce(lastname, ''))
                  FROM users WHERE users.id = workflow_executions.user_id), '')
    WHERE organization_id = new.id;
END;

DROP TRIGGER IF EXISTS exec_search_user_email;
CREATE TRIGGER exec_search_user_email AFTER UPDATE OF email, firstname, lastname ON users BEGIN
    UPDATE workflow_executions SET search_text =
        lower(id) || ' ' ||
        coalesce((SELECT lower(name) FROM organizations WHERE organizations.id = workflow_executions.organization_id), '') ||
        ' ' || lower(new.email || ' ' || coalesce(new.firstname, '') || ' ' || coalesce(new.lastname, ''))
    WHERE user_id = new.id;
END;

UPDATE workflow_executions SET search_text =
    lower(id) || ' ' ||
    coalesce((SELECT lower(name) FROM organizations WHERE organizations.id = workflow_executions.organization_id), '') ||
    ' ' || coalesce((SELECT lower(email || ' ' || coalesce(firstname, '') || ' ' || coalesce(lastname, ''))
                     FROM users WHERE users.id = workflow_executions.user_id), '');

-- The index rebuilt once, rather than every execution as a pending batch.
DELETE FROM exec_search_content;
INSERT INTO exec_search_content(rowid, search_text)
    SELECT rowid, search_text FROM workflow_executions WHERE search_text IS NOT NULL;
INSERT INTO exec_search(exec_search) VALUES ('rebuild');
DELETE FROM exec_search_pending;
