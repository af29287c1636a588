-- Reverses 0004_brand_kits.sql (indexes and the policy go with the table).
DROP TABLE theme_config.brand_kits;
