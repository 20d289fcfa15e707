"""Licence feeds for tests, written as an authority would send them."""

from licensing.feeds.parse import COLUMNS

HEADER = ",".join(COLUMNS)


def feed(*rows: str) -> bytes:
    """A CSV feed of rows given in COLUMNS order."""
    return ("\n".join((HEADER, *rows)) + "\n").encode()


def workbook(*rows: list, title: str = "Register", first_sheet: list[list] | None = None,
             formula_results: dict[str, str] | None = None, shared_strings: dict[str, str] | None = None) -> bytes:
    """An .xlsx workbook as Excel would save it, the register on sheet `title` (after `first_sheet`
    when given). Cells may be text, numbers, dates or formulas; formula_results gives the value
    Excel would have cached for the formula in each cell (openpyxl itself caches none)."""
    import io
    import re
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    if first_sheet is not None:
        cover = book.create_sheet("Cover")
        for cells in first_sheet:
            cover.append(cells)
    sheet = book.create_sheet(title)
    for cells in rows:
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    if not formula_results and not shared_strings:
        return out.getvalue()
    shared = list(shared_strings or {})
    cached = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as source, zipfile.ZipFile(cached, "w") as target:
        for part in source.infolist():
            data = source.read(part)
            for cell, value in (formula_results or {}).items():
                data = re.sub(rf'<c r="{cell}"><f>(.*?)</f><v ?/>'.encode(),
                              rf'<c r="{cell}" t="str"><f>\1</f><v>{value}</v>'.encode(), data)
            for index, cell in enumerate(shared):
                data = re.sub(rf'<c r="{cell}" t="inlineStr"><is>.*?</is></c>'.encode(),
                              rf'<c r="{cell}" t="s"><v>{index}</v></c>'.encode(), data)
            if shared and part.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            target.writestr(part, data)
        if shared:
            items = "".join(f"<si>{shared_strings[cell]}</si>" for cell in shared)
            target.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                                                    f'2006/main">{items}</sst>')
    return cached.getvalue()
