"""Questionnaires declared as data: WHOQOL-BREF, URICA (32-item form) and WHO ASSIST v3.0.

Each instrument is a TOML declaration in ``declarations/`` read into frozen dataclasses
(:mod:`rehab_eval.instruments.model`); :func:`rehab_eval.score` computes them all with one
generic scorer.
"""

from rehab_eval.instruments.answers import Answers, read_answers
from rehab_eval.instruments.model import Instrument, Profile, Scale
from rehab_eval.instruments.registry import get_instrument, list_instruments

__all__ = [
    "Answers",
    "Instrument",
    "Profile",
    "Scale",
    "get_instrument",
    "list_instruments",
    "read_answers",
]
