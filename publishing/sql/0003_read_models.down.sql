-- Reverses 0003_read_models.sql.
DROP FUNCTION theme_config.refresh_read_models();
DROP MATERIALIZED VIEW theme_config.host_to_theme_view;
DROP MATERIALIZED VIEW theme_config.published_theme_view;
DROP POLICY read_model_refresh ON tenant_service.tenant_hosts;
DROP POLICY read_model_refresh ON theme_config.theme_publications;
DROP POLICY read_model_refresh ON theme_config.themes;
