DROP TABLE theme_config.ai_generation_jobs;
