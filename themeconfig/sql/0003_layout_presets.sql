-- The platform-global layout preset registry (seed 000 §3.9): no tenant_id, no RLS.
-- Owned by the Frontend Platform squad; rows arrive through migrations (see 0005), so the request
-- role only reads it.

CREATE TABLE theme_config.layout_presets (
  id text PRIMARY KEY CHECK (id LIKE 'lpr_%'),
  key text NOT NULL,
  surface text NOT NULL CHECK (surface IN ('home','detail','search','custom')),
  supported_variants text[] NOT NULL,
  supports_rtl boolean NOT NULL DEFAULT true,
  min_viewport_px int NOT NULL DEFAULT 360,
  thumbnail_url text NOT NULL,
  documentation_url text NULL,
  is_active boolean NOT NULL DEFAULT true,
  registered_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT layout_presets_key_uq UNIQUE (key)
);

-- "App role has SELECT only": bootstrap_db's default privileges granted it DML on every new table.
REVOKE INSERT, UPDATE, DELETE ON theme_config.layout_presets FROM theme_config_app;
