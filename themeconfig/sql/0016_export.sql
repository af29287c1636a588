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
  actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 255),
  action text NOT NULL CHECK (action ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$'),
  subject text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(details) = 'object'),
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
