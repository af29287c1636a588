-- The lag of the seed's materialized views, commit -> refreshed (issue 23): the oldest commit
-- (its outbox event's time) that no refresh has started to cover yet, the oldest one the refresh
-- in flight covers, and what the last refresh measured. The metrics read them from this one row.
ALTER TABLE theme_config.read_model_refresh_state
  ADD COLUMN pending_since timestamptz NULL,
  ADD COLUMN covering_since timestamptz NULL,
  ADD COLUMN last_lag_ms numeric NULL;
