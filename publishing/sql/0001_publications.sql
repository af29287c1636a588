-- Publications (the atomic flip, seed 000 §3.3) and preview tokens (§3.10).
--
-- Seed blocks verbatim (names, types, defaults, CHECKs, FKs with ON DELETE, indexes, policies);
-- unnamed seed constraints stay unnamed so PostgreSQL names them as it names the seed text's.
-- Additions follow each block under "-- additions:".

-- §3.3 theme_publications -------------------------------------------------------------------------
CREATE TABLE theme_config.theme_publications (
  id text PRIMARY KEY CHECK (id LIKE 'thp_%'),
  tenant_id text NOT NULL,
  theme_id text NOT NULL REFERENCES theme_config.themes(id) ON DELETE CASCADE,
  theme_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE RESTRICT,
  is_active boolean NOT NULL DEFAULT false,
  bundle_url text NOT NULL,
  bundle_sha256 text NOT NULL,
  cdn_invalidation_id text NULL,
  reason text NOT NULL CHECK (reason IN ('publish','rollback','re_publish')),
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by text NULL, -- null when system-initiated (provisioning, refresh)
  superseded_at timestamptz NULL,
  superseded_by_id text NULL REFERENCES theme_config.theme_publications(id)
);
CREATE UNIQUE INDEX theme_publications_active_uq
  ON theme_config.theme_publications(theme_id)
  WHERE is_active;
CREATE INDEX theme_publications_theme_published_at_idx
  ON theme_config.theme_publications(theme_id, published_at DESC);
ALTER TABLE theme_config.theme_publications ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.theme_publications
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- Deferred so the flip may point the theme at the new publication in any order inside its
-- transaction (§5.2); checked at COMMIT.
-- Why NO FORCE around it: PostgreSQL validates a new FK with one query run as the table owner, and
-- FORCE ROW LEVEL SECURITY would make that query see one tenant's rows (or fail for want of
-- app.tenant_id). Lifted for this statement only, inside the migration's transaction.
ALTER TABLE theme_config.themes NO FORCE ROW LEVEL SECURITY;
ALTER TABLE theme_config.themes
  ADD CONSTRAINT themes_active_publication_fk
  FOREIGN KEY (active_publication_id)
  REFERENCES theme_config.theme_publications(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE theme_config.themes FORCE ROW LEVEL SECURITY;
-- additions:
ALTER TABLE theme_config.theme_publications FORCE ROW LEVEL SECURITY;
-- The one change to a seed constraint. The seed's §3.3 flip first sets superseded_by_id of
-- the previous active publication to the id of the publication it inserts next; checked immediately,
-- this FK rejects every flip that has a predecessor. Deferred to COMMIT (like
-- themes_active_publication_fk), the flip runs as the seed writes it and the FK still holds at COMMIT.
ALTER TABLE theme_config.theme_publications
  ALTER CONSTRAINT theme_publications_superseded_by_id_fkey DEFERRABLE INITIALLY DEFERRED;
-- Every FK has an index (seed 000 §2, seed 004); theme_id is covered by the seed's own indexes.
CREATE INDEX theme_publications_version_idx ON theme_config.theme_publications(theme_version_id);
CREATE INDEX theme_publications_superseded_by_idx ON theme_config.theme_publications(superseded_by_id)
  WHERE superseded_by_id IS NOT NULL;
CREATE INDEX themes_active_publication_idx ON theme_config.themes(active_publication_id)
  WHERE active_publication_id IS NOT NULL;
CREATE INDEX theme_publications_tenant_idx ON theme_config.theme_publications(tenant_id);

-- §3.10 preview_tokens ----------------------------------------------------------------------------
CREATE TABLE theme_config.preview_tokens (
  id text PRIMARY KEY CHECK (id LIKE 'pvt_%'),
  tenant_id text NOT NULL,
  theme_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE CASCADE,
  token_hash text NOT NULL, -- sha256 hex of secret
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz NULL,
  last_accessed_at timestamptz NULL,
  access_count int NOT NULL DEFAULT 0,
  note text NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL
);
CREATE UNIQUE INDEX preview_tokens_hash_uq ON theme_config.preview_tokens(token_hash);
CREATE INDEX preview_tokens_version_idx ON theme_config.preview_tokens(theme_version_id) WHERE revoked_at IS NULL;
CREATE INDEX preview_tokens_expires_idx ON theme_config.preview_tokens(expires_at) WHERE revoked_at IS NULL;
ALTER TABLE theme_config.preview_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.preview_tokens
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- additions:
ALTER TABLE theme_config.preview_tokens FORCE ROW LEVEL SECURITY;
-- preview_tokens_version_idx skips revoked tokens, so ON DELETE CASCADE from a version needs a full one.
CREATE INDEX preview_tokens_theme_version_idx ON theme_config.preview_tokens(theme_version_id);
CREATE INDEX preview_tokens_tenant_idx ON theme_config.preview_tokens(tenant_id);
-- §3.10: the CDN edge resolves a preview by token hash without a tenant context, through its own
-- role. The hash (HMAC-verified at the edge) is the guard, so its policies admit every row, for
-- SELECT only, and only for that role.
GRANT SELECT ON theme_config.preview_tokens, theme_config.theme_versions TO theme_config_preview_reader;
CREATE POLICY preview_reader_read ON theme_config.preview_tokens
  FOR SELECT TO theme_config_preview_reader USING (true);
CREATE POLICY preview_reader_read ON theme_config.theme_versions
  FOR SELECT TO theme_config_preview_reader USING (true);
