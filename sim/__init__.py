"""Word of mouth after service failures: an agent-based simulator."""

from sim.core.model import WomModel

__all__ = ["WomModel"]
