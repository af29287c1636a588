-- Reverses 0001_publications.sql: what it added to themeconfig's tables first, then its own tables.
DROP POLICY preview_reader_read ON theme_config.theme_versions;
REVOKE SELECT ON theme_config.theme_versions FROM theme_config_preview_reader;
DROP TABLE theme_config.preview_tokens;
DROP INDEX theme_config.themes_active_publication_idx;
ALTER TABLE theme_config.themes DROP CONSTRAINT themes_active_publication_fk;
DROP TABLE theme_config.theme_publications;
