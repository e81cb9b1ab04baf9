"""The installer's config (`gitpod.config.yaml`), its Secrets, and a checker for both."""
