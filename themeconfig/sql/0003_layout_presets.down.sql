-- Reverses 0003_layout_presets.sql (the grants go with the table).
DROP TABLE theme_config.layout_presets;
