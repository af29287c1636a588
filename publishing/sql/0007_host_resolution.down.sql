DROP FUNCTION theme_config.resolve_host(text);
DROP TRIGGER tenant_hosts_host_resolution ON tenant_service.tenant_hosts;
DROP FUNCTION theme_config.host_resolution_host_trg();
DROP TRIGGER themes_host_resolution ON theme_config.themes;
DROP FUNCTION theme_config.host_resolution_theme_trg();
DROP FUNCTION theme_config.host_resolution_sync(text, text);
DROP TABLE theme_config.host_resolution;
