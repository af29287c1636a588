-- Retention of the audit log (seed 002/004: three years by default, RETENTION_AUDIT_LOG_MONTHS):
-- whole monthly partitions that end at or before the cutoff are detached and dropped by the
-- retention worker (publishing/retention.py, kind `audit_log`); the rows of the partition the
-- cutoff falls in are deleted in batches by the service role, which keeps DELETE on the log.
--
-- SECURITY DEFINER: the migrator owns the partitions and only an owner may detach or drop them;
-- EXECUTE for theme_config_service only. DETACH without CONCURRENTLY (that form cannot run in a
-- function's transaction) takes ACCESS EXCLUSIVE on the parent for an instant: a lock that is not
-- granted soon fails this run instead of queueing the log's writers behind it, and tomorrow's run
-- tries again. The DEFAULT partition is never dropped.
CREATE OR REPLACE FUNCTION theme_config.audit_log_drop_partitions_before(p_cutoff timestamptz, p_dry_run boolean)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '5s'
AS $$
DECLARE
  part record;
BEGIN
  IF p_cutoff IS NULL THEN
    RAISE EXCEPTION 'a cutoff is required' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('theme_config.audit_log_ensure_partitions'));
  FOR part IN
    SELECT c.relname,
           substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)')::timestamptz AS upper_bound
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'theme_config.audit_log'::regclass
       AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
     ORDER BY 2
  LOOP
    CONTINUE WHEN part.upper_bound IS NULL OR part.upper_bound > p_cutoff;
    IF NOT p_dry_run THEN
      EXECUTE format('ALTER TABLE theme_config.audit_log DETACH PARTITION theme_config.%I', part.relname);
      EXECUTE format('DROP TABLE theme_config.%I', part.relname);
    END IF;
    RETURN NEXT part.relname;
  END LOOP;
  RETURN;
END;
$$;
REVOKE ALL ON FUNCTION theme_config.audit_log_drop_partitions_before(timestamptz, boolean)
  FROM PUBLIC, theme_config_app, theme_config_ro, theme_config_preview_reader;
GRANT EXECUTE ON FUNCTION theme_config.audit_log_drop_partitions_before(timestamptz, boolean) TO theme_config_service;
