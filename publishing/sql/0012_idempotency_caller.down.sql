-- Back to one key per tenant and route: of the callers' rows sharing one, the oldest stays. FORCE
-- binds the owning migrator to the tenant policy, so it is lifted for this one cross-tenant delete.
ALTER TABLE theme_config.idempotency_keys NO FORCE ROW LEVEL SECURITY;
DELETE FROM theme_config.idempotency_keys newer
 USING theme_config.idempotency_keys older
 WHERE newer.tenant_id = older.tenant_id AND newer.endpoint = older.endpoint AND newer.key = older.key
   AND (newer.created_at, newer.caller) > (older.created_at, older.caller);
ALTER TABLE theme_config.idempotency_keys FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE theme_config.idempotency_keys ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, endpoint, key);
ALTER TABLE theme_config.idempotency_keys DROP COLUMN caller;
