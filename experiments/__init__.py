"""Named studies beyond a plain sweep: Optuna optimisation and SALib sensitivity."""
