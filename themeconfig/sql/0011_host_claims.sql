-- Pending host claims apart from served hosts (issue 16 item 2, review item 1). With pending rows in
-- tenant_hosts, whose primary key is the host name (seed §6.2), the first tenant to *claim* a name
-- reserved it: the real owner got HOST_TAKEN. Now a claim lives in tenant_host_claims, keyed
-- (tenant_id, host): any number of tenants may claim one name, and none blocks another.
-- tenant_hosts keeps the seed's shape and holds verified hosts only (at most one per name, its
-- primary key); verification promotes a claim into it and deletes the other tenants' claims to
-- the name, in one transaction (services/host_verification.py).
CREATE TABLE tenant_service.tenant_host_claims (
  tenant_id text NOT NULL REFERENCES tenant_service.tenants(id) ON DELETE CASCADE,
  host text NOT NULL CHECK (
    length(host) <= 253
    AND host ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$'
  ),
  property_id text NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- sha256 of the challenge token (shown once); NULL: no challenge issued yet (a claim made by the
  -- previous release, below), so there is nothing to check until the tenant asks for one.
  verification_token_hash text NULL CHECK (verification_token_hash ~ '^[0-9a-f]{64}$'),
  verification_attempts integer NOT NULL DEFAULT 0 CHECK (verification_attempts >= 0),
  verification_checked_at timestamptz NULL,
  verification_next_check_at timestamptz NULL,
  verification_leased_until timestamptz NULL,
  verification_last_error text NULL,
  CONSTRAINT tenant_host_claims_pkey PRIMARY KEY (tenant_id, host),
  CONSTRAINT tenant_host_claims_property_fk FOREIGN KEY (tenant_id, property_id)
    REFERENCES tenant_service.properties(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX tenant_host_claims_host_idx ON tenant_service.tenant_host_claims(host);
CREATE INDEX tenant_host_claims_property_idx ON tenant_service.tenant_host_claims(tenant_id, property_id)
  WHERE property_id IS NOT NULL;
CREATE INDEX tenant_host_claims_due_idx ON tenant_service.tenant_host_claims(verification_next_check_at)
  WHERE verification_token_hash IS NOT NULL;
CREATE INDEX tenant_host_claims_created_idx ON tenant_service.tenant_host_claims(created_at);
ALTER TABLE tenant_service.tenant_host_claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_service.tenant_host_claims FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_service.tenant_host_claims
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));
-- The owner-run functions below see (and delete) the claims to one name of every tenant, and only
-- while they set this for their own duration.
CREATE POLICY host_displace ON tenant_service.tenant_host_claims FOR ALL TO theme_config_migrator
  USING (host = current_setting('tenant_service.host_displace', true));
CREATE POLICY host_lookup ON tenant_service.tenant_hosts FOR SELECT TO theme_config_migrator
  USING (host = current_setting('tenant_service.host_lookup', true));

-- The pending rows of 0009 move over (FORCE lifted for this transaction's statements only).
ALTER TABLE tenant_service.tenant_hosts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE tenant_service.tenant_host_claims NO FORCE ROW LEVEL SECURITY;
INSERT INTO tenant_service.tenant_host_claims
  (tenant_id, host, property_id, created_at, verification_token_hash, verification_attempts,
   verification_checked_at, verification_next_check_at, verification_last_error)
SELECT tenant_id, host, property_id, created_at, verification_token_hash, verification_attempts,
       verification_checked_at, verification_next_check_at, verification_last_error
  FROM tenant_service.tenant_hosts WHERE verification_status <> 'verified';
DELETE FROM tenant_service.tenant_hosts WHERE verification_status <> 'verified';
ALTER TABLE tenant_service.tenant_host_claims FORCE ROW LEVEL SECURITY;
ALTER TABLE tenant_service.tenant_hosts FORCE ROW LEVEL SECURITY;

-- tenant_hosts: verified hosts only. verification_status stays (the resolution sync and preview
-- functions of publishing 0010 read it) but can only say 'verified'; its DEFAULT stays 'pending',
-- which is what an INSERT that does not name it (the previous release) means: see the trigger.
ALTER TABLE tenant_service.tenant_hosts
  DROP CONSTRAINT tenant_hosts_verification_status_check,  -- verified_only below says more
  DROP CONSTRAINT tenant_hosts_verification_token_chk,
  DROP CONSTRAINT tenant_hosts_verification_attempts_check,
  DROP COLUMN verification_token_hash,
  DROP COLUMN verification_attempts,
  DROP COLUMN verification_checked_at,
  DROP COLUMN verification_next_check_at,
  DROP COLUMN verification_leased_until,
  DROP COLUMN verification_last_error,
  -- How it was proven: 'dns' (its TXT record), 'operator' (by hand, audited); NULL: added before
  -- host verification existed.
  ADD COLUMN verification_method text NULL CHECK (verification_method IN ('dns', 'operator')),
  ADD CONSTRAINT tenant_hosts_verified_only CHECK (verification_status = 'verified') NOT VALID;
ALTER TABLE tenant_service.tenant_hosts VALIDATE CONSTRAINT tenant_hosts_verified_only;

-- Is `p_host` served (verified) by a tenant other than the caller's? The request role sees its own
-- tenant's rows only; HOST_TAKEN is the one answer about other tenants it gets (never about claims).
CREATE FUNCTION tenant_service.host_served_elsewhere(p_host text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller text := coalesce(current_setting('app.tenant_id', true), '');
  v_found boolean;
BEGIN
  PERFORM set_config('tenant_service.host_lookup', coalesce(p_host, ''), true);
  SELECT EXISTS (SELECT 1 FROM tenant_service.tenant_hosts h WHERE h.host = p_host AND h.tenant_id <> v_caller)
    INTO v_found;
  PERFORM set_config('tenant_service.host_lookup', '', true);
  RETURN v_found;
END;
$$;

-- Verification takes the name: once the caller's tenant holds `p_host` verified (in this
-- transaction), every other tenant's claim to it is deleted, and each such tenant's audit log says
-- so. Returns the displaced tenants' ids. Refuses unless the caller's tenant holds the name.
CREATE FUNCTION tenant_service.host_claims_displace(p_host text, p_actor text) RETURNS SETOF text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_caller text := coalesce(current_setting('app.tenant_id', true), '');
  v_tenant text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM tenant_service.tenant_hosts h WHERE h.host = p_host AND h.tenant_id = v_caller) THEN
    RAISE EXCEPTION 'host % is not verified for the current tenant', p_host USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM set_config('tenant_service.host_displace', p_host, true);
  FOR v_tenant IN
    DELETE FROM tenant_service.tenant_host_claims c WHERE c.host = p_host AND c.tenant_id <> v_caller
    RETURNING c.tenant_id
  LOOP
    PERFORM set_config('app.tenant_id', v_tenant, true);
    INSERT INTO theme_config.audit_log (tenant_id, actor, action, entity_type, entity_id, old_values, new_values)
    VALUES (v_tenant, p_actor, 'host.claim_displaced', 'host', p_host,
            jsonb_build_object('verification_status', 'pending'),
            jsonb_build_object('reason', 'verified by another tenant'));
    RETURN NEXT v_tenant;
  END LOOP;
  PERFORM set_config('app.tenant_id', v_caller, true);
  PERFORM set_config('tenant_service.host_displace', '', true);
