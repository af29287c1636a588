-- The public preview read (§3.10): everything the bundle builder takes for the version of one live
-- preview token, as one jsonb, for the preview reader role only.
--
-- Like preview_version() (0005), the function runs as its owner, whom FORCE RLS binds: the token
-- row is found through the owner-only `preview_lookup` policy (only the row whose hash the function
-- put in `theme_config.preview_token_hash`), then the version, its theme and its children are read
-- under that token's tenant GUC through the ordinary `tenant_isolation` policies, so no new policy
-- widens any table. layout_presets is the global registry (no RLS, the owner's table): only the
-- presets the version's layout selections name are returned. The caller's app.tenant_id is put back
-- before returning. A token that is unknown, expired or revoked, or whose theme is soft-deleted,
-- gives NULL and is not counted; a live one is counted (access_count, last_accessed_at).
--
-- The result holds the token's own id and hash, so the caller compares the hash of the secret it
-- was given with the stored one in constant time before answering.

CREATE FUNCTION theme_config.preview_bundle_inputs(p_token_hash text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_token_id text;
  v_token_hash text;
  v_tenant text;
  v_version text;
  v_inputs jsonb;
  v_caller_tenant text := current_setting('app.tenant_id', true);
BEGIN
  IF p_token_hash IS NULL OR p_token_hash !~ '^[0-9a-f]{64}$' THEN
    RETURN NULL;
  END IF;
  -- The tenant_isolation policies read app.tenant_id, which a fresh session has never set.
  PERFORM set_config('app.tenant_id', '', true);
  PERFORM set_config('theme_config.preview_token_hash', p_token_hash, true);
  SELECT t.id, t.token_hash, t.tenant_id, t.theme_version_id INTO v_token_id, v_token_hash, v_tenant, v_version
    FROM theme_config.preview_tokens t
   WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > now();
  PERFORM set_config('theme_config.preview_token_hash', '', true);
  IF v_token_id IS NULL THEN
    PERFORM set_config('app.tenant_id', coalesce(v_caller_tenant, ''), true);
    RETURN NULL;
  END IF;

  PERFORM set_config('app.tenant_id', v_tenant, true);
  -- Children in the order bundle_inputs() reads them (publishing/bundles.py).
  SELECT jsonb_build_object(
           'token', jsonb_build_object('id', v_token_id, 'token_hash', v_token_hash),
           'version', to_jsonb(v),
           'theme', to_jsonb(th),
           'content_blocks', coalesce((
             SELECT jsonb_agg(to_jsonb(b) ORDER BY b.surface, b.ordinal, b.id)
               FROM theme_config.content_blocks b WHERE b.theme_version_id = v.id), '[]'::jsonb),
           'navigation_configs', coalesce((
             SELECT jsonb_agg(to_jsonb(n) ORDER BY n.surface, n.id)
               FROM theme_config.navigation_configs n WHERE n.theme_version_id = v.id), '[]'::jsonb),
           'booking_flow', (
             SELECT to_jsonb(f) FROM theme_config.booking_flow_configs f WHERE f.theme_version_id = v.id),
           'email_theme', (
             SELECT to_jsonb(e) FROM theme_config.email_themes e WHERE e.theme_version_id = v.id),
           'locale_packs', coalesce((
             SELECT jsonb_agg(to_jsonb(l) ORDER BY l.locale, l.id)
               FROM theme_config.locale_packs l WHERE l.theme_version_id = v.id), '[]'::jsonb),
           'layout_presets', coalesce((
             SELECT jsonb_agg(to_jsonb(p) ORDER BY p.key)
               FROM theme_config.layout_presets p
              WHERE jsonb_typeof(v.layout_selections) = 'object'
                AND p.key IN (SELECT s.value ->> 'preset' FROM jsonb_each(v.layout_selections) s)), '[]'::jsonb)
         )
    INTO v_inputs
    FROM theme_config.theme_versions v
    JOIN theme_config.themes th ON th.id = v.theme_id
   WHERE v.id = v_version AND v.tenant_id = v_tenant AND th.deleted_at IS NULL;

  IF v_inputs IS NOT NULL THEN
    UPDATE theme_config.preview_tokens
       SET access_count = access_count + 1, last_accessed_at = now()
     WHERE id = v_token_id;
  END IF;
  PERFORM set_config('app.tenant_id', coalesce(v_caller_tenant, ''), true);
  RETURN v_inputs;
END;
$$;
-- Default privileges give EXECUTE on new functions to PUBLIC and to the request roles: take it back.
REVOKE ALL ON FUNCTION theme_config.preview_bundle_inputs(text)
  FROM PUBLIC, theme_config_app, theme_config_ro, theme_config_service;
GRANT EXECUTE ON FUNCTION theme_config.preview_bundle_inputs(text) TO theme_config_preview_reader;
