-- Transactional outbox: a use case writes its event in its own (request) transaction, as the app
-- role. INSERT only, with the id sequence: it can neither read nor change anyone's events (the
-- drain runs as theme_config_service). The enqueue uses a plain INSERT, without RETURNING, which
-- would need SELECT.
GRANT INSERT ON theme_config.outbox TO theme_config_app;
GRANT USAGE ON SEQUENCE theme_config.outbox_id_seq TO theme_config_app;
