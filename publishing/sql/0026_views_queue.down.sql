ALTER TABLE theme_config.read_model_refresh_state
  DROP COLUMN pending_since,
  DROP COLUMN covering_since,
  DROP COLUMN last_lag_ms;
