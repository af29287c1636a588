DROP TABLE theme_config.routing_flag_audit;
DROP TABLE theme_config.routing_flags;
