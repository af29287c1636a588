-- Reverses 0011_host_claims.sql. Pending claims are dropped, not moved back into tenant_hosts:
-- several tenants may claim one name (the host primary key holds one), and a pending row in
-- tenant_hosts would be served by any further rollback (publishing 0010.down, themeconfig
-- 0009.down). Their tenants add them again (a new challenge) once rolled forward.
DROP VIEW tenant_service.tenant_host_listing;
DROP TRIGGER tenant_hosts_unverified_to_claim ON tenant_service.tenant_hosts;
DROP FUNCTION tenant_service.tenant_hosts_unverified_to_claim();
DROP FUNCTION tenant_service.host_claims_displace(text, text);
DROP FUNCTION tenant_service.host_served_elsewhere(text);
DROP POLICY host_lookup ON tenant_service.tenant_hosts;
DROP TABLE tenant_service.tenant_host_claims;
ALTER TABLE tenant_service.tenant_hosts
  DROP CONSTRAINT tenant_hosts_verified_only,
  DROP COLUMN verification_method,
  ADD COLUMN verification_token_hash text,
  ADD COLUMN verification_attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN verification_checked_at timestamptz,
  ADD COLUMN verification_next_check_at timestamptz,
  ADD COLUMN verification_leased_until timestamptz,
  ADD COLUMN verification_last_error text,
  ADD CONSTRAINT tenant_hosts_verification_status_check CHECK (verification_status IN ('pending', 'verified')),
  ADD CONSTRAINT tenant_hosts_verification_token_chk
    CHECK (verification_status = 'verified'
           OR (verification_token_hash IS NOT NULL AND verification_token_hash ~ '^[0-9a-f]{64}$')),
  ADD CONSTRAINT tenant_hosts_verification_attempts_check CHECK (verification_attempts >= 0);
