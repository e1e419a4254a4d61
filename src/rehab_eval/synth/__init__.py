"""Synthetic program records: raw exports as offices keep them, and their ground truth."""

from rehab_eval.synth.generate import generate_synthetic

__all__ = ["generate_synthetic"]
