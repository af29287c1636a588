-- Tenant brand kits (seed 001 BrandKit, adapted to seed 000's conventions): colours, fonts, logos
-- and style preferences as JSONB with GIN indexes; they feed design tokens and AI palette drafts.
-- Owned by a tenant (not a user or team as in seed 001), soft-deleted, OCC-versioned, under RLS.

CREATE TABLE theme_config.brand_kits (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'bkt_%'),
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  name text NOT NULL,
  colors jsonb NOT NULL,
  fonts jsonb NOT NULL,
  logos jsonb NULL,
  style_preferences jsonb NULL,
  is_default boolean NOT NULL DEFAULT false,
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  deleted_at timestamptz NULL
);
CREATE INDEX brand_kits_tenant_idx ON theme_config.brand_kits(tenant_id);
-- One default kit per tenant among the live ones; a soft-deleted default frees the slot.
CREATE UNIQUE INDEX brand_kits_default_uq ON theme_config.brand_kits(tenant_id)
  WHERE is_default AND deleted_at IS NULL;
-- Seed 001: GIN on the JSONB a palette search looks into ("kits using this hex", "this family").
CREATE INDEX brand_kits_colors_gin ON theme_config.brand_kits USING gin (colors);
CREATE INDEX brand_kits_fonts_gin ON theme_config.brand_kits USING gin (fonts);
CREATE INDEX brand_kits_logos_gin ON theme_config.brand_kits USING gin (logos);

ALTER TABLE theme_config.brand_kits ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.brand_kits FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.brand_kits
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
