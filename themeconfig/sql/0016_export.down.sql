CREATE OR REPLACE FUNCTION theme_config.audit_log_only_coarsen() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF (to_jsonb(NEW) - 'ip') IS DISTINCT FROM (to_jsonb(OLD) - 'ip')
     OR NEW.ip IS DISTINCT FROM theme_config.audit_log_coarsened_ip(OLD.ip) THEN
    RAISE EXCEPTION 'audit_log is append-only: an UPDATE may only coarsen ip to its /24 or /48 network'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
DROP FUNCTION theme_config.audit_log_pseudonymize(text, text, text, text[]);
DROP TABLE tenant_service.operator_audit;
ALTER TABLE tenant_service.tenants DROP COLUMN erasure_due_at;
ALTER TABLE tenant_service.tenants DROP COLUMN erasure_requested_at;
