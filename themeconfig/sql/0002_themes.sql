-- Themes, their numbered versions and each version's children (seed 000 §3.1, §3.2, §3.4–§3.8, §4).
--
-- Each seed block is copied verbatim: table, column, constraint and index names, types, defaults,
-- CHECKs, FKs with their ON DELETE. Constraints the seed leaves unnamed stay unnamed, so PostgreSQL
-- names them exactly as it names the seed text's (tests/schema compares the two through the catalogs).
-- Additions follow each block under "-- additions:": FORCE RLS (binds the owning migrator too), the
-- named §4 shape CHECKs the seed states only in prose, and a tenant_id index on every RLS table the
-- seed left without one (the tenant_isolation filter runs on every query).

-- §4.2: every key of a content body is a locale code. IMMUTABLE (depends on its argument only) so a
-- CHECK may use it; CASE keeps jsonb_object_keys away from non-objects.
CREATE FUNCTION theme_config.jsonb_keys_are_locales(value jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE
    WHEN jsonb_typeof(value) = 'object' THEN NOT EXISTS (
      SELECT 1 FROM jsonb_object_keys(value) AS k(key) WHERE k.key !~ '^[a-z]{2,3}(-[A-Z]{2})?$'
    )
    ELSE false
  END
$$;

-- §3.1 themes -------------------------------------------------------------------------------------
CREATE TABLE theme_config.themes (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'thm_%'),
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  property_id text NULL CHECK (property_id IS NULL OR (length(property_id) = 26 AND property_id LIKE 'prp_%')),
  name text NOT NULL,
  scope text NOT NULL CHECK (scope IN ('tenant','property')),
  default_locale text NOT NULL CHECK (default_locale ~ '^[a-z]{2,3}(-[A-Z]{2})?$'),
  enabled_locales text[] NOT NULL CHECK (array_length(enabled_locales,1) >= 1),
  fallback_chain text[] NOT NULL CHECK (array_length(fallback_chain,1) >= 1),
  active_publication_id text NULL,
  status text NOT NULL CHECK (status IN ('active','suspended','archived')),
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  deleted_at timestamptz NULL
);
CREATE UNIQUE INDEX themes_tenant_property_uq
  ON theme_config.themes(tenant_id, COALESCE(property_id,'__null__'))
  WHERE deleted_at IS NULL;
CREATE INDEX themes_tenant_idx ON theme_config.themes(tenant_id);
CREATE INDEX themes_status_idx ON theme_config.themes(status) WHERE deleted_at IS NULL;
ALTER TABLE theme_config.themes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.themes
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- additions:
ALTER TABLE theme_config.themes FORCE ROW LEVEL SECURITY;
-- array_length('{}', 1) is NULL, so the seed's "array_length(…, 1) >= 1" CHECKs let an empty array
-- through; these say what they mean.
ALTER TABLE theme_config.themes ADD CONSTRAINT themes_enabled_locales_not_empty_chk
  CHECK (cardinality(enabled_locales) >= 1);
ALTER TABLE theme_config.themes ADD CONSTRAINT themes_fallback_chain_not_empty_chk
  CHECK (cardinality(fallback_chain) >= 1);
-- (themes_active_publication_fk and its index come with theme_publications, in publishing.)

-- §3.2 theme_versions -----------------------------------------------------------------------------
CREATE TABLE theme_config.theme_versions (
  id text PRIMARY KEY CHECK (id LIKE 'thv_%'),
  tenant_id text NOT NULL,
  theme_id text NOT NULL REFERENCES theme_config.themes(id) ON DELETE CASCADE,
  ordinal int NOT NULL,
  status text NOT NULL CHECK (status IN ('draft','preview_ready','published','archived')),
  tokens jsonb NOT NULL,
  layout_selections jsonb NOT NULL,
  ai_provenance jsonb NULL,
  release_notes text NULL,
  published_bundle_url text NULL,
  published_bundle_sha256 text NULL,
  published_bundle_size int NULL,
  published_at timestamptz NULL,
  published_by text NULL,
  archived_at timestamptz NULL,
  archived_reason text NULL CHECK (archived_reason IN ('superseded','rolled_back','manual_archive') OR archived_reason IS NULL),
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  CONSTRAINT theme_versions_ordinal_uq UNIQUE (theme_id, ordinal),
  CONSTRAINT theme_versions_published_consistency CHECK (
    (status = 'published' AND published_at IS NOT NULL AND published_by IS NOT NULL
     AND published_bundle_url IS NOT NULL AND published_bundle_sha256 IS NOT NULL)
    OR
    (status <> 'published')
  )
);
CREATE INDEX theme_versions_theme_status_idx ON theme_config.theme_versions(theme_id, status);
CREATE INDEX theme_versions_tenant_idx ON theme_config.theme_versions(tenant_id);
CREATE INDEX theme_versions_published_at_idx ON theme_config.theme_versions(theme_id, published_at DESC) WHERE status IN ('published','archived');
ALTER TABLE theme_config.theme_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.theme_versions
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- additions:
ALTER TABLE theme_config.theme_versions FORCE ROW LEVEL SECURITY;
-- §4.1 DesignTokenSet: the seven top-level groups are always there (the application checks the rest).
ALTER TABLE theme_config.theme_versions ADD CONSTRAINT theme_versions_tokens_shape_chk CHECK (
  jsonb_typeof(tokens) = 'object' AND tokens ? 'color' AND tokens ? 'typography' AND tokens ? 'spacing'
  AND tokens ? 'radius' AND tokens ? 'shadow' AND tokens ? 'motion' AND tokens ? 'direction'
);

