"""Story ingest: read a collection from CSV/TSV/XLSX/JSON/JSONL or a DataFrame into a StoryCollection."""
from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import (
    DuplicateIdError,
    EmptyInputError,
    InputError,
    MissingColumnError,
    ParameterError,
    UnreadableFileError,
)

__all__ = ["StoryCollection", "read_stories", "TEXT_ALIASES", "ID_ALIASES", "STATUS_VALUES"]

#: Column names recognised as the story text when ``text=`` is not given (compared case- and accent-blind).
TEXT_ALIASES = ("text", "story", "story_text", "verhaal", "tekst", "recit", "histoire", "texte",
                "narrative", "msc_story", "content", "body", "verhaaltekst", "récit")
#: Column names recognised as the story id when ``id=`` is not given.
ID_ALIASES = ("story_id", "id", "storyid", "story_nr", "story_no", "nr", "no", "verhaal_id", "verhaalnummer",
              "id_recit", "identifiant", "code", "key")
#: Values of the ``status`` column: why a story may not be analysed like the others (it is never dropped).
STATUS_VALUES = ("ok", "empty", "too_short")
#: Stories with fewer words than this get status ``too_short`` (they are still analysed).
MIN_WORDS = 3

_SUFFIX_READERS = {".csv": "delimited", ".tsv": "delimited", ".txt": "delimited", ".tab": "delimited",
                   ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel", ".json": "json", ".jsonl": "jsonl",
                   ".ndjson": "jsonl"}
_ENCODINGS = ("utf-8-sig", "cp1252")
_BINARY_MAGIC = {b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
                 b"GIF8": "a GIF image", b"\xd0\xcf\x11\xe0": "an old Office (OLE) document",
                 b"\x1f\x8b": "a gzip archive", b"7z\xbc\xaf": "a 7-Zip archive"}


def _fold(name: object) -> str:
    """Case-, accent- and spacing-blind form of a column name, for alias matching."""
    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().strip().lower()
    return "_".join(s.replace("-", " ").replace(".", " ").split())


@dataclass(frozen=True)
class StoryCollection:
    """A validated story collection.

    The table always has ``story_id`` (str, unique), ``text`` (str, never NaN), ``status``
    (see :data:`STATUS_VALUES`) and every other input column unchanged. ``column_map`` records which input
    column became ``story_id``/``text`` (and any other renames); ``source`` says where it came from;
    ``blank_rows_skipped`` counts input rows with no value in any column (not stories, so not kept).
    """

    frame: pd.DataFrame
    source: str = "<DataFrame>"
    column_map: Mapping[str, str] = field(default_factory=dict)
    generated_ids: int = 0
    blank_rows_skipped: int = 0

    def __len__(self) -> int:
        return len(self.frame)

    def __iter__(self) -> Iterator[str]:
        return iter(self.frame["text"].tolist())

    def __repr__(self) -> str:
        counts = self.frame["status"].value_counts().to_dict()
        return f"StoryCollection({len(self)} stories from {self.source!r}, status={counts})"

    @property
    def texts(self) -> list[str]:
        """The story texts, in input order."""
        return self.frame["text"].tolist()

    @property
    def ids(self) -> list[str]:
        """The story ids, in input order."""
        return self.frame["story_id"].tolist()

    def to_pandas(self) -> pd.DataFrame:
        """A copy of the table: ``story_id``, ``text``, ``status`` and every other input column."""
        return self.frame.copy()


def read_stories(
    source: str | Path | pd.DataFrame | list[Mapping[str, Any]],
    *,
    text: str | None = None,
    id: str | None = None,  # noqa: A002 - the public name users expect
    sheet: str | int | None = None,
    duplicate_ids: str = "raise",
    **rename: str,
) -> StoryCollection:
    """Read a story collection.

    Parameters
    ----------
    source:
        A path to a CSV, TSV, XLSX, JSON (a list of records, or an object with one list of records) or JSONL
        file; a pandas DataFrame; or a list of dicts.
    text, id:
        The input column holding the story text / the story id. When not given, common names are tried
        (:data:`TEXT_ALIASES`, :data:`ID_ALIASES`, e.g. ``story``, ``verhaal``, ``récit``, ``id``). Without an
        id column, ids ``row-1``, ``row-2``, ... are generated; rows with a blank id get ``row-<n>`` too.
    sheet:
        For workbooks with several sheets: which one to read. Without it the one sheet that has a text
        column is taken.
    duplicate_ids:
        ``"raise"`` (default) raises :class:`~msc_nlp.errors.DuplicateIdError`; ``"suffix"`` keeps every
        story and renames the repeats ``<id>~2``, ``<id>~3``, ...
    **rename:
        Further renames, ``new_name="input column"`` (e.g. ``domain="Domein"``).

    Returns
    -------
    StoryCollection
        Empty or whitespace-only stories are kept with status ``empty``; nothing is dropped.
    """
    if duplicate_ids not in ("raise", "suffix"):
        raise ParameterError("The 'duplicate_ids' parameter of read_stories must be one of ['raise', "
                             f"'suffix']. Got {duplicate_ids!r} instead.")
    if isinstance(source, pd.DataFrame):
        frame, label = source.copy(), "<DataFrame>"
    elif isinstance(source, list):
        frame, label = _records_frame(source, "<list>"), "<list>"
    elif isinstance(source, (str, Path)):
        path = Path(source)
        frame, label = _read_path(path, sheet=sheet, text=text), str(path)
    else:
        raise InputError(f"read_stories expects a file path, a pandas DataFrame or a list of dicts. "
                         f"Got {type(source).__name__} instead.")
    return _to_collection(frame, label, text=text, id_column=id, duplicate_ids=duplicate_ids, rename=rename)


