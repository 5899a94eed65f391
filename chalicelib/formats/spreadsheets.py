"""The files of contact imports and exports (SPEC IM-1..5, CL-9): CSV and Excel .xlsx.

Reading yields `(row number, cells)` pairs, the header row included, with the row numbers a
user sees in Excel or a text editor, so an import's error report points at the right lines.
Files are streamed: a CSV of 200 MB costs a Lambda no more memory than a small one, and an
.xlsx only its table of distinct texts (openpyxl keeps that one in memory). A CSV's
encoding and delimiter are guessed from its first 64 KiB, because sales teams export from
Excel in whatever their Windows locale uses (cp1252 in France, cp1251 in Russia, UTF-16 for
"Unicode text") and never say which.

Writing produces files Excel opens right (a UTF-8 BOM for CSV) and that cannot run formulas.

`openpyxl` and `charset_normalizer` are imported inside the functions that need them: the API
Lambda imports this module for `detect_format` and must not pay for them on a cold start.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from chalicelib.domain.errors import ValidationError

HEAD_BYTES = 64 * 1024  # what encoding and delimiter detection look at
DELIMITERS = ",;\t|"
_SNIFF_LINES = 20
# Rows of one Excel sheet, the header included.
XLSX_MAX_ROWS = 1_048_576
_XLSX_MAX_CELL = 32_767

_SAVE_AS = "save the file as .xlsx or .csv"


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True, slots=True)
class SheetInfo:
    format: FileFormat
    encoding: str | None = None  # CSV only: the codec the file is read with
    delimiter: str | None = None  # CSV only: one of DELIMITERS


# --- format ----------------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls, and also any password-protected .xlsx
_EXTENSIONS = {".csv": FileFormat.CSV, ".txt": FileFormat.CSV, ".tsv": FileFormat.CSV, ".xlsx": FileFormat.XLSX}
_CONTENT_TYPES = {
    "text/csv": FileFormat.CSV,
    "text/x-csv": FileFormat.CSV,
    "application/csv": FileFormat.CSV,
    "text/plain": FileFormat.CSV,
    "text/tab-separated-values": FileFormat.CSV,
    # Browsers on Windows label .csv files so when Excel is installed; a real .xls was
    # refused above by its magic bytes or its extension.
    "application/vnd.ms-excel": FileFormat.CSV,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": FileFormat.XLSX,
}


def detect_format(filename: str, content_type: str | None, head: bytes) -> FileFormat:
    """CSV or XLSX, from the file's first bytes, else its extension, else its content type."""
    if head.startswith(_ZIP_MAGIC):
        return FileFormat.XLSX
    extension = os.path.splitext(filename.strip().lower())[1]
    if head.startswith(_OLE_MAGIC) or extension == ".xls":
        raise ValidationError(
            f"old Excel .xls files and password-protected workbooks cannot be read: {_SAVE_AS}", field="filename"
        )
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type in _CONTENT_TYPES:
        return _CONTENT_TYPES[media_type]
    raise ValidationError(f"'{filename}' is not a spreadsheet we can read: {_SAVE_AS}", field="filename")


# --- reading ---------------------------------------------------------------------------------


def open_rows(path: str | os.PathLike[str], fmt: FileFormat) -> tuple[SheetInfo, Iterator[tuple[int, list[str]]]]:
    """The file's non-empty rows, header included, as `(row number, cells)`, streamed.

    Cells are stripped strings and a row's trailing empty cells are dropped (a column past
    its end is empty). Close the iterator (or exhaust it) to release the file. A file that is
    not what it claims raises ValidationError(field="file"), here or while iterating.
    """
    if fmt is FileFormat.XLSX:
        _check_xlsx(path)
        return SheetInfo(FileFormat.XLSX), _xlsx_rows(path)
    with open(path, "rb") as raw:
        head = raw.read(HEAD_BYTES)
    complete = len(head) < HEAD_BYTES
    encoding = _detect_encoding(head, complete)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=complete)
    _check_text(text)
    if not complete:  # sniff whole lines only
        text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1]
    delimiter = _detect_delimiter(text)
    return SheetInfo(FileFormat.CSV, encoding, delimiter), _csv_rows(path, encoding, delimiter)


