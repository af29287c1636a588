DROP FUNCTION theme_config.audit_log_ensure_partitions(int);
-- Takes every partition (monthly and DEFAULT) and the identity sequence with it.
DROP TABLE theme_config.audit_log;
