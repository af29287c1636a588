-- The relay claims events with a lease instead of holding their row locks over the network
-- (publishing/relay.py): a short transaction takes due events with FOR UPDATE SKIP LOCKED, stamps
-- `locked_until`/`locked_by` and commits; the relay then delivers and records the outcome only while
-- the lease is still its own. A relay that dies mid-delivery holds nothing: once `locked_until`
-- passes, another relay takes the event again. Both columns nullable (backward-compatible).
ALTER TABLE theme_config.outbox ADD COLUMN locked_until timestamptz NULL;
ALTER TABLE theme_config.outbox ADD COLUMN locked_by text NULL;
