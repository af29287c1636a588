"""AI workspace: palette, translation and content drafts and their approval workflow."""
