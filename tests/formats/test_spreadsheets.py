"""Reading and writing the files of contact imports and exports (CSV and .xlsx)."""

# The Russian test data holds Cyrillic letters that look like Latin ones, on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import io
import re
import tempfile
import tracemalloc
import zipfile
from collections import deque
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.formats import spreadsheets
from chalicelib.formats.spreadsheets import (
    HEAD_BYTES,
    FileFormat,
    SheetInfo,
    detect_format,
    open_rows,
    write_csv,
    write_xlsx,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


Rows = list[tuple[int, list[str]]]


def _read(path: Path, fmt: FileFormat) -> tuple[SheetInfo, Rows]:
    info, rows = open_rows(path, fmt)
    return info, list(rows)


def _csv(tmp_path: Path, content: bytes, name: str = "contacts.csv") -> tuple[SheetInfo, Rows]:
    path = tmp_path / name
    path.write_bytes(content)
    return _read(path, FileFormat.CSV)


def _xlsx(tmp_path: Path, book: openpyxl.Workbook) -> tuple[SheetInfo, Rows]:
    path = tmp_path / "contacts.xlsx"
    book.save(path)
    return _read(path, FileFormat.XLSX)


# --- detect_format ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content_type", "head", "expected"),
    [
        ("contacts.csv", "text/csv", b"PK\x03\x04\x14\x00", FileFormat.XLSX),  # the bytes win
        ("contacts.CSV", None, b"name,phone", FileFormat.CSV),
        ("export.txt", "text/plain", b"\xff\xfen\x00", FileFormat.CSV),
        ("export.tsv", None, b"name\t", FileFormat.CSV),
        ("contacts.xlsx", XLSX_TYPE, b"", FileFormat.XLSX),
        ("contacts", "text/csv; charset=utf-8", b"name", FileFormat.CSV),
        ("contacts", XLSX_TYPE, b"", FileFormat.XLSX),
        ("contacts", "application/vnd.ms-excel", b"name;phone", FileFormat.CSV),  # Windows browsers
    ],
)
def test_detects_the_format_by_bytes_then_extension_then_content_type(
    filename: str, content_type: str | None, head: bytes, expected: FileFormat
) -> None:
    assert detect_format(filename, content_type, head) is expected


