-- Four-eyes over the two other ways a publication reaches guests (issues 21 and 22): a scheduled
-- publish waits for approval as a request of action `schedule` (its schedule stays pending_approval
-- until approved, then it is armed), and a rollout's promote as a request of action `promote`.
-- publish_requests is live: constraints go in NOT VALID and are validated without blocking writes;
-- the indexes are built CONCURRENTLY by the migration (non-atomic, each statement its own).
ALTER TABLE theme_config.publish_requests
  ADD COLUMN schedule_id text NULL,
  ADD COLUMN rollout_id text NULL;
ALTER TABLE theme_config.publish_requests ADD CONSTRAINT publish_requests_schedule_id_fkey
  FOREIGN KEY (schedule_id) REFERENCES theme_config.publish_schedules(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE theme_config.publish_requests ADD CONSTRAINT publish_requests_rollout_id_fkey
  FOREIGN KEY (rollout_id) REFERENCES theme_config.theme_rollouts(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE theme_config.publish_requests DROP CONSTRAINT publish_requests_action_check;
ALTER TABLE theme_config.publish_requests ADD CONSTRAINT publish_requests_action_check
  CHECK (action IN ('publish','rollback','re_publish','schedule','promote')) NOT VALID;
ALTER TABLE theme_config.publish_requests DROP CONSTRAINT publish_requests_run_at_chk;
ALTER TABLE theme_config.publish_requests ADD CONSTRAINT publish_requests_run_at_chk
  CHECK ((action = 'schedule') = (run_at IS NOT NULL AND schedule_id IS NOT NULL)) NOT VALID;
ALTER TABLE theme_config.publish_requests ADD CONSTRAINT publish_requests_rollout_chk
  CHECK ((action = 'promote') = (rollout_id IS NOT NULL)) NOT VALID;
-- PostgreSQL validates a foreign key with one query run as the table owner, which FORCE ROW LEVEL
-- SECURITY on either table would limit to one tenant (or fail for want of app.tenant_id): lifted for
-- these two statements (the request roles are not the owner; RLS binds them throughout), as 0001 does.
ALTER TABLE theme_config.publish_requests NO FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.publish_schedules NO FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.theme_rollouts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.publish_requests VALIDATE CONSTRAINT publish_requests_schedule_id_fkey;
ALTER TABLE theme_config.publish_requests VALIDATE CONSTRAINT publish_requests_rollout_id_fkey;
ALTER TABLE theme_config.theme_rollouts FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.publish_schedules FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.publish_requests FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.publish_requests VALIDATE CONSTRAINT publish_requests_action_check;
ALTER TABLE theme_config.publish_requests VALIDATE CONSTRAINT publish_requests_run_at_chk;
ALTER TABLE theme_config.publish_requests VALIDATE CONSTRAINT publish_requests_rollout_chk;

-- An edit voids every pending request that would put this version live, whatever the way.
CREATE OR REPLACE FUNCTION theme_config.publish_requests_void_on_edit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  WITH voided AS (
    UPDATE theme_config.publish_requests
       SET status = 'voided', void_reason = 'version_edited', voided_at = now(), version = version + 1,
           updated_at = now(), updated_by = NEW.updated_by
     WHERE theme_version_id = NEW.id AND status = 'pending' AND action IN ('publish','schedule','promote')
    RETURNING id, tenant_id)
  INSERT INTO theme_config.audit_log (tenant_id, actor, action, entity_type, entity_id, old_values, new_values)
  SELECT tenant_id, NEW.updated_by, 'publish_request.voided', 'publish_request', id, '{"status": "pending"}'::jsonb,
         jsonb_build_object('status', 'voided', 'void_reason', 'version_edited', 'version_id', NEW.id,
                            'version_version', NEW.version)
    FROM voided;
  RETURN NULL;
END;
$$;
