-- Reverses 0008_preview_read.sql (its grants go with the function).
DROP FUNCTION theme_config.preview_bundle_inputs(text);
