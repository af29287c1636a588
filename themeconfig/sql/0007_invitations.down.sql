DROP TABLE theme_config.invitations;
