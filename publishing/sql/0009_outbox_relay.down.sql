-- Reverses 0009_outbox_relay.sql.
DROP TABLE theme_config.read_model_refresh_state;
DROP TABLE theme_config.webhook_deliveries;
DROP TABLE theme_config.webhook_subscriptions;
DROP INDEX theme_config.outbox_published_at_idx;
DROP INDEX theme_config.outbox_dead_lettered_idx;
DROP INDEX theme_config.outbox_partition_pending_idx;
ALTER TABLE theme_config.outbox DROP COLUMN dead_lettered_at;
ALTER TABLE theme_config.outbox DROP COLUMN next_attempt_at;
