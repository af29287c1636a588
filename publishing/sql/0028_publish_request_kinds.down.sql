CREATE OR REPLACE FUNCTION theme_config.publish_requests_void_on_edit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  WITH voided AS (
    UPDATE theme_config.publish_requests
       SET status = 'voided', void_reason = 'version_edited', voided_at = now(), version = version + 1,
           updated_at = now(), updated_by = NEW.updated_by
     WHERE theme_version_id = NEW.id AND status = 'pending' AND action = 'publish'
    RETURNING id, tenant_id)
  INSERT INTO theme_config.audit_log (tenant_id, actor, action, entity_type, entity_id, old_values, new_values)
  SELECT tenant_id, NEW.updated_by, 'publish_request.voided', 'publish_request', id, '{"status": "pending"}'::jsonb,
         jsonb_build_object('status', 'voided', 'void_reason', 'version_edited', 'version_id', NEW.id,
                            'version_version', NEW.version)
    FROM voided;
  RETURN NULL;
END;
$$;
-- The migrator owns the table but FORCE RLS binds it too: drop the new kinds' rows across tenants.
ALTER TABLE theme_config.publish_requests NO FORCE ROW LEVEL SECURITY;
DELETE FROM theme_config.publish_requests WHERE action IN ('schedule','promote');
ALTER TABLE theme_config.publish_requests FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.publish_requests DROP CONSTRAINT publish_requests_rollout_chk;
ALTER TABLE theme_config.publish_requests DROP CONSTRAINT publish_requests_run_at_chk;
ALTER TABLE theme_config.publish_requests ADD CONSTRAINT publish_requests_run_at_chk CHECK (run_at IS NULL);
ALTER TABLE theme_config.publish_requests DROP COLUMN rollout_id, DROP COLUMN schedule_id;
ALTER TABLE theme_config.publish_requests DROP CONSTRAINT publish_requests_action_check;
ALTER TABLE theme_config.publish_requests ADD CONSTRAINT publish_requests_action_check
  CHECK (action IN ('publish','rollback','re_publish'));
