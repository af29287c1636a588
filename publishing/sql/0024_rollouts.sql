-- Staged rollouts (issue 22): a candidate bundle of a theme's version, served to a slice of its
-- guests (named hosts, named user keys, or basis_points/10000 of visitor keys by a stable hash)
-- while everyone else gets the active publication. At most one open rollout per theme
-- (theme_rollouts_open_uq). The slice lives in the read model public resolution answers from
-- (host_resolution.rollout), rewritten by the trigger below in the transaction that changes the
-- rollout, so the resolve cache drops it at that commit like a flip (0014_resolve_generation.sql).
CREATE TABLE theme_config.theme_rollouts (
  id text PRIMARY KEY CHECK (length(id) = 26 AND id LIKE 'rol_%'),
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  theme_id text NOT NULL REFERENCES theme_config.themes(id) ON DELETE CASCADE,
  candidate_version_id text NOT NULL REFERENCES theme_config.theme_versions(id) ON DELETE RESTRICT,
  candidate_version_version integer NOT NULL CHECK (candidate_version_version > 0),
  candidate_bundle_url text NOT NULL,
  candidate_bundle_sha256 text NOT NULL CHECK (candidate_bundle_sha256 ~ '^[0-9a-f]{64}$'),
  candidate_bundle_size bigint NULL CHECK (candidate_bundle_size IS NULL OR candidate_bundle_size >= 0),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'paused', 'promoted', 'aborted')),
  basis_points integer NOT NULL DEFAULT 0 CHECK (basis_points BETWEEN 0 AND 10000),
  hosts text[] NOT NULL DEFAULT '{}' CHECK (cardinality(hosts) <= 100),
  user_keys text[] NOT NULL DEFAULT '{}' CHECK (cardinality(user_keys) <= 1000),
  promote_job_id text NULL REFERENCES theme_config.publish_jobs(id) ON DELETE SET NULL,
  reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
  version integer NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  closed_at timestamptz NULL,
  closed_by text NULL,
  CONSTRAINT theme_rollouts_closed_chk CHECK ((status IN ('promoted', 'aborted')) = (closed_at IS NOT NULL))
);
CREATE UNIQUE INDEX theme_rollouts_open_uq ON theme_config.theme_rollouts(theme_id)
  WHERE status IN ('running', 'paused');
CREATE INDEX theme_rollouts_theme_created_idx ON theme_config.theme_rollouts(theme_id, created_at DESC);
CREATE INDEX theme_rollouts_tenant_idx ON theme_config.theme_rollouts(tenant_id);
CREATE INDEX theme_rollouts_candidate_version_idx ON theme_config.theme_rollouts(candidate_version_id);
CREATE INDEX theme_rollouts_promote_job_idx ON theme_config.theme_rollouts(promote_job_id);
ALTER TABLE theme_config.theme_rollouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.theme_rollouts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.theme_rollouts
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));