def _to_collection(frame: pd.DataFrame, label: str, *, text: str | None, id_column: str | None,
                   duplicate_ids: str, rename: Mapping[str, str]) -> StoryCollection:
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.columns.duplicated().any():
        dups = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise InputError(f"{label} has repeated column names {dups}; rename them so each column is unique.")
    # Rows with no value in any column (spreadsheet padding) are not stories; they are counted, not kept.
    n_rows = len(frame)
    frame = frame.dropna(how="all").reset_index(drop=True) if len(frame.columns) else frame
    blank_rows = n_rows - len(frame)
    if len(frame) == 0:
        cols = f" (columns seen: {list(frame.columns)})" if len(frame.columns) else ""
        raise EmptyInputError(f"{label} holds no stories{cols}. Expected at least one row with a story text.")

    column_map: dict[str, str] = {}
    for new, old in rename.items():
        if old not in frame.columns:
            raise MissingColumnError(f"Column {old!r} (given as {new}=...) is not in {label}. Columns seen: "
                                     f"{list(frame.columns)}.")
        column_map[new] = old
    text_col = _pick_column(frame, text, TEXT_ALIASES, "text", label, required=True)
    id_col = _pick_column(frame, id_column, ID_ALIASES, "id", label, required=False)
    assert text_col is not None
    if id_col == text_col:
        if id_column is not None:
            raise InputError(f"text= and id= both name column {text_col!r} of {label}. A story's id must be "
                             "another column; leave id= out to number the stories.")
        id_col = None  # an id-like name chosen as the text column is the text, not the id
    column_map["text"] = text_col
    if id_col is not None:
        column_map["story_id"] = id_col

    renames = {old: new for new, old in column_map.items() if old != new}
    clashes = [new for old, new in renames.items() if new in frame.columns and new not in renames]
    if clashes:
        raise InputError(f"{label} already has column(s) {clashes} besides the one chosen for them "
                         f"({ {n: o for o, n in renames.items() if n in clashes} }). Rename or drop one.")
    frame = frame.rename(columns=renames)

    frame["text"] = [_clean_text(v) for v in frame["text"]]
    generated = 0
    if id_col is None:
        ids = [f"row-{i + 1}" for i in range(len(frame))]
        generated = len(ids)
    else:
        ids = []
        for i, v in enumerate(frame["story_id"]):
            s = _id_string(v)
            if s is None:
                s, generated = f"row-{i + 1}", generated + 1
            ids.append(s)
    frame["story_id"] = _dedupe(ids, label, duplicate_ids)
    frame["status"] = [_status(t) for t in frame["text"]]
    ordered = ["story_id", "text", "status"] + [c for c in frame.columns if c not in ("story_id", "text",
                                                                                       "status")]
    return StoryCollection(frame[ordered].reset_index(drop=True), label, column_map, generated, blank_rows)


def _pick_column(frame: pd.DataFrame, given: str | None, aliases: tuple[str, ...], what: str, label: str,
                 *, required: bool) -> str | None:
    if given is not None:
        if given in frame.columns:
            return given
        folded = {_fold(c): c for c in frame.columns}
        if _fold(given) in folded:
            return folded[_fold(given)]
        raise MissingColumnError(f"The {what} column {given!r} is not in {label}. Columns seen: "
                                 f"{list(frame.columns)}. Pass {what}=<one of those>.")
    folded = {}
    for c in frame.columns:
        folded.setdefault(_fold(c), c)
    for alias in aliases:
        if _fold(alias) in folded:
            return folded[_fold(alias)]
    if required:
        raise MissingColumnError(
            f"No story text column in {label}. Columns seen: {list(frame.columns)}. Expected one named like "
            f"{', '.join(aliases[:6])}; pass text=<column name> to choose one.")
    return None