def _clean(cells: Iterable[str]) -> list[str]:
    row = [cell.strip() for cell in cells]
    while row and not row[-1]:
        row.pop()
    return row


def _csv_rows(path: str | os.PathLike[str], encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    number = 0
    # errors="replace": the encoding was guessed from the first 64 KiB only; a stray byte
    # further on (one row pasted from another file) should cost that cell a "�", not fail the
    # whole import at row 80,000.
    with open(path, "rb") as raw, io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="") as text:
        # skipinitialspace: hand-made files put a space after the delimiter, and `a, "b, c"` is
        # then two cells, not three; the cells are stripped anyway.
        reader = csv.reader(text, delimiter=delimiter, skipinitialspace=True)
        try:
            # One record is one row, as Excel shows it, even when a quoted cell spans lines.
            for number, record in enumerate(reader, start=1):
                cells = _clean(record)
                if cells:
                    yield number, cells
        except csv.Error as exc:
            raise ValidationError(
                f"row {number + 1} cannot be read ({exc}); check for a quote left open", field="file"
            ) from exc


# --- CSV encoding and delimiter ----------------------------------------------------------------

# UTF-32 first: its little-endian BOM starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Letters in cp1251 or cp1252: ASCII, 0xC0-0xFF (the Russian alphabet / accented Latin), then
# cp1251's Yo and Ukrainian letters, which are symbols in cp1252.
_WORD = re.compile(rb"[A-Za-z\xa5\xa8\xaa\xaf\xb2-\xb4\xb8\xba\xbf\xc0-\xff]+")
_STATISTICS_MIN = 64  # non-ASCII bytes charset-normalizer needs to be of any help
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _detect_encoding(head: bytes, complete: bool) -> str:
    """The codec of a CSV whose first bytes are `head` (`complete`: the whole file)."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return utf16
    if _is_utf8(head, complete):
        return "utf-8"
    return _cyrillic_or_latin(head)


def _utf16_without_bom(head: bytes) -> str | None:
    # Every ASCII character (delimiters, digits, spaces: a CSV is full of them) has a NUL byte
    # in UTF-16, on the odd positions for little-endian, the even ones for big-endian. 8-bit and
    # UTF-8 text has none.
    pairs = len(head) // 2
    even, odd = head[0 : pairs * 2 : 2].count(0), head[1 : pairs * 2 : 2].count(0)
    if pairs and odd * 10 >= pairs and even * 10 <= odd:
        return "utf-16-le"
    if pairs and even * 10 >= pairs and odd * 10 <= even:
        return "utf-16-be"
    return None


def _is_utf8(head: bytes, complete: bool) -> bool:
    # final=False when the head is cut: its last character may be split.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return True
    except UnicodeDecodeError:
        pass
    # A UTF-8 file with a few stray bytes (a cell pasted from a cp1252 file) is still UTF-8;
    # 8-bit text read as UTF-8 is almost all errors, since its accented letters are rarely
    # followed by continuation bytes.
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head, final=complete)
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", "ignore")) - bad
    return good >= 4 * bad


def _cyrillic_or_latin(head: bytes) -> str:
    """cp1251 or cp1252, by the shape of the words with non-ASCII letters.

    A Russian word in cp1251 is made of high bytes only ("Иван" is four); a French or German
    word in cp1252 mixes them with ASCII letters ("Hélène", "Société"). This holds on a file
    of three rows, where statistical detectors (charset-normalizer included) often guess
    wrong; one only breaks ties here, and only given enough text to count on.
    """
    cyrillic = latin = 0
    for word in _WORD.findall(head):
        high = sum(byte >= 0x80 for byte in word)
        if high == 0 or len(word) < 2:  # "à" alone says nothing
            continue
        if high == len(word):
            cyrillic += 1
        else:
            latin += 1
    if cyrillic != latin:
        return "cp1251" if cyrillic > latin else "cp1252"
    # A tie is mostly no such word at all ("12 €", "à voir"): Western European is the likelier.
    if sum(byte >= 0x80 for byte in head) < _STATISTICS_MIN:
        return "cp1252"
    from charset_normalizer import from_bytes  # ties only: kept off the cold start

    best = from_bytes(head, cp_isolation=["cp1251", "cp1252"]).best()
    return "cp1251" if best is not None and best.encoding == "cp1251" else "cp1252"


def _check_text(text: str) -> None:
    # Text has no control characters but tabs and line breaks; a binary file (an image, a PDF,
    # an .xls renamed .csv) read in any 8-bit codec is full of them.
    if len(_CONTROL.findall(text)) * 100 > len(text):
        raise ValidationError(f"the file is not a CSV text file: {_SAVE_AS}", field="file")


def _detect_delimiter(sample: str) -> str:
    """The delimiter of the CSV whose first complete lines are in `sample`; "," by default."""
    lines = sample.splitlines(keepends=True)[:_SNIFF_LINES]
    header = next((line for line in lines if line.strip()), "")
    try:
        sniffed: str | None = csv.Sniffer().sniff("".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:  # "Could not determine delimiter": one column, or too few rows
        sniffed = None
    # The sniffer weighs every line alike, so a comma inside the cells of a semicolon file
    # ("12, rue de la Paix") can win; the header line has no such cells.
    if sniffed is not None and sniffed in DELIMITERS and sniffed in header:
        return sniffed
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # the first of equals, in DELIMITERS' order
    if counts[best] > 1:
        return best
    # One column: the delimiter no cell contains ("Lovelace, Ada" stays one cell); "," if none has any.
    return min(DELIMITERS, key=sample.count)


# --- XLSX ------------------------------------------------------------------------------------


def _check_xlsx(path: str | os.PathLike[str]) -> None:
    # Only the zip's directory is read: an .ods, a .docx or a broken upload is refused at once,
    # before a preview or an import starts.
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise _not_a_workbook() from exc
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise _not_a_workbook()


def _not_a_workbook() -> ValidationError:
    return ValidationError(f"the file is not an Excel workbook or is damaged: {_SAVE_AS}", field="file")


def _xlsx_rows(path: str | os.PathLike[str]) -> Iterator[tuple[int, list[str]]]:
    import warnings

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    # What a damaged workbook raises from zipfile, zlib, the XML parser or openpyxl's readers.
    damaged = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError, SyntaxError)
    # A file object, not the path: openpyxl refuses a path whose name does not end in .xlsx,
    # and the import's scratch copy of the upload has no extension.
    with open(path, "rb") as source:
        try:
            with warnings.catch_warnings():
                # "no default style", "extension not supported": about formatting we do not read.
                warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
                workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
        except (*damaged, InvalidFileException) as exc:
            raise _not_a_workbook() from exc
        try:
            # The active sheet, or the first worksheet when a chart sheet is active.
            worksheets = workbook.worksheets
            sheet = next((s for s in worksheets if s is workbook.active), next(iter(worksheets), None))
            if sheet is None:
                raise ValidationError("the workbook has no worksheet", field="file")
            # Some exporters write a wrong <dimension> ("A1"), and read-only mode would cut every
            # row to it: read the cells that are there instead.
            sheet.reset_dimensions()
            # iter_rows starts at row 1 and fills missing rows in: the count is Excel's row number.
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = _clean(_xlsx_cell(value) for value in values)
                if cells:
                    yield number, cells
        except damaged as exc:
            raise _not_a_workbook() from exc
        finally:
            workbook.close()


def _xlsx_cell(value: Any) -> str:
    """A cell's value as the text a user sees in Excel."""
    match value:
        case None:
            return ""
        case str():
            return value
        case bool():  # before int: True is an int
            return "true" if value else "false"
        case int():
            return str(value)
        case float():
            return _number(value)
        case datetime():  # before date: a datetime is a date
            return value.date().isoformat() if value.time() == time() else value.isoformat(timespec="seconds")
        case date():
            return value.isoformat()
        case time():
            return value.isoformat(timespec="seconds" if value.second else "minutes")
        case _:
            return str(value)


