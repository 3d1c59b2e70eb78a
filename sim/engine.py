"""The model of one replication: the kernel (``sim.core``) with every feature of ``sim.extensions`` attached."""
from __future__ import annotations

from typing import Any

from sim.core import Model as Kernel
from sim.extensions import FEATURES


class Model(Kernel):
    """One replication of ``scenario``: the kernel, each feature the scenario uses attached in the list's order."""

    def __init__(self, scenario: Any, replication: int, seed: int):
        super().__init__(scenario, replication, seed, FEATURES)