-- §3.4 content_blocks -----------------------------------------------------------------------------
CREATE TABLE theme_config.content_blocks (
  id text PRIMARY KEY CHECK (id LIKE 'cnb_%'),
  tenant_id text NOT NULL,
  theme_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE CASCADE,
  surface text NOT NULL CHECK (surface IN ('home','detail','search','policies','about','custom')),
  kind text NOT NULL,
  ordinal int NOT NULL,
  visibility text NOT NULL CHECK (visibility IN ('all','desktop_only','mobile_only')),
  body jsonb NOT NULL,
  meta jsonb NOT NULL,
  ai_provenance jsonb NULL,
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  CONSTRAINT content_blocks_ordinal_uq UNIQUE (theme_version_id, surface, ordinal)
);
CREATE INDEX content_blocks_version_surface_idx ON theme_config.content_blocks(theme_version_id, surface, ordinal);
ALTER TABLE theme_config.content_blocks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.content_blocks
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- additions:
ALTER TABLE theme_config.content_blocks FORCE ROW LEVEL SECURITY;
-- §4.3: the kind column always equals meta.kind.
ALTER TABLE theme_config.content_blocks ADD CONSTRAINT content_blocks_meta_kind_chk
  CHECK (meta ? 'kind' AND meta->>'kind' = kind);
-- §4.2: body is {"<locale>": {...}} and every key is a locale code.
ALTER TABLE theme_config.content_blocks ADD CONSTRAINT content_blocks_body_locales_chk
  CHECK (theme_config.jsonb_keys_are_locales(body));
CREATE INDEX content_blocks_tenant_idx ON theme_config.content_blocks(tenant_id);

-- §3.5 navigation_configs -------------------------------------------------------------------------
CREATE TABLE theme_config.navigation_configs (
  id text PRIMARY KEY CHECK (id LIKE 'nvc_%'),
  tenant_id text NOT NULL,
  theme_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE CASCADE,
  surface text NOT NULL CHECK (surface IN ('header','footer','mobile_drawer')),
  items jsonb NOT NULL,
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  CONSTRAINT navigation_configs_uq UNIQUE (theme_version_id, surface)
);
ALTER TABLE theme_config.navigation_configs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.navigation_configs
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- additions:
ALTER TABLE theme_config.navigation_configs FORCE ROW LEVEL SECURITY;
CREATE INDEX navigation_configs_tenant_idx ON theme_config.navigation_configs(tenant_id);

-- §3.6 booking_flow_configs -----------------------------------------------------------------------
CREATE TABLE theme_config.booking_flow_configs (
  id text PRIMARY KEY CHECK (id LIKE 'bfc_%'),
  tenant_id text NOT NULL,
  theme_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE CASCADE,
  steps jsonb NOT NULL,
  toggles jsonb NOT NULL,
  consent jsonb NOT NULL,
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  CONSTRAINT booking_flow_configs_uq UNIQUE (theme_version_id)
);
ALTER TABLE theme_config.booking_flow_configs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.booking_flow_configs
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- additions:
ALTER TABLE theme_config.booking_flow_configs FORCE ROW LEVEL SECURITY;
CREATE INDEX booking_flow_configs_tenant_idx ON theme_config.booking_flow_configs(tenant_id);

-- §3.7 email_themes -------------------------------------------------------------------------------
CREATE TABLE theme_config.email_themes (
  id text PRIMARY KEY CHECK (id LIKE 'emt_%'),
  tenant_id text NOT NULL,
  theme_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE CASCADE,
  tokens jsonb NOT NULL,
  logo_ref jsonb NOT NULL,
  footer jsonb NOT NULL,
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  CONSTRAINT email_themes_uq UNIQUE (theme_version_id)
);
ALTER TABLE theme_config.email_themes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.email_themes
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- additions:
ALTER TABLE theme_config.email_themes FORCE ROW LEVEL SECURITY;
CREATE INDEX email_themes_tenant_idx ON theme_config.email_themes(tenant_id);

-- §3.8 locale_packs ('lpk_' ids; not exposed in URLs) ---------------------------------------------
CREATE TABLE theme_config.locale_packs (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  theme_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE CASCADE,
  locale text NOT NULL CHECK (locale ~ '^[a-z]{2,3}(-[A-Z]{2})?$'),
  entries jsonb NOT NULL,
  ai_provenance jsonb NULL,
  completeness_pct numeric(5,2) NOT NULL DEFAULT 0,
  version int NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  CONSTRAINT locale_packs_uq UNIQUE (theme_version_id, locale)
);
CREATE INDEX locale_packs_tenant_idx ON theme_config.locale_packs(tenant_id);
ALTER TABLE theme_config.locale_packs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.locale_packs
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- additions:
ALTER TABLE theme_config.locale_packs FORCE ROW LEVEL SECURITY;
