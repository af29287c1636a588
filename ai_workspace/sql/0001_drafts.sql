-- The AI human-in-the-loop workspace (seed 000 §3.11): append-only drafts awaiting approval.
--
-- palette_suggestions is the seed's DDL verbatim. The seed only says "mirror schemas for
-- translation_drafts and content_drafts"; they copy its structure, workflow columns, CHECK style,
-- index naming and tenant_isolation policy, with what they draft in place of drafted_tokens:
--   translation_drafts: the entries of one locale pack (theme_version_id + locale, seed §3.8);
--   content_drafts:     the body and meta of one content block, new (content_block_id NULL) or
--                       replacing an existing one, with the §4.2/§4.3 shape rules of content_blocks.
-- Additions to the seed block follow it under "-- additions:".

-- §3.11 palette_suggestions -----------------------------------------------------------------------
CREATE TABLE theme_config.palette_suggestions (
  id text PRIMARY KEY CHECK (id LIKE 'ais_%'),
  tenant_id text NOT NULL,
  theme_id text NOT NULL REFERENCES theme_config.themes(id) ON DELETE CASCADE,
  drafted_tokens jsonb NOT NULL,
  ai_provenance jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending','approved','rejected','superseded')),
  approver_user_id text NULL,
  approver_note text NULL,
  applied_to_version_id text NULL REFERENCES theme_config.theme_versions(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz NULL
);
CREATE INDEX palette_suggestions_tenant_status_idx ON theme_config.palette_suggestions(tenant_id, status);
ALTER TABLE theme_config.palette_suggestions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.palette_suggestions
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- additions:
ALTER TABLE theme_config.palette_suggestions FORCE ROW LEVEL SECURITY;
-- Every FK has an index (seed 000 §2, seed 004).
CREATE INDEX palette_suggestions_theme_idx ON theme_config.palette_suggestions(theme_id);
CREATE INDEX palette_suggestions_applied_to_version_idx ON theme_config.palette_suggestions(applied_to_version_id)
  WHERE applied_to_version_id IS NOT NULL;

-- translation_drafts ("mirror schema") ------------------------------------------------------------
CREATE TABLE theme_config.translation_drafts (
  id text PRIMARY KEY CHECK (id LIKE 'ait_%'),
  tenant_id text NOT NULL,
  theme_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE CASCADE,
  locale text NOT NULL CHECK (locale ~ '^[a-z]{2,3}(-[A-Z]{2})?$'),
  drafted_entries jsonb NOT NULL,
  ai_provenance jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending','approved','rejected','superseded')),
  approver_user_id text NULL,
  approver_note text NULL,
  applied_to_version_id text NULL REFERENCES theme_config.theme_versions(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz NULL,
  -- §4.6: a locale pack's entries are a flat object of key → ICU message.
  CONSTRAINT translation_drafts_entries_shape_chk CHECK (jsonb_typeof(drafted_entries) = 'object')
);
CREATE INDEX translation_drafts_tenant_status_idx ON theme_config.translation_drafts(tenant_id, status);
CREATE INDEX translation_drafts_theme_version_idx ON theme_config.translation_drafts(theme_version_id, locale);
CREATE INDEX translation_drafts_applied_to_version_idx ON theme_config.translation_drafts(applied_to_version_id)
  WHERE applied_to_version_id IS NOT NULL;
ALTER TABLE theme_config.translation_drafts ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.translation_drafts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.translation_drafts
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));

-- content_drafts ("mirror schema") ----------------------------------------------------------------
CREATE TABLE theme_config.content_drafts (
  id text PRIMARY KEY CHECK (id LIKE 'aic_%'),
  tenant_id text NOT NULL,
  theme_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE CASCADE,
  -- NULL drafts a new block; otherwise the block whose body/meta the draft would replace.
  content_block_id text NULL REFERENCES theme_config.content_blocks(id) ON DELETE CASCADE,
  surface text NOT NULL CHECK (surface IN ('home','detail','search','policies','about','custom')),
  kind text NOT NULL,
  drafted_body jsonb NOT NULL,
  drafted_meta jsonb NOT NULL,
  ai_provenance jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending','approved','rejected','superseded')),
  approver_user_id text NULL,
  approver_note text NULL,
  applied_to_version_id text NULL REFERENCES theme_config.theme_versions(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz NULL,
  -- The shape rules of the content_blocks row the draft becomes (§4.2, §4.3).
  CONSTRAINT content_drafts_meta_kind_chk CHECK (drafted_meta ? 'kind' AND drafted_meta->>'kind' = kind),
  CONSTRAINT content_drafts_body_locales_chk CHECK (theme_config.jsonb_keys_are_locales(drafted_body))
);
CREATE INDEX content_drafts_tenant_status_idx ON theme_config.content_drafts(tenant_id, status);
CREATE INDEX content_drafts_theme_version_idx ON theme_config.content_drafts(theme_version_id, surface);
CREATE INDEX content_drafts_content_block_idx ON theme_config.content_drafts(content_block_id)
  WHERE content_block_id IS NOT NULL;
CREATE INDEX content_drafts_applied_to_version_idx ON theme_config.content_drafts(applied_to_version_id)
  WHERE applied_to_version_id IS NOT NULL;
ALTER TABLE theme_config.content_drafts ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.content_drafts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.content_drafts
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
