DROP FUNCTION theme_config.resolve_host_at_generation(text);
DROP TRIGGER host_resolution_generation ON theme_config.host_resolution;
DROP FUNCTION theme_config.host_resolution_generation_trg();
DROP FUNCTION theme_config.resolve_generation_bump(text[]);
DROP TABLE theme_config.resolve_generation;
