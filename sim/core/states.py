"""Named state codes stored in the model's int8 arrays."""

from enum import IntEnum


class Membership(IntEnum):
    """Where a person stands with the firm."""

    PROSPECT = 0
    ACTIVE = 1
    CHURNED = 2


class Mood(IntEnum):
    """A customer's current attitude; what the demo colours and the daily counts read."""

    CONTENT = 0
    SWAYED = 1  # heard negative word of mouth, no own failure
    UNHAPPY = 2  # dissatisfied by a failure, not (yet) recovered
    WAITING = 3  # complained or was detected, recovery queued
    RECOVERED = 4  # recovery restored at least part of the loss
    TERRORIST = 5  # double deviation: failure, then a bad recovery