def _number(value: float) -> str:
    # Excel shows 15 significant digits, and a phone typed as a number is stored as a float
    # (33612345678.0, or 3.3612345678E10 in the XML): both must read "33612345678".
    value = float(f"{value:.15g}")
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    return format(Decimal(text), "f") if "e" in text else text  # 1e-05 -> 0.00001


# --- writing ---------------------------------------------------------------------------------

# CSV injection (OWASP): a spreadsheet runs a cell that starts with = + - @ (or a tab or CR
# before one) as a formula, e.g. =HYPERLINK() or a DDE call. Such cells get a leading quote.
# A number or a phone ("-12,5", "+33 6 12 34 56 78") is left as is: Excel reads it as a value.
_FORMULA_START = ("=", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-]\d[\d\s().,/-]*")
# Characters XML 1.0 cannot hold (lone surrogates included): openpyxl raises on them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BAD_TITLE = re.compile(r"[\\*?:/\[\]']")


def _csv_safe(cell: str) -> str:
    if cell.startswith(_FORMULA_START) or (
        len(cell) > 1 and cell[0] in "+-" and _SIGNED_NUMBER.fullmatch(cell) is None
    ):
        return "'" + cell
    return cell


def write_csv(path: str | os.PathLike[str], header: list[str], rows: Iterable[list[str]]) -> int:
    """A CSV Excel opens right (UTF-8 with BOM, commas, CRLF); returns the rows written, header aside."""
    count = 0
    # errors="replace": a lone surrogate that came in through the API must not stop an export.
    with open(path, "w", encoding="utf-8-sig", errors="replace", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([_csv_safe(cell) for cell in header])
        for row in rows:
            writer.writerow([_csv_safe(cell) for cell in row])
            count += 1
    return count


def write_xlsx(
    path: str | os.PathLike[str], header: list[str], rows: Iterable[list[str]], sheet_title: str = "Export"
) -> int:
    """An .xlsx of text cells under a bold, frozen header, streamed; returns the rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, Cell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_BAD_TITLE.sub(" ", sheet_title).strip()[:31] or "Export")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def text_cell(text: str) -> Cell:
        # openpyxl types "=..." as a formula and "#N/A" as an error: force a string. Other
        # strings ("+33...", "@x") are already strings, which Excel never evaluates.
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell

    def value(cell: str) -> str | Cell | None:
        text = _NOT_XML.sub("", cell)[:_XLSX_MAX_CELL]
        if not text:
            return None  # no cell at all: openpyxl would write an empty inline string
        if text.startswith("=") or text in ERROR_CODES:
            return text_cell(text)
        return text

    titles: list[Cell | None] = []
    for name in header:
        cell = text_cell(_NOT_XML.sub("", name)[:_XLSX_MAX_CELL]) if name else None
        if cell is not None:
            cell.font = bold
        titles.append(cell)
    count = 0
    try:
        sheet.append(titles)
        for row in rows:
            if count + 1 >= XLSX_MAX_ROWS:
                raise ValidationError(
                    f"an Excel sheet holds at most {XLSX_MAX_ROWS - 1:,} rows under its header: export as CSV",
                    field="format",
                )
            sheet.append([value(cell) for cell in row])
            count += 1
        workbook.save(path)
    except BaseException:
        _discard_sheet_file(sheet)
        raise
    return count


def _discard_sheet_file(sheet: Any) -> None:
    # openpyxl streams a write-only sheet to a temporary file that it removes once the workbook
    # is saved, or at exit: a failed export would leave it in a warm Lambda's /tmp.
    writer = getattr(sheet, "_writer", None)
    if writer is None:
        return
    with contextlib.suppress(Exception):  # the export's own error is the one to report
        sheet.close()  # ends the row stream first: collected later, it would write to a closed file
    with contextlib.suppress(OSError, ValueError):  # already removed
        writer.cleanup()
