-- Reverses 0009_host_verification.sql. Without the status column every row is served, so the
-- pending (unproven) hosts are deleted first, with any read-model row the pre-0010 sync gave them
-- (publishing's trigger does that, if publishing is still migrated). FORCE is lifted for this
-- transaction only; the tenant GUC is set empty so the policies left in force match nothing.
SELECT set_config('app.tenant_id', '', true);
ALTER TABLE tenant_service.tenant_hosts NO FORCE ROW LEVEL SECURITY;
DO $$
BEGIN
  IF to_regclass('theme_config.host_resolution') IS NOT NULL THEN
    ALTER TABLE theme_config.host_resolution NO FORCE ROW LEVEL SECURITY;
  END IF;
  DELETE FROM tenant_service.tenant_hosts WHERE verification_status <> 'verified';
  IF to_regclass('theme_config.host_resolution') IS NOT NULL THEN
    ALTER TABLE theme_config.host_resolution FORCE ROW LEVEL SECURITY;
  END IF;
END;
$$;
ALTER TABLE tenant_service.tenant_hosts FORCE ROW LEVEL SECURITY;
ALTER TABLE tenant_service.tenant_hosts
  DROP CONSTRAINT tenant_hosts_verification_attempts_check,
  DROP CONSTRAINT tenant_hosts_verification_token_chk,
  DROP CONSTRAINT tenant_hosts_verification_status_check,
  DROP COLUMN verification_last_error,
  DROP COLUMN verification_leased_until,
  DROP COLUMN verification_next_check_at,
  DROP COLUMN verification_checked_at,
  DROP COLUMN verification_attempts,
  DROP COLUMN verified_by,
  DROP COLUMN verified_at,
  DROP COLUMN verification_token_hash,
  DROP COLUMN verification_status;
