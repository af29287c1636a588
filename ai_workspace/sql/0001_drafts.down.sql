-- Reverses 0001_drafts.sql (indexes and policies go with the tables).
DROP TABLE theme_config.content_drafts;
DROP TABLE theme_config.translation_drafts;
DROP TABLE theme_config.palette_suggestions;
