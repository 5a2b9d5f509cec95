"""The spreadsheet import layer every xlsx import uses (DESIGN §10): one guard, one reader, typed cell checks
and one error report.

* ``workbook_guard`` looks at the package before the reader does. calamine reads a sheet into one dense grid
  from its top-left to its bottom-right cell (and reserves room for the sheet's declared ``<dimension>``), so a
  1 KB file naming XFD1048576 would make it allocate hundreds of gigabytes. The guard unpacks every part itself
  (bounded: zip bombs are refused), finds the sheets the workbook declares (``xl/workbook.xml`` through its
  relationships, and every part whose content type or body is a sheet — never a fixed path), checks their
  extent (dimension, merged ranges, every cell and row reference) and hands the reader a re-packed copy of
  exactly the bytes it checked, so a part whose compressed stream lies about its size never reaches calamine.
* ``read_upload`` / ``read_xlsx`` turn the first sheet into a ``tablib.Dataset`` (header row first, true row
  numbers kept).
* ``clean_*`` check one cell against its column (type, the model field's length or digits, range) and raise
  ``CellError`` with the words every import shows; ``Row`` applies them and collects the row's problems.
* ``ImportReport`` is the one report: a file with any problem writes nothing and lists every problem by row,
  column and reason.

Modules: ``report`` (the report, ``FileRefused`` / ``CellError``), ``guard``, ``reader``, ``cells`` (the checks and
``Row``). The package imports no other app: the models whose limits apply are passed in by the callers.
"""

from branches.spreadsheets.cells import (
    DATE_FORMATS,
    EARLIEST_BIRTH_DATE,
    EARLIEST_DATE,
    FORMULA_STARTS,
    ID_CHECK,
    ID_RE,
    ID_WEIGHTS,
    MONTH_FORMATS,
    PHONE_RE,
    FormulaError,
    Row,
    cell_text,
    clean_choice,
    clean_date,
    clean_decimal,
    clean_id_number,
    clean_integer,
    clean_phone,
    clean_text,
    data_rows,
    earliest_date,
    id_number_is_valid,
    id_number_key,
    sort_errors,
)
from branches.spreadsheets.guard import MAX_COLUMNS, guarded_package, workbook_guard
from branches.spreadsheets.reader import read_upload, read_xlsx
from branches.spreadsheets.report import (
    CellError,
    FileRefused,
    ImportError_,
    ImportReport,
    RowError,
    column_label,
    column_letter,
    column_letters,
    file_error,
    row_not_saved_message,
)

__all__ = [
    "DATE_FORMATS",
    "EARLIEST_BIRTH_DATE",
    "EARLIEST_DATE",
    "FORMULA_STARTS",
    "ID_CHECK",
    "ID_RE",
    "ID_WEIGHTS",
    "MAX_COLUMNS",
    "MONTH_FORMATS",
    "PHONE_RE",
    "CellError",
    "FileRefused",
    "FormulaError",
    "ImportError_",
    "ImportReport",
    "Row",
    "RowError",
    "cell_text",
    "clean_choice",
    "clean_date",
    "clean_decimal",
    "clean_id_number",
    "clean_integer",
    "clean_phone",
    "clean_text",
    "column_label",
    "column_letter",
    "column_letters",
    "data_rows",
    "earliest_date",
    "file_error",
    "guarded_package",
    "id_number_is_valid",
    "id_number_key",
    "read_upload",
    "read_xlsx",
    "row_not_saved_message",
    "sort_errors",
    "workbook_guard",
]
