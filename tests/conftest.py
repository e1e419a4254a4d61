"""Suite-wide test settings, and the demo data every report test renders from.

Hypothesis runs derandomized (the same examples on every run, so a failure reproduces and CI
is not flaky) and without its per-example deadline, which a loaded 2-core CI machine would
otherwise trip on slow-but-correct examples. Tests that set their own ``@settings`` keep
their own limits for the values they name.
"""

import pytest
from hypothesis import settings

settings.register_profile("rehab_eval", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("rehab_eval")


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """Synthetic raw exports → canonical tables → scores, once per session."""
    from rehab_eval.etl import run_etl
    from rehab_eval.scoring import score_processed
    from rehab_eval.synth import generate_synthetic

    root = tmp_path_factory.mktemp("demo")
    truth = generate_synthetic(root / "raw", seed=7, truth_path=root / "truth.json")
    run_etl(
        root / "raw",
        root / "processed",
        secret="notebook-tests-secret-5f1c9e2a7b3d4c6e8f0a1b2c3d4e5f607182a3b4c5d6e7f8",
    )
    score_processed(root / "processed")
    return {"root": root, "processed": root / "processed", "truth": truth}
