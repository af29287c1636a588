-- The resolve cache's fill may read from the streaming replica as theme_config_ro
-- (themeconfig/platform/read_replica.py): the public read with its stamp, and the stamp's counter.
-- resolve_host() stays SECURITY DEFINER and answers for the one host asked about, as for the app role.
GRANT SELECT ON theme_config.resolve_generation TO theme_config_ro;
GRANT EXECUTE ON FUNCTION theme_config.resolve_host(text) TO theme_config_ro;
GRANT EXECUTE ON FUNCTION theme_config.resolve_host_at_generation(text) TO theme_config_ro;
