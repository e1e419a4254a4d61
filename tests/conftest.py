"""Suite-wide test settings.

Hypothesis runs derandomized (the same examples on every run, so a failure reproduces and CI
is not flaky) and without its per-example deadline, which a loaded 2-core CI machine would
otherwise trip on slow-but-correct examples. Tests that set their own ``@settings`` keep
their own limits for the values they name.
"""

from hypothesis import settings

settings.register_profile("rehab_eval", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("rehab_eval")
