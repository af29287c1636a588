DROP TRIGGER theme_versions_void_publish_requests ON theme_config.theme_versions;
DROP FUNCTION theme_config.publish_requests_void_on_edit();
DROP TABLE theme_config.publish_requests;
