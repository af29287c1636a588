-- Bundles of purged themes waiting to leave storage (publishing/retention.py, kind `bundles`).
--
-- The retention worker hard-deletes a soft-deleted theme and its publications in one transaction
-- and queues their bundles' storage keys here in the same transaction; after the commit it removes
-- each queued object that no publication row references any more, then the queue row. A crash
-- between the commit and the storage call leaves the key queued, so the next run removes it: the
-- storage call (a network call) never runs inside the transaction that deletes the rows.
CREATE TABLE theme_config.bundle_purges (
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  storage_key text NOT NULL CHECK (storage_key LIKE 'bundles/%'),
  theme_id text NOT NULL,
  bundle_sha256 text NOT NULL,
  queued_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT bundle_purges_pkey PRIMARY KEY (storage_key)
);
CREATE INDEX bundle_purges_tenant_idx ON theme_config.bundle_purges(tenant_id);
ALTER TABLE theme_config.bundle_purges ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.bundle_purges FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.bundle_purges
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- Infrastructure only: the service role works the queue; requests never see it.
REVOKE ALL ON theme_config.bundle_purges FROM theme_config_app, theme_config_ro;
