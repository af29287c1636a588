-- Reverses 0002_themes.sql: children first, then versions, themes and the §4.2 helper.
DROP TABLE theme_config.locale_packs;
DROP TABLE theme_config.email_themes;
DROP TABLE theme_config.booking_flow_configs;
DROP TABLE theme_config.navigation_configs;
DROP TABLE theme_config.content_blocks;
DROP TABLE theme_config.theme_versions;
DROP TABLE theme_config.themes;
DROP FUNCTION theme_config.jsonb_keys_are_locales(jsonb);
