DROP TABLE IF EXISTS theme_config.bundle_purges;
