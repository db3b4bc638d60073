"""Running the model: the Hydra app, run folders, manifests and sweeps.

Importing this package registers the ``${uid:}`` resolver that ``sim/conf/config.yaml`` puts in
every default run and sweep folder name. Hydra's ``${now:...}`` has one-second resolution; two
runs started in the same second would share a folder and lose one run's results.
"""

import secrets

from omegaconf import OmegaConf


def _uid() -> str:
    """Eight random hex digits, drawn once per process (cached), so a run's folder name is stable."""
    return secrets.token_hex(4)


OmegaConf.register_new_resolver("uid", _uid, use_cache=True, replace=True)
