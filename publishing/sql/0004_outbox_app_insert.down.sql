REVOKE USAGE ON SEQUENCE theme_config.outbox_id_seq FROM theme_config_app;
REVOKE INSERT ON theme_config.outbox FROM theme_config_app;
