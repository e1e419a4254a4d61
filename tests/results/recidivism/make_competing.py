"""Write competing.csv: seeded synthetic competing-risks data for test_recidivism_rossi.py.

Run from this folder: ``python make_competing.py``; then ``Rscript rossi_reference.R``.
"""

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261123)
n = 300
t1 = rng.exponential(20, n)
t2 = rng.exponential(60, n)
c = rng.uniform(5, 40, n)
t = np.minimum.reduce([t1, t2, c])
status = np.select([t == t1, t == t2], [1, 2], 0)
kind = np.array(["end_of_study", "rearrest", "death"])[status]
pd.DataFrame({"time": np.ceil(t).astype(int), "status": status, "kind": kind}).to_csv(
    "competing.csv", index=False
)
