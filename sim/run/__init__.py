"""Running the model: the Hydra app, run folders, manifests and sweeps."""