def _clean_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    s = str(value).replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", s).strip()


def _id_string(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    return s or None


def _dedupe(ids: list[str], label: str, mode: str) -> list[str]:
    counts = pd.Series(ids).value_counts()
    dups = counts[counts > 1]
    if dups.empty:
        return ids
    if mode == "raise":
        shown = ", ".join(f"{k!r} ×{v}" for k, v in dups.head(5).items())
        more = f" and {len(dups) - 5} more" if len(dups) > 5 else ""
        raise DuplicateIdError(f"{label} has {len(dups)} duplicated story id(s): {shown}{more}. Each story needs "
                               "a unique id: fix the ids, pass id=<another column>, or duplicate_ids='suffix' to "
                               "keep all stories and rename the repeats.")
    seen: dict[str, int] = {}
    taken = set(ids)
    out = []
    for s in ids:
        n = seen.get(s, 0) + 1
        seen[s] = n
        new = s
        while n > 1 and (new == s or new in taken):
            new = f"{s}~{n}"
            n += 1
        taken.add(new)
        out.append(new)
    return out


def _status(text: str) -> str:
    if not text.strip():
        return "empty"
    return "too_short" if len(text.split()) < MIN_WORDS else "ok"


# --------------------------------------------------------------------------------------------------- files
def _read_path(path: Path, *, sheet: str | int | None, text: str | None) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"No such file: {str(path)!r}. Check the path (working directory: {Path.cwd()}).")
    if path.is_dir():
        raise InputError(f"{str(path)!r} is a folder. Pass a CSV, TSV, XLSX, JSON or JSONL file.")
    kind = _SUFFIX_READERS.get(path.suffix.lower())
    raw = path.read_bytes()
    if not raw.strip():
        raise EmptyInputError(f"{str(path)!r} is empty (0 stories). Expected a {path.suffix or 'CSV'} file "
                              "with a header row and one story per row.")
    if raw[:4] == b"PK\x03\x04":
        if kind != "excel":
            raise UnreadableFileError(f"{str(path)!r} is a ZIP archive (an Office document?), not a "
                                      f"{path.suffix} file. Save it as .xlsx or CSV.")
    if kind is None:
        raise UnreadableFileError(f"Cannot read {str(path)!r}: unknown file type {path.suffix!r}. Expected "
                                  f"one of {sorted(_SUFFIX_READERS)}.")
    if kind == "excel":
        return _read_excel(path, sheet=sheet, text=text)
    _reject_binary(raw, path)
    content = _decode(raw, path)
    if kind == "delimited":
        return _read_delimited(content, path)
    if kind == "jsonl":
        return _read_jsonl(content, path)
    return _read_json(content, path)


