-- Reverses 0002_outbox_inbox.sql (the sequence and grants go with the tables).
DROP TABLE theme_config.idempotency_keys;
DROP TABLE theme_config.consumed_events;
DROP TABLE theme_config.outbox;
