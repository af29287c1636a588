DROP TABLE theme_config.publish_schedules;
