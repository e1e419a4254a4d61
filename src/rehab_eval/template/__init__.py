"""The recommended data-entry workbook: sheets the ETL reads without a reject.

``rehab-eval template --out FILE.xlsx`` writes it; :func:`build_template` returns it as an
openpyxl workbook and :func:`template_spec` as plain data.
"""

from rehab_eval.template.spec import ColumnSpec, SheetSpec, answer_words, template_spec
from rehab_eval.template.workbook import build_template, write_template

__all__ = [
    "ColumnSpec",
    "SheetSpec",
    "answer_words",
    "build_template",
    "template_spec",
    "write_template",
]