END;
$$;
REVOKE ALL ON FUNCTION tenant_service.host_served_elsewhere(text) FROM PUBLIC, theme_config_ro, theme_config_service,
  theme_config_preview_reader;
REVOKE ALL ON FUNCTION tenant_service.host_claims_displace(text, text) FROM PUBLIC, theme_config_ro,
  theme_config_service, theme_config_preview_reader;
GRANT EXECUTE ON FUNCTION tenant_service.host_served_elsewhere(text) TO theme_config_app;
GRANT EXECUTE ON FUNCTION tenant_service.host_claims_displace(text, text) TO theme_config_app;

-- Rolling deploy: the previous release inserts hosts naming neither verification_status nor
-- verified_at (the DEFAULT 'pending' applies). Such an insert, tenant's or operator's alike (the
-- database cannot tell them apart), becomes a claim with no challenge yet instead of a served host:
-- it neither fails nor resolves (fail closed). The tenant asks for a challenge, or an operator
-- verifies it by hand on /platform/. A name another tenant serves still fails as before
-- (tenant_hosts_pkey, HOST_TAKEN).
CREATE FUNCTION tenant_service.tenant_hosts_unverified_to_claim() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.verification_status = 'verified' AND NEW.verified_at IS NOT NULL THEN
    RETURN NEW;
  END IF;
  IF tenant_service.host_served_elsewhere(NEW.host) THEN
    RAISE EXCEPTION 'duplicate key value violates unique constraint "tenant_hosts_pkey"'
      USING ERRCODE = 'unique_violation', CONSTRAINT = 'tenant_hosts_pkey', TABLE = 'tenant_hosts',
            SCHEMA = 'tenant_service';
  END IF;
  INSERT INTO tenant_service.tenant_host_claims (tenant_id, host, property_id)
  VALUES (NEW.tenant_id, NEW.host, NEW.property_id) ON CONFLICT (tenant_id, host) DO NOTHING;
  RETURN NULL;
END;
$$;
CREATE TRIGGER tenant_hosts_unverified_to_claim BEFORE INSERT ON tenant_service.tenant_hosts
  FOR EACH ROW EXECUTE FUNCTION tenant_service.tenant_hosts_unverified_to_claim();

-- One list of a tenant's hosts for the API and the admin pages: served hosts and pending claims,
-- each with its state. security_invoker: the reader's own row level security applies.
CREATE VIEW tenant_service.tenant_host_listing WITH (security_invoker = true) AS
SELECT h.tenant_id || ':' || h.host AS id, h.tenant_id, h.host, h.property_id, h.created_at,
       'verified'::text AS verification_status, h.verified_at, h.verified_by, h.verification_method,
       0 AS verification_attempts, NULL::timestamptz AS verification_checked_at,
       NULL::timestamptz AS verification_next_check_at, NULL::text AS verification_last_error
  FROM tenant_service.tenant_hosts h
UNION ALL
SELECT c.tenant_id || ':' || c.host, c.tenant_id, c.host, c.property_id, c.created_at,
       'pending', NULL, NULL, NULL, c.verification_attempts, c.verification_checked_at,
       c.verification_next_check_at, c.verification_last_error
  FROM tenant_service.tenant_host_claims c;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON tenant_service.tenant_host_listing FROM theme_config_app, theme_config_service;
GRANT SELECT ON tenant_service.tenant_host_listing TO theme_config_app, theme_config_ro, theme_config_service;
