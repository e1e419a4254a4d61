"""Write wilcoxon_hl.csv, paired differences for the Hodges–Lehmann reference (run once).

Cases: ``exact`` (14 continuous differences), ``ties`` (40 differences rounded to whole
points: ties and zeros, R's normal approximation), ``large`` (120 continuous differences).
Seed numpy.random.default_rng(20261202). Usage: python make_wilcoxon.py (from this folder).
"""

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261202)
parts = [
    pd.DataFrame({"case": "exact", "d": np.round(rng.normal(2, 4, 14), 6)}),
    pd.DataFrame({"case": "ties", "d": np.round(rng.normal(1, 3, 40))}),
    pd.DataFrame({"case": "large", "d": np.round(rng.normal(0.8, 5, 120), 6)}),
]
pd.concat(parts).to_csv("wilcoxon_hl.csv", index=False)
