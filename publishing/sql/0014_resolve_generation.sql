-- The resolve cache's generation (publishing/resolve_cache.py, issue 17): one counter, bumped at the
-- commit of every transaction that changes host_resolution, and a notification per changed host
-- carrying it. A cached answer is stamped with the counter read in the same statement as the answer
-- (resolve_host_at_generation); a process refuses an entry stamped below a generation it has heard
-- of for that host, or below the counter as it was when the process began to listen. Kept here, in
-- the transaction of the change, so that no cache outage can lose it: Redis coming back with an old
-- answer brings back an old stamp, which is refused.
--
-- One row, bumped under its row lock at commit (a deferred constraint trigger runs as the last thing
-- before COMMIT, so the lock is held for no other statement and cannot join a deadlock): the
-- generations are in commit order, which is what makes "stamp >= generation" mean "saw that commit".
-- A sequence would not do: its numbers are taken in start order, not commit order.
CREATE TABLE theme_config.resolve_generation (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  generation bigint NOT NULL
);
INSERT INTO theme_config.resolve_generation (singleton, generation) VALUES (true, 1);
-- Not tenant data (one number). Readable by the request role; written only by the functions below.
REVOKE ALL ON theme_config.resolve_generation FROM theme_config_app, theme_config_service, theme_config_ro;
GRANT SELECT ON theme_config.resolve_generation TO theme_config_app;

-- Bumps the counter once per transaction (later calls in it reuse the number: any snapshot that sees
-- the transaction sees the counter at least there) and notifies each host with it, at commit.
CREATE FUNCTION theme_config.resolve_generation_bump(p_hosts text[]) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_generation bigint := nullif(current_setting('theme_config.resolve_generation_xact', true), '')::bigint;
  v_host text;
BEGIN
  IF v_generation IS NULL THEN
    INSERT INTO theme_config.resolve_generation AS g (singleton, generation) VALUES (true, 1)
      ON CONFLICT (singleton) DO UPDATE SET generation = g.generation + 1
      RETURNING g.generation INTO v_generation;
    PERFORM set_config('theme_config.resolve_generation_xact', v_generation::text, true);
  END IF;
  FOREACH v_host IN ARRAY coalesce(p_hosts, '{}') LOOP
    PERFORM pg_notify('theme_config_resolve', v_generation::text || ' ' || v_host);
  END LOOP;
  RETURN v_generation;
END;
$$;
REVOKE ALL ON FUNCTION theme_config.resolve_generation_bump(text[]) FROM PUBLIC, theme_config_ro;
GRANT EXECUTE ON FUNCTION theme_config.resolve_generation_bump(text[]) TO theme_config_app, theme_config_service;

CREATE FUNCTION theme_config.host_resolution_generation_trg() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM theme_config.resolve_generation_bump(ARRAY[NEW.host]);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM theme_config.resolve_generation_bump(ARRAY[OLD.host]);
  ELSE
    PERFORM theme_config.resolve_generation_bump(ARRAY[OLD.host, NEW.host]);
  END IF;
  RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION theme_config.host_resolution_generation_trg() FROM PUBLIC, theme_config_ro;
-- Every write to the read model (the sync triggers' DELETE and INSERT … ON CONFLICT, by any role),
-- at commit; nothing if the transaction rolls back.
CREATE CONSTRAINT TRIGGER host_resolution_generation AFTER INSERT OR UPDATE OR DELETE
  ON theme_config.host_resolution DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION theme_config.host_resolution_generation_trg();

-- The public read with its stamp, in one statement: the counter is read in the statement's snapshot,
-- before resolve_host()'s own query takes its (later) one, so the stamp is never newer than the answer.
CREATE FUNCTION theme_config.resolve_host_at_generation(p_host text)
RETURNS TABLE (generation bigint, host text, theme_id text, publication_id text, theme_version_id text,
               bundle_url text, bundle_sha256 text, published_at timestamptz)
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
  SELECT g.generation, r.host, r.theme_id, r.publication_id, r.theme_version_id, r.bundle_url, r.bundle_sha256,
         r.published_at
    FROM theme_config.resolve_generation g LEFT JOIN theme_config.resolve_host(p_host) r ON true
$$;
REVOKE ALL ON FUNCTION theme_config.resolve_host_at_generation(text) FROM PUBLIC, theme_config_ro, theme_config_service;
GRANT EXECUTE ON FUNCTION theme_config.resolve_host_at_generation(text) TO theme_config_app;
