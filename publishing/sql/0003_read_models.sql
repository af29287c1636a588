-- Read models of seed 000 §6 (published bundle by theme, by host) and the function that
-- refreshes them.
--
-- Why a gated policy for the migrator: a materialized view is filled and refreshed as its owner,
-- theme_config_migrator, which also owns themes, theme_publications and tenant_hosts. FORCE ROW
-- LEVEL SECURITY binds the owner to tenant_isolation, under which the views would hold one tenant
-- (or fail: current_setting('app.tenant_id') is evaluated even at plan time). The read_model_refresh
-- policies let the migrator, and nobody else, read every row for SELECT, and only while
-- theme_config.read_model_refresh = 'on', which refresh_read_models() sets for its own duration.

CREATE POLICY read_model_refresh ON theme_config.themes FOR SELECT TO theme_config_migrator
  USING (current_setting('theme_config.read_model_refresh', true) = 'on');
CREATE POLICY read_model_refresh ON theme_config.theme_publications FOR SELECT TO theme_config_migrator
  USING (current_setting('theme_config.read_model_refresh', true) = 'on');
CREATE POLICY read_model_refresh ON tenant_service.tenant_hosts FOR SELECT TO theme_config_migrator
  USING (current_setting('theme_config.read_model_refresh', true) = 'on');

-- The views are filled on creation (as in the seed), so this migration's transaction reads
-- through the same gate; both settings are transaction-local.
SELECT set_config('app.tenant_id', '', true), set_config('theme_config.read_model_refresh', 'on', true);

-- §6.1 published_theme_view -----------------------------------------------------------------------
CREATE MATERIALIZED VIEW theme_config.published_theme_view AS
SELECT t.id AS theme_id,
       t.tenant_id,
       t.property_id,
       t.default_locale,
       t.enabled_locales,
       p.id AS publication_id,
       p.theme_version_id,
       p.bundle_url,
       p.bundle_sha256,
       p.published_at
FROM theme_config.themes t
JOIN theme_config.theme_publications p ON p.id = t.active_publication_id
WHERE t.deleted_at IS NULL;
CREATE UNIQUE INDEX published_theme_view_pk ON theme_config.published_theme_view(theme_id);
CREATE INDEX published_theme_view_tenant_idx ON theme_config.published_theme_view(tenant_id);

-- §6.2 host_to_theme_view -------------------------------------------------------------------------
CREATE MATERIALIZED VIEW theme_config.host_to_theme_view AS
SELECT host_row.host,
       t.id AS theme_id,
       t.tenant_id,
       p.bundle_url
FROM tenant_service.tenant_hosts host_row
JOIN theme_config.themes t ON t.tenant_id = host_row.tenant_id
  AND COALESCE(t.property_id, '') = COALESCE(host_row.property_id, '')
JOIN theme_config.theme_publications p ON p.id = t.active_publication_id
WHERE t.deleted_at IS NULL;
CREATE UNIQUE INDEX host_to_theme_view_host_uq ON theme_config.host_to_theme_view(host);

SELECT set_config('theme_config.read_model_refresh', 'off', true);

-- Readers may SELECT (default privileges); writing a materialized view means nothing.
REVOKE INSERT, UPDATE, DELETE ON theme_config.published_theme_view, theme_config.host_to_theme_view
  FROM theme_config_app, theme_config_service;

-- REFRESH needs ownership and the service role owns nothing, so it calls this SECURITY DEFINER
-- function (owned by the migrator, who runs this migration). CONCURRENTLY keeps the views readable
-- during the refresh (the unique indexes above make it possible). The previous values of both
-- settings are put back, so a caller's transaction goes on as it was.
CREATE FUNCTION theme_config.refresh_read_models() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  previous_tenant text := current_setting('app.tenant_id', true);
  previous_gate text := current_setting('theme_config.read_model_refresh', true);
BEGIN
  PERFORM set_config('app.tenant_id', '', true);
  PERFORM set_config('theme_config.read_model_refresh', 'on', true);
  REFRESH MATERIALIZED VIEW CONCURRENTLY theme_config.published_theme_view;
  REFRESH MATERIALIZED VIEW CONCURRENTLY theme_config.host_to_theme_view;
  PERFORM set_config('theme_config.read_model_refresh', coalesce(previous_gate, ''), true);
  PERFORM set_config('app.tenant_id', coalesce(previous_tenant, ''), true);
END;
$$;
-- Default privileges granted EXECUTE to the request and read-only roles as well; only the service
-- role may refresh.
REVOKE ALL ON FUNCTION theme_config.refresh_read_models() FROM PUBLIC, theme_config_app, theme_config_ro;
GRANT EXECUTE ON FUNCTION theme_config.refresh_read_models() TO theme_config_service;
