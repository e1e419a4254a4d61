"""Raw exports → canonical tables: :func:`run_etl` and :func:`load_processed`."""

from rehab_eval.etl.pipeline import EtlResult, run_etl
from rehab_eval.etl.processed import Processed, load_processed

__all__ = ["EtlResult", "Processed", "load_processed", "run_etl"]
