-- Tenant erasure (issue 18): an operator marks a tenant for erasure; it is served nothing from then
-- on and erased by purge_expired once `erasure_due_at` has passed (TENANT_ERASURE_GRACE_DAYS); until
-- then the mark can be taken back. Nullable columns: old code writing tenants is unaffected.
ALTER TABLE tenant_service.tenants ADD COLUMN erasure_requested_at timestamptz NULL;
ALTER TABLE tenant_service.tenants ADD COLUMN erasure_due_at timestamptz NULL;

-- The platform side's audit of operators' actions on whole tenants (erasure asked, cancelled, done).
-- It has no tenant_id: it must outlive the tenant. `subject` is the tenant's pseudonym
-- (themeconfig/platform/pseudonyms.py), never its id or slug, so an erased tenant leaves no trace of
-- its identity here. Written on the service connection only; the request roles cannot touch it.
CREATE TABLE tenant_service.operator_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor text NOT NULL,
  action text NOT NULL,
  subject text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operator_audit_subject_idx ON tenant_service.operator_audit(subject, occurred_at);
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'theme_config_app') THEN
    REVOKE ALL ON tenant_service.operator_audit FROM theme_config_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'theme_config_ro') THEN
    REVOKE ALL ON tenant_service.operator_audit FROM theme_config_ro;
  END IF;
END $$;

-- Erasing a staff user's personal data (themeconfig/services/user_erasure.py) in the audit log, which
-- no role may UPDATE (it is append-only): this function, owned by the migrator, rewrites one tenant's
-- rows of one actor (actor → the pseudonym, ip → NULL) and replaces each of `p_needles` (the user's
-- e-mail, name, username) inside old/new values of any row of that tenant. FORCE RLS binds the owner
-- too, so it reads under `p_tenant` (transaction-local) and puts the caller's setting back.
CREATE FUNCTION theme_config.audit_log_pseudonymize(p_tenant text, p_actor text, p_pseudonym text, p_needles text[])
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, theme_config AS $$
DECLARE
  v_previous text := current_setting('app.tenant_id', true);
  v_changed bigint := 0;
  v_rows bigint;
  v_needle text;
BEGIN
  PERFORM set_config('app.tenant_id', p_tenant, true);
  PERFORM set_config('theme_config.audit_pseudonymize', 'on', true);
  UPDATE theme_config.audit_log SET actor = p_pseudonym, ip = NULL WHERE tenant_id = p_tenant AND actor = p_actor;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  v_changed := v_changed + v_rows;
  FOREACH v_needle IN ARRAY p_needles LOOP
    CONTINUE WHEN v_needle IS NULL OR length(v_needle) < 3;
    UPDATE theme_config.audit_log
       SET old_values = replace(old_values::text, to_json(v_needle)::text, to_json(p_pseudonym)::text)::jsonb,
           new_values = replace(new_values::text, to_json(v_needle)::text, to_json(p_pseudonym)::text)::jsonb
     WHERE tenant_id = p_tenant
       AND (strpos(old_values::text, to_json(v_needle)::text) > 0 OR strpos(new_values::text, to_json(v_needle)::text) > 0);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_changed := v_changed + v_rows;
  END LOOP;
  PERFORM set_config('theme_config.audit_pseudonymize', '', true);
  PERFORM set_config('app.tenant_id', COALESCE(v_previous, ''), true);
  RETURN v_changed;
END;
$$;
REVOKE ALL ON FUNCTION theme_config.audit_log_pseudonymize(text, text, text, text[])
  FROM PUBLIC, theme_config_app, theme_config_ro, theme_config_preview_reader;
GRANT EXECUTE ON FUNCTION theme_config.audit_log_pseudonymize(text, text, text, text[]) TO theme_config_service;

-- The append-only trigger (0014_encryption) lets this function through, and only it: the setting
-- opens the actor, ip and old/new values, never the rest, and only the migrator (the function's
-- owner) has UPDATE on those columns; the service role's column grant is `ip` alone.
CREATE OR REPLACE FUNCTION theme_config.audit_log_only_coarsen() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF current_setting('theme_config.audit_pseudonymize', true) = 'on' THEN
    IF (to_jsonb(NEW) - 'ip' - 'actor' - 'old_values' - 'new_values')
       IS DISTINCT FROM (to_jsonb(OLD) - 'ip' - 'actor' - 'old_values' - 'new_values') THEN
      RAISE EXCEPTION 'audit_log erasure may only rewrite actor, ip and old/new values'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  IF (to_jsonb(NEW) - 'ip') IS DISTINCT FROM (to_jsonb(OLD) - 'ip')
     OR NEW.ip IS DISTINCT FROM theme_config.audit_log_coarsened_ip(OLD.ip) THEN
    RAISE EXCEPTION 'audit_log is append-only: an UPDATE may only coarsen ip to its /24 or /48 network'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
