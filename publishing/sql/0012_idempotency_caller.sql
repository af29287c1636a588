-- Idempotency keys belong to their caller: tenant + caller (the principal's actor, `api_client:…`,
-- `user:…`) + method and path. Before, a second API key of the same tenant sending the same key and
-- body got the first caller's stored answer instead of its own request running.
-- Rows stored before this migration keep caller '' (a valid row, purged at its expiry as before):
-- no caller is ever '' any more, so none of them is replayed to anybody.
-- Swapping the primary key holds ACCESS EXCLUSIVE while its index builds, as 0005 did: the table
-- holds only keys of the last 24 hours, one small index build.
ALTER TABLE theme_config.idempotency_keys ADD COLUMN caller text NOT NULL DEFAULT '';
ALTER TABLE theme_config.idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE theme_config.idempotency_keys
  ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, caller, endpoint, key);
