"""The Hydra configs: config.yaml and one folder per config group (experiment/ holds the named studies)."""
