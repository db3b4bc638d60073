"""``hydra/sweeper=batched``: wom-sim's batched sweep as a Hydra sweeper plugin."""
