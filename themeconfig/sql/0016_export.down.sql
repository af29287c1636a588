DROP FUNCTION theme_config.audit_log_pseudonymize(text, text, text, text[]);
DROP TABLE tenant_service.operator_audit;
ALTER TABLE tenant_service.tenants DROP COLUMN erasure_due_at;
ALTER TABLE tenant_service.tenants DROP COLUMN erasure_requested_at;
