"""``python -m sim``: one simulation, or a sweep with ``--multirun`` (the app is ``sim/run/app.py``)."""

from sim.run.app import cli

cli()
