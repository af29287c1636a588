-- Hosts are proven before they are served (issue 16). A host a tenant adds starts `pending` with a
-- challenge: a DNS TXT record at `_theme-config.<host>` holding a token shown once; only the
-- token's sha256 is kept (like an API key's secret). Only `verified` hosts resolve
-- (publishing/sql/0010). Hosts that exist before this migration were added by operators or under
-- the old rules and stay served: the column is added with DEFAULT 'verified' (a catalog-only
-- change, no rewrite), then the default becomes 'pending' for every row inserted from now on, so
-- a writer that does not say otherwise never gets a served host.
ALTER TABLE tenant_service.tenant_hosts
  ADD COLUMN verification_status text NOT NULL DEFAULT 'verified',
  ADD COLUMN verification_token_hash text,
  ADD COLUMN verified_at timestamptz,
  ADD COLUMN verified_by text,
  ADD COLUMN verification_attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN verification_checked_at timestamptz,
  ADD COLUMN verification_next_check_at timestamptz,
  ADD COLUMN verification_leased_until timestamptz,
  ADD COLUMN verification_last_error text;
ALTER TABLE tenant_service.tenant_hosts ALTER COLUMN verification_status SET DEFAULT 'pending';
-- NOT VALID then VALIDATE: the check of existing rows takes no lock that blocks writes.
ALTER TABLE tenant_service.tenant_hosts
  ADD CONSTRAINT tenant_hosts_verification_status_check
    CHECK (verification_status IN ('pending', 'verified')) NOT VALID,
  ADD CONSTRAINT tenant_hosts_verification_token_chk
    CHECK (verification_status = 'verified'
           OR (verification_token_hash IS NOT NULL AND verification_token_hash ~ '^[0-9a-f]{64}$')) NOT VALID,
  ADD CONSTRAINT tenant_hosts_verification_attempts_check CHECK (verification_attempts >= 0) NOT VALID;
ALTER TABLE tenant_service.tenant_hosts VALIDATE CONSTRAINT tenant_hosts_verification_status_check;
ALTER TABLE tenant_service.tenant_hosts VALIDATE CONSTRAINT tenant_hosts_verification_token_chk;
ALTER TABLE tenant_service.tenant_hosts VALIDATE CONSTRAINT tenant_hosts_verification_attempts_check;