-- The slice, per host row: NULL when the theme has no running rollout, else the candidate and who
-- gets it ({id, theme_version_id, bundle_url, bundle_sha256, published_at, all, basis_points, user_keys};
-- `all`: the host is one of the rollout's named hosts, every visitor of it gets the candidate).
ALTER TABLE theme_config.host_resolution ADD COLUMN rollout jsonb NULL;

-- 0021_export's function, with the running rollout's slice.
CREATE OR REPLACE FUNCTION theme_config.host_resolution_sync(p_theme_id text, p_host text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM theme_config.host_resolution r
   WHERE (p_theme_id IS NOT NULL AND r.theme_id = p_theme_id) OR (p_host IS NOT NULL AND r.host = p_host);
  INSERT INTO theme_config.host_resolution
    (host, tenant_id, theme_id, publication_id, theme_version_id, bundle_url, bundle_sha256, published_at, rollout)
  SELECT h.host, t.tenant_id, t.id, p.id, p.theme_version_id, p.bundle_url, p.bundle_sha256, p.published_at,
         CASE WHEN ro.id IS NULL THEN NULL ELSE jsonb_build_object(
           'id', ro.id, 'theme_version_id', ro.candidate_version_id, 'bundle_url', ro.candidate_bundle_url,
           'bundle_sha256', ro.candidate_bundle_sha256, 'published_at', ro.created_at,
           'all', h.host = ANY (ro.hosts), 'basis_points', ro.basis_points, 'user_keys', to_jsonb(ro.user_keys)) END
    FROM tenant_service.tenant_hosts h
    JOIN theme_config.themes t ON t.tenant_id = h.tenant_id
     AND COALESCE(t.property_id, '') = COALESCE(h.property_id, '') AND t.deleted_at IS NULL
     AND t.status = 'active'
    JOIN theme_config.theme_publications p ON p.id = t.active_publication_id
    JOIN tenant_service.tenants tn ON tn.id = t.tenant_id AND tn.erasure_due_at IS NULL
    LEFT JOIN theme_config.theme_rollouts ro ON ro.theme_id = t.id AND ro.status = 'running'
   WHERE h.verification_status = 'verified'
     AND ((p_theme_id IS NOT NULL AND t.id = p_theme_id) OR (p_host IS NOT NULL AND h.host = p_host))
  ON CONFLICT (host) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, theme_id = EXCLUDED.theme_id,
    publication_id = EXCLUDED.publication_id, theme_version_id = EXCLUDED.theme_version_id,
    bundle_url = EXCLUDED.bundle_url, bundle_sha256 = EXCLUDED.bundle_sha256,
    published_at = EXCLUDED.published_at, rollout = EXCLUDED.rollout, synced_at = now();
END;
$$;

CREATE FUNCTION theme_config.host_resolution_rollout_trg() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM theme_config.host_resolution_sync(NEW.theme_id, NULL);
  RETURN NULL;
END;
$$;
CREATE TRIGGER theme_rollouts_host_resolution AFTER INSERT OR UPDATE OF status, basis_points, hosts, user_keys
  ON theme_config.theme_rollouts FOR EACH ROW
  EXECUTE FUNCTION theme_config.host_resolution_rollout_trg();

-- The public reads answer the slice too (a new column: dropped and created again).
DROP FUNCTION theme_config.resolve_host_at_generation(text);
DROP FUNCTION theme_config.resolve_host(text);
CREATE FUNCTION theme_config.resolve_host(p_host text)
RETURNS TABLE (host text, tenant_id text, theme_id text, publication_id text, theme_version_id text,
               bundle_url text, bundle_sha256 text, published_at timestamptz, rollout jsonb)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_host IS NULL OR length(p_host) > 253 THEN
    RETURN;
  END IF;
  PERFORM set_config('theme_config.resolve_host', p_host, true);
  PERFORM set_config('app.tenant_id', coalesce(current_setting('app.tenant_id', true), ''), true);
  RETURN QUERY SELECT r.host, r.tenant_id, r.theme_id, r.publication_id, r.theme_version_id, r.bundle_url,
                      r.bundle_sha256, r.published_at, r.rollout
                 FROM theme_config.host_resolution r WHERE r.host = p_host;
  PERFORM set_config('theme_config.resolve_host', '', true);
END;
$$;
REVOKE ALL ON FUNCTION theme_config.resolve_host(text) FROM PUBLIC, theme_config_ro, theme_config_service;
GRANT EXECUTE ON FUNCTION theme_config.resolve_host(text) TO theme_config_app;

CREATE FUNCTION theme_config.resolve_host_at_generation(p_host text)
RETURNS TABLE (generation bigint, host text, theme_id text, publication_id text, theme_version_id text,
               bundle_url text, bundle_sha256 text, published_at timestamptz, rollout jsonb)
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
  SELECT g.generation, r.host, r.theme_id, r.publication_id, r.theme_version_id, r.bundle_url, r.bundle_sha256,
         r.published_at, r.rollout
    FROM theme_config.resolve_generation g LEFT JOIN theme_config.resolve_host(p_host) r ON true
$$;
REVOKE ALL ON FUNCTION theme_config.resolve_host_at_generation(text) FROM PUBLIC, theme_config_ro, theme_config_service;
GRANT EXECUTE ON FUNCTION theme_config.resolve_host_at_generation(text) TO theme_config_app;
