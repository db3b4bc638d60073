"""The model core: config, rules, network, state arrays, the model and its agents; no Hydra."""
