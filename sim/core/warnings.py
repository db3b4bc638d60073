"""The model's warnings: things that run but are probably not what the user meant."""


class SimWarning(UserWarning):
    """A setting or input the model accepts but that likely surprises (e.g. isolated customers).

    The command line prints these as one ``warning: ...`` line each (``sim/run/cli.py``).
    """
