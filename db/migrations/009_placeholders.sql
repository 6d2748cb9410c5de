-- The original app's stubs stored made-up ids where the real services'
-- ids belong: teams-ch-..., slack-grp-..., mb-grp-... (system_groups) and
-- mb-col-... (organization_integrations.metabase_collection_id). Sent to a
-- real service they fail or, worse, name something else. They are marked
-- here; live steps refuse a marked group at once and say how to set the
-- real one; setting a real id (orgs edit, or the new_partner step that
-- finds or creates it) clears the mark. The ids themselves are kept.
ALTER TABLE system_groups ADD COLUMN placeholder INTEGER NOT NULL DEFAULT 0;
UPDATE system_groups SET placeholder = 1
 WHERE external_id GLOB 'teams-ch-?*' OR external_id GLOB 'slack-grp-?*' OR external_id GLOB 'mb-grp-?*';
ALTER TABLE organization_integrations ADD COLUMN metabase_collection_placeholder INTEGER NOT NULL DEFAULT 0;
UPDATE organization_integrations SET metabase_collection_placeholder = 1 WHERE metabase_collection_id GLOB 'mb-col-?*';
