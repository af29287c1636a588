-- Secrets and personal data at rest (themeconfig/platform/encryption.py).
--
-- Invitations: `email` now holds a Fernet token, so its CHECK (lower case, one @) and the unique
-- open-invitation index move to `email_hash`, the HMAC-SHA256 of the address. The address is
-- validated by the use case (membership_invite) before it is encrypted. The column is added
-- nullable (filled by the data step of the same migration); the index is built inside the
-- migration's transaction, not CONCURRENTLY: invitations is a small table (a handful of rows per
-- tenant) and the data step rewrites every row under the same lock anyway.
ALTER TABLE theme_config.invitations DROP CONSTRAINT invitations_email_check;
ALTER TABLE theme_config.invitations ADD COLUMN email_hash text NULL
  CONSTRAINT invitations_email_hash_chk CHECK (email_hash ~ '^[0-9a-f]{64}$');
DROP INDEX theme_config.invitations_open_email_uq;
CREATE UNIQUE INDEX invitations_open_email_hash_uq ON theme_config.invitations(tenant_id, email_hash)
  WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- Audit-log IP addresses are coarsened after AUDIT_IP_COARSEN_DAYS (purge_expired, kind
-- audit_ip_coarsen, on the service role). The log stays append-only for everything else: the
-- service role may update the ip column only, and only to the address's own /24 (IPv4) or /48
-- (IPv6) network; any other UPDATE is refused by the trigger.
GRANT UPDATE (ip) ON theme_config.audit_log TO theme_config_service;

CREATE FUNCTION theme_config.audit_log_coarsened_ip(address inet) RETURNS inet
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN masklen(address) <= CASE family(address) WHEN 4 THEN 24 ELSE 48 END THEN address
              ELSE network(set_masklen(address, CASE family(address) WHEN 4 THEN 24 ELSE 48 END))::inet END
$$;

CREATE FUNCTION theme_config.audit_log_only_coarsen() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF (to_jsonb(NEW) - 'ip') IS DISTINCT FROM (to_jsonb(OLD) - 'ip')
     OR NEW.ip IS DISTINCT FROM theme_config.audit_log_coarsened_ip(OLD.ip) THEN
    RAISE EXCEPTION 'audit_log is append-only: an UPDATE may only coarsen ip to its /24 or /48 network'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER audit_log_only_coarsen BEFORE UPDATE ON theme_config.audit_log
  FOR EACH ROW EXECUTE FUNCTION theme_config.audit_log_only_coarsen();
