DROP FUNCTION theme_config.preview_version(text);
DROP POLICY preview_lookup ON theme_config.preview_tokens;
GRANT SELECT ON theme_config.preview_tokens, theme_config.theme_versions TO theme_config_preview_reader;
CREATE POLICY preview_reader_read ON theme_config.preview_tokens
  FOR SELECT TO theme_config_preview_reader USING (true);
CREATE POLICY preview_reader_read ON theme_config.theme_versions
  FOR SELECT TO theme_config_preview_reader USING (true);

REVOKE ALL ON theme_config.idempotency_keys FROM theme_config_app;
DROP POLICY tenant_isolation ON theme_config.idempotency_keys;
ALTER TABLE theme_config.idempotency_keys NO FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.idempotency_keys DISABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE theme_config.idempotency_keys ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (key);

DROP POLICY tenant_append ON theme_config.outbox;
ALTER TABLE theme_config.outbox NO FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.outbox DISABLE ROW LEVEL SECURITY;
