-- Reverses 0011_outbox_lease.sql.
ALTER TABLE theme_config.outbox DROP COLUMN locked_by;
ALTER TABLE theme_config.outbox DROP COLUMN locked_until;
