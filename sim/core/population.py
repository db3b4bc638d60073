"""Person state as a struct of arrays, one row per person in the market's graph."""

from __future__ import annotations

import numpy as np

from sim.core.states import Membership, Mood


class Population:
    """Right-sized arrays; a ``Customer`` agent is a view onto one row."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.member = np.full(n, Membership.PROSPECT, dtype=np.int8)
        self.mood = np.full(n, Mood.CONTENT, dtype=np.int8)
        self.loyalty = np.zeros(n, dtype=np.float64)  # chance to buy from the firm at an occasion
        self.loyalty_level = np.zeros(n, dtype=np.float32)  # the person's own level, where loyalty fades back to
        self.loyalty_day = np.zeros(n, dtype=np.int32)  # day ``loyalty`` was last brought up to date
        self.churn_day = np.zeros(n, dtype=np.int32)  # next churn candidate day
        self.churn_bound = np.zeros(n, dtype=np.float32)  # daily churn chance the candidate was drawn at
        self.loyalty_before = np.zeros(n, dtype=np.float32)  # at the last failure, for the repair
        self.satisfaction = np.zeros(n, dtype=np.float32)  # attitude to the firm: drives word of mouth
        self.satisfaction_before = np.zeros(n, dtype=np.float32)  # at the last failure
        self.expectation = np.zeros(n, dtype=np.float32)
        self.propensity = np.ones(n, dtype=np.float32)  # personal norm to complain, mean 1
        self.severity = np.zeros(n, dtype=np.float32)  # felt severity of the open failure
        self.cause = np.zeros(n, dtype=np.int8)  # Bitner cause of the open failure
        self.failures = np.zeros(n, dtype=np.int16)  # dissatisfying failures so far
        self.next_purchase = np.zeros(n, dtype=np.int32)  # day of the next purchase occasion
        self.complaint_day = np.full(n, -1, dtype=np.int32)  # day the open case was queued
        self.waiting = np.zeros(n, dtype=bool)  # case queued: neither buys nor leaves until answered
        self.terrorist = np.zeros(n, dtype=bool)
        self.tell_left = np.zeros(n, dtype=np.int16)  # negative messages still to tell
        self.told = np.zeros(n, dtype=np.int16)  # friends passed along the row in this episode
        self.reached = np.zeros(n, dtype=np.int16)  # of them, those the story reached (the tie was used)
        self.firsthand = np.zeros(n, dtype=bool)  # telling about their own failure (not forwarding)
        self.cursor = np.zeros(n, dtype=np.int32)  # random start in the neighbour row
        self.heard_negative = np.zeros(n, dtype=np.float32)  # recent negative messages heard (fading)
        self.heard_negative_day = np.zeros(n, dtype=np.int32)  # day heard_negative was last brought up to date
