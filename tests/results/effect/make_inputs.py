"""Write rossi_weighted.csv: the Rossi data with seeded case weights and clusters.

Run from this folder: python make_inputs.py (numpy.random.default_rng(20261202)).
"""

import numpy as np
import pandas as pd

r = pd.read_csv("../recidivism/rossi.csv")
rng = np.random.default_rng(20261202)
r["w"] = np.round(rng.uniform(0.3, 3.0, len(r)), 4)
r["cl"] = "k" + pd.Series(rng.integers(0, 12, len(r))).astype(str)
r.to_csv("rossi_weighted.csv", index=False)

# competing.csv with a seeded group (0/1) and case weight (uniform on [0.5, 2])
c = pd.read_csv("../recidivism/competing.csv")
rng = np.random.default_rng(20261203)
c["grp"] = rng.integers(0, 2, len(c))
c["w"] = np.round(rng.uniform(0.5, 2.0, len(c)), 4)
c.to_csv("competing_weighted.csv", index=False)