def _reject_binary(raw: bytes, path: Path) -> None:
    for magic, what in _BINARY_MAGIC.items():
        if raw.startswith(magic):
            raise UnreadableFileError(f"{str(path)!r} is {what}, not a text file. Export the stories as CSV, "
                                      "XLSX or JSON.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with BOM: decoded below
    head = raw[:8192]
    controls = sum(b < 9 or 13 < b < 32 for b in head if b != 0)
    if head.count(0) > len(head) // 4 or controls > len(head) // 10:
        raise UnreadableFileError(f"{str(path)!r} looks like a binary file ({head.count(0)} NUL and {controls} "
                                  "control bytes in its first 8 KB), not text. Export the stories as CSV, XLSX "
                                  "or JSON.")


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for enc in _ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError(f"Cannot decode {str(path)!r} as UTF-8, UTF-8 with BOM or Windows-1252 (cp1252). "
                              "Re-save it as UTF-8 (in Excel: 'CSV UTF-8').")


def _read_delimited(content: str, path: Path) -> pd.DataFrame:
    content = content.replace("\x00", "")
    sample = content[:20000]
    if path.suffix.lower() in (".tsv", ".tab"):
        sep = "\t"
    else:
        try:
            sep = csv.Sniffer().sniff(sample.split("\n", 1)[0] or sample, delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
    try:
        frame = pd.read_csv(io.StringIO(content), sep=sep, dtype=str, keep_default_na=False,
                            skip_blank_lines=True, engine="python")
    except pd.errors.EmptyDataError as exc:
        raise EmptyInputError(f"{str(path)!r} has no header row and no stories.") from exc
    except (pd.errors.ParserError, csv.Error) as exc:
        raise UnreadableFileError(f"Cannot parse {str(path)!r} as a table separated by {sep!r}: {exc}. Check "
                                  "the quoting of stories that contain line breaks or separators.") from exc
    frame = frame.replace("", pd.NA)
    return frame


def _read_excel(path: Path, *, sheet: str | int | None, text: str | None) -> pd.DataFrame:
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object, header=None)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise UnreadableFileError(f"Cannot read {str(path)!r} as an Excel workbook ({exc}). Re-save it as .xlsx "
                                  "or export CSV.") from exc
    sheets = {name: _with_header(df, text) for name, df in sheets.items()}
    if sheet is not None:
        key = list(sheets)[sheet] if isinstance(sheet, int) and sheet < len(sheets) else sheet
        if key not in sheets:
            raise InputError(f"No sheet {sheet!r} in {str(path)!r}. Sheets: {list(sheets)}.")
        return sheets[key]
    non_empty = {k: v for k, v in sheets.items() if len(v.columns)}
    if len(non_empty) <= 1:
        return next(iter(non_empty.values()), pd.DataFrame())
    usable = [k for k, v in non_empty.items()
              if _has_text_column(v, text)]
    if len(usable) == 1:
        return non_empty[usable[0]]
    raise InputError(f"{str(path)!r} has {len(non_empty)} sheets with data ({list(non_empty)}) and "
                     f"{'several' if usable else 'none'} of them has a story text column. Pass sheet=<name>.")


def _has_text_column(frame: pd.DataFrame, text: str | None) -> bool:
    names = {_fold(c) for c in frame.columns}
    wanted = [text] if text else list(TEXT_ALIASES)
    return any(_fold(w) in names for w in wanted)


def _with_header(raw: pd.DataFrame, text: str | None = None) -> pd.DataFrame:
    """Use the first row that looks like a header (skips title rows and merged-cell banners): the first of the
    top ten rows that names a text column, else the first of them with the most filled cells."""
    raw = raw.dropna(how="all").dropna(axis=1, how="all")
    if raw.empty:
        return pd.DataFrame()
    top = raw.iloc[:10]
    wanted = {_fold(w) for w in ([text] if text else TEXT_ALIASES)}
    named = [i for i in range(len(top)) if any(_fold(v) in wanted for v in top.iloc[i].dropna())]
    filled = top.notna().sum(axis=1).tolist()
    header_pos = named[0] if named else filled.index(max(filled))
    header = [str(v).strip() if pd.notna(v) else f"column_{i + 1}" for i, v in enumerate(raw.iloc[header_pos])]
    body = raw.iloc[header_pos + 1:].reset_index(drop=True)
    body.columns = header
    return body


def _records_frame(records: Any, label: str) -> pd.DataFrame:
    if not isinstance(records, list) or not all(isinstance(r, Mapping) for r in records):
        bad = next((type(r).__name__ for r in records if not isinstance(r, Mapping)), "?") \
            if isinstance(records, list) else type(records).__name__
        raise InputError(f"{label} must hold a list of objects (one per story, e.g. "
                         f'[{{"story_id": "1", "text": "..."}}]). Got an element of type {bad}.')
    return pd.DataFrame.from_records(records)


def _read_json(content: str, path: Path) -> pd.DataFrame:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise UnreadableFileError(f"{str(path)!r} is not valid JSON ({exc}). For one story per line use a "
                                  ".jsonl file.") from exc
    if isinstance(data, dict):
        lists = {k: v for k, v in data.items() if isinstance(v, list)}
        if len(lists) == 1:
            data = next(iter(lists.values()))
        elif lists and all(len(v) == len(next(iter(lists.values()))) for v in lists.values()) \
                and len(lists) == len(data):
            return pd.DataFrame(data)  # column-oriented {"text": [...], "id": [...]}
        else:
            raise InputError(f"{str(path)!r} holds a JSON object with keys {list(data)[:10]}, not a list of "
                             'stories. Expected [{"story_id": ..., "text": ...}, ...] or {"stories": [...]}.')
    if not isinstance(data, list):
        raise InputError(f"{str(path)!r} holds a JSON {type(data).__name__}, not a list of stories. Expected "
                         '[{"story_id": ..., "text": ...}, ...].')
    if not data:
        raise EmptyInputError(f"{str(path)!r} holds an empty JSON list (0 stories).")
    return _records_frame(data, str(path))


def _read_jsonl(content: str, path: Path) -> pd.DataFrame:
    records = []
    for n, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UnreadableFileError(f"Line {n} of {str(path)!r} is not valid JSON ({exc}).") from exc
        if not isinstance(rec, dict):
            raise InputError(f"Line {n} of {str(path)!r} holds a JSON {type(rec).__name__}; every line must be "
                             'one story object like {"story_id": "1", "text": "..."}.')
        records.append(rec)
    if not records:
        raise EmptyInputError(f"{str(path)!r} holds no JSON lines (0 stories).")
    return pd.DataFrame.from_records(records)
