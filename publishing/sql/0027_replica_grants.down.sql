REVOKE EXECUTE ON FUNCTION theme_config.resolve_host_at_generation(text) FROM theme_config_ro;
REVOKE EXECUTE ON FUNCTION theme_config.resolve_host(text) FROM theme_config_ro;
REVOKE SELECT ON theme_config.resolve_generation FROM theme_config_ro;
