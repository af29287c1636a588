DROP FUNCTION IF EXISTS theme_config.audit_log_drop_partitions_before(timestamptz, boolean);
