"""The validation report: every target, its source, fitted or held-out, the model's value with a CI.

Run ``python -m sim.validate`` (see ``__main__``). ``targets`` is the registry, ``studies`` the
runs behind it, ``adapter`` the one module that touches the model, ``runner`` the parallel
runs and verdicts, ``report`` the markdown, Parquet, figures and machine-readable verdicts.
"""