@pytest.mark.parametrize(
    ("filename", "head"),
    [
        ("contacts.xls", b""),
        ("contacts.xls", b"name,phone"),
        ("contacts.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),  # a password-protected workbook
        ("contacts.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    ],
)
def test_refuses_old_excel_files(filename: str, head: bytes) -> None:
    with pytest.raises(ValidationError, match=r"save the file as \.xlsx or \.csv") as caught:
        detect_format(filename, "application/vnd.ms-excel", head)
    assert caught.value.field == "filename"


def test_refuses_an_unknown_file_type() -> None:
    with pytest.raises(ValidationError, match=r"save the file as \.xlsx or \.csv") as caught:
        detect_format("contacts.pdf", "application/octet-stream", b"%PDF-1.7")
    assert caught.value.field == "filename"


# --- CSV encodings ---------------------------------------------------------------------------

FRENCH = (
    "Nom;Société;Téléphone;Ville\r\n"
    "Hélène Lefèvre;Société Générale;+33 6 12 34 56 78;Paris\r\n"
    "François Müller;Crédit Agricole;06 12 34 56 79;Besançon\r\n"
    "Zoé Château;Élan & Cie;0612345680;Orléans\r\n"
)
RUSSIAN = (
    "Имя;Компания;Телефон;Город\r\n"
    "Иван Петров;ООО Ромашка;+7 912 345-67-89;Москва\r\n"
    "Ольга Смирнова;ИП Смирнова;89123456789;Санкт-Петербург\r\n"
    "Сергей Иванов;АО Вектор;+7 (495) 123-45-67;Казань\r\n"
)


def _expected(text: str, delimiter: str = ";") -> list[tuple[int, list[str]]]:
    return [(i, line.split(delimiter)) for i, line in enumerate(text.splitlines(), start=1)]


def test_reads_utf8_without_bom(tmp_path: Path) -> None:
    info, rows = _csv(tmp_path, FRENCH.encode())
    assert (info.encoding, info.delimiter) == ("utf-8", ";")
    assert rows == _expected(FRENCH)


def test_reads_utf8_with_bom_and_drops_the_bom_from_the_header(tmp_path: Path) -> None:
    info, rows = _csv(tmp_path, FRENCH.encode("utf-8-sig"))
    assert info.encoding == "utf-8-sig"
    assert rows[0] == (1, ["Nom", "Société", "Téléphone", "Ville"])


def test_reads_excel_unicode_text_as_tab_delimited_utf16(tmp_path: Path) -> None:
    # Given Excel's "Unicode text" export: UTF-16 LE with a BOM, tabs between cells
    text = "Name\tCompany\tPhone\r\nИван Петров\tООО Ромашка\t+7 912 345-67-89\r\nHélène\tSG\t+33612345678\r\n"
    info, rows = _csv(tmp_path, text.encode("utf-16"), "export.txt")
    assert (info.encoding, info.delimiter) == ("utf-16", "\t")
    assert rows == _expected(text, "\t")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_reads_utf16_without_bom(tmp_path: Path, codec: str) -> None:
    info, rows = _csv(tmp_path, RUSSIAN.encode(codec))
    assert info.encoding == codec
    assert rows == _expected(RUSSIAN)


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (FRENCH, "cp1252"),
        (RUSSIAN, "cp1251"),
        (FRENCH.upper(), "cp1252"),
        (RUSSIAN.upper(), "cp1251"),
        ("Name,Company\r\nИван Петров,Газпром\r\n", "cp1251"),
        # Too short for statistics: charset-normalizer alone takes this one for cp1251.
        ("Name\r\nHélène\r\n", "cp1252"),
        ("Name\r\nЁж\r\n", "cp1251"),
        ("Prénom;Nom\r\nAndré;Noël\r\nChloé;Gaël\r\nÉric;Lefèvre\r\n", "cp1252"),
        # No word to judge by: a short file is taken for Western European, a longer one is
        # left to charset-normalizer.
        ("Prix;Note\r\n12 €;à voir\r\n", "cp1252"),
        ("Prix;Note\r\n" + "".join(f"{i} €;à voir\r\n" for i in range(100)), "cp1252"),
    ],
)
def test_tells_windows_cyrillic_from_windows_latin_in_short_files(tmp_path: Path, text: str, codec: str) -> None:
    info, rows = _csv(tmp_path, text.encode(codec))
    assert info.encoding == codec
    assert rows == _expected(text, info.delimiter or ";")


def test_a_utf8_file_with_a_stray_byte_stays_utf8(tmp_path: Path) -> None:
    # Given a UTF-8 export into which one cp1252 cell was pasted
    content = FRENCH.encode() + "Noël;X;1;Nîmes\r\n".encode("cp1252")
    info, rows = _csv(tmp_path, content)
    assert info.encoding == "utf-8"
    assert rows[1] == (2, ["Hélène Lefèvre", "Société Générale", "+33 6 12 34 56 78", "Paris"])
    assert rows[-1] == (5, ["No\ufffdl", "X", "1", "N\ufffdmes"])


def test_a_character_cut_by_the_detection_window_does_not_make_utf8_look_8bit(tmp_path: Path) -> None:
    # Given a UTF-8 file whose 64 KiB detection window ends inside "é"
    header = "name;note\r\n"
    filler = "x" * (HEAD_BYTES - len(header) - 1)
    content = (header + filler + "é\r\nHélène;ok\r\n").encode()
    assert content[HEAD_BYTES - 1 : HEAD_BYTES + 1] == "é".encode()
    info, rows = _csv(tmp_path, content)
    assert info.encoding == "utf-8"
    assert rows[1] == (2, [filler + "é"])
    assert rows[2] == (3, ["Hélène", "ok"])


def test_bytes_the_detected_encoding_cannot_decode_later_on_become_replacement_characters(tmp_path: Path) -> None:
    # Given a cp1252 file with, past the detection window, bytes cp1252 has no character for
    head = FRENCH.encode("cp1252") * (HEAD_BYTES // len(FRENCH) + 1)
    content = head + b"Ad\x81a;\x90;1;X\r\n"
    info, rows = _csv(tmp_path, content)
    assert info.encoding == "cp1252"
    assert rows[-1][1] == ["Ad\ufffda", "\ufffd", "1", "X"]  # the import goes on
    assert rows[1] == (2, ["Hélène Lefèvre", "Société Générale", "+33 6 12 34 56 78", "Paris"])


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20,
        bytes(range(256)) * 40,
        b"%PDF-1.7\n" + b"\x00\x01\x02\x03\xff\xfe\x10" * 500,
    ],
)
def test_refuses_a_binary_file_posing_as_csv(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(ValidationError, match="not a CSV text file") as caught:
        _csv(tmp_path, content)
    assert caught.value.field == "file"


def test_reads_an_empty_file_as_no_rows(tmp_path: Path) -> None:
    info, rows = _csv(tmp_path, b"")
    assert (info.encoding, info.delimiter, rows) == ("utf-8", ",", [])


# --- CSV delimiters, quotes, rows ------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_detects_the_delimiter(tmp_path: Path, delimiter: str) -> None:
    text = delimiter.join(["Name", "Phone", "Email"]) + "\r\n" + delimiter.join(["Ada", "+44 20", "a@x.io"]) + "\r\n"
    info, rows = _csv(tmp_path, text.encode())
    assert info.delimiter == delimiter
    assert rows == [(1, ["Name", "Phone", "Email"]), (2, ["Ada", "+44 20", "a@x.io"])]


def test_commas_inside_the_cells_of_a_semicolon_file_are_not_the_delimiter(tmp_path: Path) -> None:
    # Given French Excel's default: semicolons, with commas in addresses and decimals
    text = "Nom;Adresse;Budget\r\nAda;12, rue de la Paix;12,5\r\nBob;3, avenue Foch;3,2\r\n"
    info, rows = _csv(tmp_path, text.encode())
    assert info.delimiter == ";"
    assert rows[1] == (2, ["Ada", "12, rue de la Paix", "12,5"])


def test_reads_a_one_column_file_without_splitting_its_cells(tmp_path: Path) -> None:
    info, rows = _csv(tmp_path, b"Name\nLovelace, Ada\nHopper, Grace\n")
    assert info.delimiter != ","
    assert rows == [(1, ["Name"]), (2, ["Lovelace, Ada"]), (3, ["Hopper, Grace"])]


def test_quoted_cells_keep_newlines_and_delimiters_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    # Given a comment cell over three lines, then a cell holding the delimiter and quotes
    text = (
        'Name;Comment;Phone\r\n"Ada";"called twice;\r\nno answer\r\nretry";+44\r\n'
        'Bob;"says ""hi""; ok";+33\r\nEve, Inc.;"";+1\r\n'
    )
    _, rows = _csv(tmp_path, text.encode())
    assert rows == [
        (1, ["Name", "Comment", "Phone"]),
        (2, ["Ada", "called twice;\r\nno answer\r\nretry", "+44"]),
        (3, ["Bob", 'says "hi"; ok', "+33"]),
        (4, ["Eve, Inc.", "", "+1"]),
    ]


def test_skips_empty_rows_but_keeps_the_numbering(tmp_path: Path) -> None:
    text = "Name;Phone\r\n\r\nAda;+44\r\n;;\r\n  ;\t\r\nBob;+33\r\n\r\n"
    _, rows = _csv(tmp_path, text.encode())
    assert rows == [(1, ["Name", "Phone"]), (3, ["Ada", "+44"]), (6, ["Bob", "+33"])]


def test_strips_cells_and_drops_trailing_empty_cells(tmp_path: Path) -> None:
    _, rows = _csv(tmp_path, b"Name;Phone;;\r\n  Ada ;\xc2\xa0+44 ;;\r\n; Bob\r\n")
    assert rows == [(1, ["Name", "Phone"]), (2, ["Ada", "+44"]), (3, ["", "Bob"])]


def test_a_quote_left_open_is_reported_with_its_row(tmp_path: Path) -> None:
    # Given an unclosed quote on row 3 that swallows the rest of the file into one cell
    content = b'Name;Phone\r\nAda;+44\r\n"Bob;+33\r\n' + b"Eve;+1\r\n" * 30_000
    path = tmp_path / "contacts.csv"
    path.write_bytes(content)
    _, rows = open_rows(path, FileFormat.CSV)
    with pytest.raises(ValidationError, match="row 3 ") as caught:
        list(rows)
    assert caught.value.field == "file"


def test_reading_a_large_csv_streams_in_flat_memory(tmp_path: Path) -> None:
    # Given a 200,000-row export of about 5 MB (two columns keep the traced run short)
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Name;Phone\r\n")
        out.writelines(f"Contact {i};+336{i:08d}\r\n" for i in range(200_000))
    tracemalloc.start()
    try:
        # When every row is read
        info, rows = open_rows(path, FileFormat.CSV)
        last = [number for number, _ in deque(rows, maxlen=2)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Then memory stays flat and the numbering is right
    assert (info.encoding, info.delimiter, last) == ("utf-8", ";", [200_000, 200_001])
    assert peak < 3 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


# --- XLSX reading ----------------------------------------------------------------------------


def test_reads_xlsx_cells_as_the_text_excel_shows(tmp_path: Path) -> None:
    # Given a sheet typed by hand: phones as numbers, dates, times, booleans, blanks
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Phone", "Born", "Call at", "Score", "VIP", "Met", "Tiny", "Count"])
    sheet.append([" Ada ", 33612345678.0, date(1990, 1, 2), time(9, 30), 0.1 + 0.2, True, datetime(2024, 3, 5, 14, 30)])
    sheet.append([None, None, None])
    sheet.append(["Bob", 3.3612345678e10, datetime(2024, 3, 5), time(9, 30, 15), 12.5, False, None, 1e-5, 42])
    info, rows = _xlsx(tmp_path, book)
    assert info == SheetInfo(FileFormat.XLSX, None, None)
    assert rows == [
        (1, ["Name", "Phone", "Born", "Call at", "Score", "VIP", "Met", "Tiny", "Count"]),
        (2, ["Ada", "33612345678", "1990-01-02", "09:30", "0.3", "true", "2024-03-05T14:30:00"]),
        (4, ["Bob", "33612345678", "2024-03-05", "09:30:15", "12.5", "false", "", "0.00001", "42"]),
    ]


def test_reads_the_active_sheet_with_excel_row_numbers(tmp_path: Path) -> None:
    # Given a workbook whose second sheet is active and whose data starts on row 3
    book = openpyxl.Workbook()
    book.active["A1"] = "not this one"
    leads = book.create_sheet("Leads")
    leads["B3"] = "Name"
    leads["B4"] = "Ada"
    leads["C7"] = "+44"
    book.active = leads
    _, rows = _xlsx(tmp_path, book)
    assert rows == [(3, ["", "Name"]), (4, ["", "Ada"]), (7, ["", "", "+44"])]


def test_reads_a_workbook_whose_file_name_has_no_extension(tmp_path: Path) -> None:
    # Given the import's scratch copy of an upload, saved as "source"
    book = openpyxl.Workbook()
    book.active.append(["Name", "Phone"])
    path = tmp_path / "source"
    book.save(path)
    assert _read(path, FileFormat.XLSX)[1] == [(1, ["Name", "Phone"])]


def test_reads_every_column_when_the_sheet_misstates_its_size(tmp_path: Path) -> None:
    # Given an exporter that wrote <dimension ref="A1"/> for a three-column sheet
    book = openpyxl.Workbook()
    book.active.append(["Name", "Phone", "Email"])
    book.active.append(["Ada", "+44", "ada@example.com"])
    good = tmp_path / "good.xlsx"
    book.save(good)
    path = tmp_path / "contacts.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data, found = re.subn(rb'<dimension ref="A1:C2"\s*/>', b'<dimension ref="A1"/>', data)
                assert found == 1
            target.writestr(name, data)
    _, rows = open_rows(path, FileFormat.XLSX)
    assert list(rows) == [(1, ["Name", "Phone", "Email"]), (2, ["Ada", "+44", "ada@example.com"])]


def _rewritten(source: Path, target: Path, part: str, data: bytes | None) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for name in original.namelist():
            if name != part:
                copy.writestr(name, original.read(name))
            elif data is not None:
                copy.writestr(name, data)
    return target


@pytest.fixture
def workbook_file(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    for i in range(50):
        book.active.append([f"Contact {i}", f"+336{i:08d}"])
    path = tmp_path / "good.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize(
    "damage",
    ["truncated", "not a zip", "an OpenDocument file", "a broken sheet", "a broken workbook part"],
)
def test_a_damaged_workbook_is_a_validation_error(tmp_path: Path, workbook_file: Path, damage: str) -> None:
    path = tmp_path / "contacts.xlsx"
    good = workbook_file.read_bytes()
    sheet = zipfile.ZipFile(workbook_file).read("xl/worksheets/sheet1.xml")
    if damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "not a zip":
        path.write_bytes(b"PK\x03\x04 this is not a zip")
    elif damage == "an OpenDocument file":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as ods:
            ods.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            ods.writestr("content.xml", "<office:document-content/>")
        path.write_bytes(buffer.getvalue())
    elif damage == "a broken sheet":
        _rewritten(workbook_file, path, "xl/worksheets/sheet1.xml", sheet[: len(sheet) // 2])
    else:
        _rewritten(workbook_file, path, "xl/workbook.xml", b"<workbook")
    with pytest.raises(ValidationError, match="not an Excel workbook or is damaged") as caught:
        _read(path, FileFormat.XLSX)
    assert caught.value.field == "file"


def test_closing_the_rows_early_releases_the_workbook(workbook_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[object] = []
    close = openpyxl.Workbook.close
    monkeypatch.setattr(openpyxl.Workbook, "close", lambda book: (closed.append(book), close(book)))
    _, rows = open_rows(workbook_file, FileFormat.XLSX)
    assert next(rows) == (1, ["Contact 0", "+33600000000"])
    rows.close()  # a preview reads ten rows and stops
    assert len(closed) == 1


# --- writing ---------------------------------------------------------------------------------

HEADER = ["Name", "Phone", "Comment"]
ROWS = [
    ["Hélène Lefèvre", "+33 6 12 34 56 78", "rappeler; lundi\nmatin"],
    ["Иван Петров", "+7 912 345-67-89", 'says "hi", twice'],
    ["", "0612345678", ""],
]


def test_write_csv_makes_a_file_excel_opens_right(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    assert write_csv(path, HEADER, iter(ROWS)) == 3
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbfName,Phone,Comment\r\n")
    assert b'"rappeler; lundi\nmatin"\r\n' in content
    assert content.endswith(b",0612345678,\r\n")


@pytest.mark.parametrize("filename", ["export.csv", "export.xlsx"])
def test_written_files_read_back_as_written(tmp_path: Path, filename: str) -> None:
    path = tmp_path / filename
    write = write_csv if filename.endswith(".csv") else write_xlsx
    assert write(path, HEADER, iter(ROWS)) == 3
    fmt = detect_format(path.name, None, path.read_bytes()[:8])
    info, rows = open_rows(path, fmt)
    assert list(rows) == [(1, HEADER), (2, ROWS[0]), (3, ROWS[1]), (4, ["", "0612345678"])]
    assert info.format is fmt


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x.io","click")', '\'=HYPERLINK("http://x.io","click")'),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),  # a digit first is not enough
        ("\t=1+1", "'\t=1+1"),
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("+1 (555) 123-4567", "+1 (555) 123-4567"),
        ("-12,5", "-12,5"),
        ("-", "-"),
        ("a=b", "a=b"),
    ],
)
def test_write_csv_defuses_formulas_but_keeps_phones(tmp_path: Path, cell: str, written: str) -> None:
    path = tmp_path / "export.csv"
    write_csv(path, ["Value"], [[cell]])
    _, rows = open_rows(path, FileFormat.CSV)
    assert list(rows)[1] == (2, [written])


def test_write_xlsx_writes_formula_lookalikes_as_text(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    cells = ['=HYPERLINK("http://x.io","click")', "@SUM(A1)", "+33 6 12", "#N/A", "=1+1"]
    write_xlsx(path, ["a", "b", "c", "d", "e"], [cells])
    sheet = openpyxl.load_workbook(path).active  # not data_only: a formula would show as one
    assert [(c.value, c.data_type) for c in sheet[2]] == [(v, "s") for v in cells]
    assert b"<f>" not in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")


def test_write_xlsx_has_a_bold_frozen_header_and_a_safe_sheet_title(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    write_xlsx(path, HEADER, ROWS, sheet_title="Leads: 2024/03 [all] and a very long title")
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "Leads  2024 03  all  and a very"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])


def test_write_xlsx_drops_characters_xml_cannot_hold(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    write_xlsx(path, ["Name"], [["Ada\x00\x07 Lovelace\ud800"]])
    _, rows = open_rows(path, FileFormat.XLSX)
    assert list(rows) == [(1, ["Name"]), (2, ["Ada Lovelace"])]


def test_write_xlsx_streams_rows_from_a_generator(tmp_path: Path) -> None:
    # 2,000 rows: a workbook kept in memory peaks near 1.7 MB here, a streamed one under 0.5 MB
    # (openpyxl writes some 20,000 cells a second without lxml, so the test stays small).
    rows = ([f"Contact {i}", f"+336{i:08d}"] for i in range(2_000))
    tracemalloc.start()
    try:
        count = write_xlsx(tmp_path / "export.xlsx", ["Name", "Phone"], rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2_000
    assert peak < 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_a_failed_xlsx_export_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given rows that fail half-way (the database times out), in a scratch temporary directory
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def rows() -> Iterator[list[str]]:
        yield ["Ada", "+44"]
        raise TimeoutError("read timed out")

    with pytest.raises(TimeoutError):
        write_xlsx(tmp_path / "export.xlsx", ["Name", "Phone"], rows())
    assert list(scratch.iterdir()) == []


def test_write_xlsx_refuses_more_rows_than_a_sheet_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spreadsheets, "XLSX_MAX_ROWS", 3)  # header + 2 rows
    assert write_xlsx(tmp_path / "two.xlsx", ["Name"], [["Ada"], ["Bob"]]) == 2
    with pytest.raises(ValidationError, match="export as CSV") as caught:
        write_xlsx(tmp_path / "three.xlsx", ["Name"], [["Ada"], ["Bob"], ["Eve"]])
    assert caught.value.field == "format"
