DROP TRIGGER audit_log_only_coarsen ON theme_config.audit_log;
DROP FUNCTION theme_config.audit_log_only_coarsen();
DROP FUNCTION theme_config.audit_log_coarsened_ip(inet);
REVOKE UPDATE (ip) ON theme_config.audit_log FROM theme_config_service;

DROP INDEX theme_config.invitations_open_email_hash_uq;
ALTER TABLE theme_config.invitations DROP COLUMN email_hash;
CREATE UNIQUE INDEX invitations_open_email_uq ON theme_config.invitations(tenant_id, email)
  WHERE accepted_at IS NULL AND revoked_at IS NULL;
ALTER TABLE theme_config.invitations ADD CONSTRAINT invitations_email_check
  CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254);
