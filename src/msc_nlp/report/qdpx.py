"""REFI-QDA export and import (.qdpx), the open exchange standard of NVivo, ATLAS.ti, MAXQDA and QualCoder.

A .qdpx is a zip with ``project.qde`` (XML in the ``urn:QDA-XML:project:1.0`` namespace, schema "QDA-XML 1.0,
18 March 2019", shipped as ``msc_nlp/data/refi_qda/Project.xsd``) and ``Sources/<guid>.txt``. msc_nlp writes:

* each story as a ``TextSource`` (UTF-8 plain text, no BOM, line ends as ``\\n``), named by its story id;
* codes: one group "Themes" with a code per theme, one group "5C capabilities" with a code per capability;
* coded segments (``PlainTextSelection``): the whole story for its theme, and each evidence sentence for its
  primary capability. Positions count characters (Unicode code points) of the source text from 0, the end
  excluded, so ``text[startPosition:endPosition]`` is the evidence sentence;
* every other story column (language, period, partner, region, scores ...) as a variable of the source.

GUIDs are derived from the story ids and labels (uuid5), so the same result gives the same file.
"""
from __future__ import annotations

import re
import uuid
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..errors import InputError

if TYPE_CHECKING:
    from ..pipeline import AnalysisResult

__all__ = ["write_qdpx", "read_qdpx", "QdpxProject", "schema_path", "NAMESPACE"]

NAMESPACE = "urn:QDA-XML:project:1.0"
_Q = f"{{{NAMESPACE}}}"
_GUID_NS = uuid.UUID("6f1c2d3e-5a4b-4c8d-9e0f-1a2b3c4d5e6f")
#: Story columns that are not variables: the text itself, the evidence (coded segments) and map coordinates.
_NOT_VARIABLES = {"text", "evidence", "story_id", "map_x", "map_y"}
#: Columns the pipeline writes (codes and labels, never personal data): kept as they are when redacting.
_PIPELINE_COLUMNS = {"language", "languages", "status", "theme_label", "capability"}


def schema_path() -> Path:
    """Path of the REFI-QDA Project schema (QDA-XML 1.0, MIT licence; notice in the same folder)."""
    return Path(str(resources.files("msc_nlp") / "data" / "refi_qda" / "Project.xsd"))


def _guid(*parts: object) -> str:
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(map(str, parts))))


def _locate(text: str, fragment: str, start: int = 0) -> tuple[int, int] | None:
    """Where ``fragment`` (a sentence the splitter may have re-joined with single spaces) lies in ``text``."""
    fragment = fragment.strip()
    if not fragment:
        return None
    at = text.find(fragment, start)
    if at >= 0:
        return at, at + len(fragment)
    pattern = r"\s+".join(re.escape(w) for w in fragment.split())
    m = re.compile(pattern).search(text, start)
    return (m.start(), m.end()) if m else None


def _shift(position: int, edits: Sequence[tuple[int, int, int]], *, end: bool) -> int:
    """Map a position in the original text to the redacted text. ``edits``: (start, end, new length) of
    each replaced span; a position inside one moves to its start (or, for an end position, its end)."""
    delta = 0
    for s, e, n in edits:
        if position >= e:
            delta += n - (e - s)
        elif position > s:
            return s + delta + (n if end else 0)
        else:
            break
    return position + delta


def _variables(stories: pd.DataFrame) -> list[tuple[str, str]]:
    out = []
    for col in stories.columns:
        if col in _NOT_VARIABLES or col.startswith("_"):
            continue
        values = stories[col].dropna()
        if values.map(lambda v: isinstance(v, (list, dict, tuple, np.ndarray))).any():
            continue
        dtype = stories[col].dtype
        kind = ("Boolean" if pd.api.types.is_bool_dtype(dtype) else "Integer" if pd.api.types.is_integer_dtype(dtype)
                else "Float" if pd.api.types.is_float_dtype(dtype) else "Text")
        out.append((str(col), kind))
    return out


def _value(kind: str, value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == "Boolean":
        return "true" if bool(value) else "false"
    if kind == "Integer":
        return str(int(value))
    if kind == "Float":
        return f"{float(value):.6f}"  # xsd:decimal: no exponent, no nan
    return str(value)


def write_qdpx(result: AnalysisResult, path: str | Path, *, redact: bool = False,
               project_name: str | None = None) -> Path:
    """Write ``result`` as a REFI-QDA project (``.qdpx``) and return its path.

    ``redact``: replace names, phone numbers and e-mail addresses (:class:`msc_nlp.panels.Redactor`; the
    ``region`` words are kept as places and the words of ``partner`` values as organisation names) in the story
    texts and in free-text variables (text columns whose values are mostly unique: title, why_significant ...;
    repeated values such as partner, region or role are categories and stay); evidence offsets follow the
    redacted text. Empty
    stories are sources without segments; a story without a theme (``theme_id`` < 0) gets no theme segment.
    """
    from ..capabilities import load_framework

    stories = result.stories
    for col in ("story_id", "text"):
        if col not in stories.columns:
            raise InputError(f"write_qdpx needs a {col!r} column in result.stories; got {list(stories.columns)}.")
    out = Path(path)
    if out.suffix.lower() != ".qdpx":
        raise InputError(f"A REFI-QDA project file ends in .qdpx. Got {str(out)!r}; name it e.g. 'stories.qdpx'.")
    key = result.manifest.get("input", {}).get("sha256", "") if isinstance(result.manifest, dict) else ""
    redactor = None
    if redact:
        from ..panels import Redactor

        places = set(stories["region"].dropna().astype(str).str.split(r"[,\s]+").explode()) \
            if "region" in stories.columns else set()
        keep = set(stories["partner"].dropna().astype(str).str.split().explode()) if "partner" in stories.columns \
            else set()
        redactor = Redactor(places=places, keep=keep)
    free_text = {name for name, kind in _variables(stories) if kind == "Text" and name not in _PIPELINE_COLUMNS
                 and stories[name].nunique() > stories[name].notna().sum() / 2}

    user = _guid(key, "user")
    project = ET.Element("Project", {"xmlns": NAMESPACE, "name": project_name or "msc_nlp analysis",
                                           "origin": f"msc_nlp {__version__}", "creatingUserGUID": user})
    ET.SubElement(ET.SubElement(project, "Users"), "User", {"guid": user, "name": "msc_nlp"})
    codes = ET.SubElement(ET.SubElement(project, "CodeBook"), "Codes")
    theme_codes: dict[int, str] = {}
    cap_codes: dict[str, str] = {}
    themes = result.themes if "theme_id" in result.themes.columns else pd.DataFrame(columns=["theme_id"])
    if len(themes):
        group = ET.SubElement(codes, "Code", {"guid": _guid(key, "group", "themes"), "name": "Themes",
                                                    "isCodable": "false"})
        for t in themes.itertuples():
            tid = int(t.theme_id)
            theme_codes[tid] = _guid(key, "theme", tid, getattr(t, "label", ""))
            code = ET.SubElement(group, "Code", {"guid": theme_codes[tid], "name": f"{tid}: {t.label}",
                                                      "isCodable": "true"})
            words = getattr(t, "keywords", None)
            if isinstance(words, (list, tuple)) and words:
                ET.SubElement(code, "Description").text = "keywords: " + ", ".join(map(str, words))
    caps = [c[4:] for c in stories.columns if c.startswith("cap_")]
    if caps:
        try:
            names = {c.key: c.names.get("mfs2", c.key) for c in load_framework("5c").capabilities}
        except InputError:
            names = {}
        group = ET.SubElement(codes, "Code", {"guid": _guid(key, "group", "5c"), "name": "5C capabilities",
                                                    "isCodable": "false"})
        for cap in caps:
            cap_codes[cap] = _guid(key, "capability", cap)
            code = ET.SubElement(group, "Code", {"guid": cap_codes[cap], "name": cap, "isCodable": "true"})
            if cap in names:
                ET.SubElement(code, "Description").text = names[cap]
    if not len(codes):
        project.remove(project.find("CodeBook"))

    variables = _variables(stories)
    var_guids = {name: _guid(key, "variable", name) for name, _ in variables}
    if variables:
        holder = ET.SubElement(project, "Variables")
        for name, kind in variables:
            ET.SubElement(holder, "Variable", {"guid": var_guids[name], "name": name, "typeOfVariable": kind})

    sources = ET.SubElement(project, "Sources")
    files: dict[str, str] = {}
    missed = []
    for _, row in stories.iterrows():
        sid = str(row["story_id"])
        text = str(row["text"]) if isinstance(row["text"], str) else ""
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        language = str(row.get("language", "nl"))
        edits: list[tuple[int, int, int]] = []
        shown = text
        if redactor is not None:
            shown, log = redactor.redact(text, sid, language)
            edits = [(r.start, r.start + len(r.original), len(f"[{r.kind.upper()}]")) for r in log]
        guid = _guid(key, "source", sid)
        files[f"Sources/{guid}.txt"] = shown
        src = ET.SubElement(sources, "TextSource", {"guid": guid, "name": sid,
                                                         "plainTextPath": f"internal://{guid}.txt",
                                                         "creatingUser": user})
        theme_id = row.get("theme_id", -1)
        if shown and pd.notna(theme_id) and int(theme_id) in theme_codes:
            _selection(src, _guid(key, "sel", sid, "theme"), f"theme: {row.get('theme_label', theme_id)}", 0,
                       len(shown), theme_codes[int(theme_id)], user)
        cap = str(row.get("capability", "none"))
        evidence = row.get("evidence", "")
        if cap in cap_codes and isinstance(evidence, str) and evidence.strip():
            pos = 0
            for k, part in enumerate(p for p in evidence.split(" … ") if p.strip()):
                span = _locate(text, part, pos)
                if span is None:
                    missed.append(sid)
                    continue
                pos = span[1]
                start, end = _shift(span[0], edits, end=False), _shift(span[1], edits, end=True)
                _selection(src, _guid(key, "sel", sid, "evidence", k), f"evidence: {cap}", start, end,
                           cap_codes[cap], user)
        for name, kind in variables:
            value = _value(kind, row[name])
            if value is None:
                continue
            if redactor is not None and name in free_text:
                value = redactor.redact(value, sid, language)[0]
            vv = ET.SubElement(src, "VariableValue")
            ET.SubElement(vv, "VariableRef", {"targetGUID": var_guids[name]})
            ET.SubElement(vv, f"{kind}Value").text = value
    if missed:
        warnings.warn(f"write_qdpx could not find the evidence sentence in the text of {len(missed)} stories "
                      f"({', '.join(missed[:5])}); those segments were left out.", stacklevel=2)
    ET.indent(project)
    xml = ET.tostring(project, encoding="utf-8", xml_declaration=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(_zip_info("project.qde"), xml)
        for name, content in files.items():
            z.writestr(_zip_info(name), content.encode("utf-8"))
    return out


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2019, 3, 18, 0, 0, 0))  # fixed: the same result gives the same bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _selection(source: ET.Element, guid: str, name: str, start: int, end: int, code: str, user: str) -> None:
    sel = ET.SubElement(source, "PlainTextSelection", {"guid": guid, "name": name, "startPosition": str(start),
                                                             "endPosition": str(end), "creatingUser": user})
    coding = ET.SubElement(sel, "Coding", {"guid": _guid(guid, "coding"), "creatingUser": user})
    ET.SubElement(coding, "CodeRef", {"targetGUID": code})


@dataclass
class QdpxProject:
    """A REFI-QDA project read back: ``sources`` (guid, name, text, variables as a dict), ``codes`` (guid, name,
    parent, codable, description), ``selections`` (source guid and name, start, end, the text they select, code
    guid and name), and the raw ``project.qde`` bytes in ``xml``."""

    name: str
    sources: pd.DataFrame
    codes: pd.DataFrame
    selections: pd.DataFrame
    xml: bytes


def read_qdpx(path: str | Path) -> QdpxProject:
    """Read a .qdpx (text sources, codes, plain-text selections and variables; other source kinds are left
    out). Inline ``PlainTextContent`` and ``internal://`` source files are both read."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("project.qde")
            members = {n.lower(): n for n in z.namelist()}
            root = ET.fromstring(xml)
            variables = {v.get("guid"): v.get("name") for v in root.iter(f"{_Q}Variable")}
            codes = []

            def walk(el: ET.Element, parent: str | None) -> None:
                for code in el.findall(f"{_Q}Code"):
                    desc = code.find(f"{_Q}Description")
                    codes.append({"guid": code.get("guid"), "name": code.get("name"), "parent": parent,
                                  "codable": code.get("isCodable") == "true",
                                  "description": desc.text if desc is not None else None})
                    walk(code, code.get("name"))

            book = root.find(f"{_Q}CodeBook/{_Q}Codes")
            if book is not None:
                walk(book, None)
            code_names = {c["guid"]: c["name"] for c in codes}
            sources, selections = [], []
            for src in root.iter(f"{_Q}TextSource"):
                inline = src.find(f"{_Q}PlainTextContent")
                if inline is not None:
                    text = inline.text or ""
                else:
                    ref = (src.get("plainTextPath") or "").removeprefix("internal://")
                    text = z.read(members[f"sources/{ref}".lower()]).decode("utf-8-sig")
                values = {}
                for vv in src.findall(f"{_Q}VariableValue"):
                    target = vv.find(f"{_Q}VariableRef").get("targetGUID")
                    value = next((c.text for c in vv if c.tag != f"{_Q}VariableRef"), None)
                    values[variables.get(target, target)] = value
                sources.append({"guid": src.get("guid"), "name": src.get("name"), "text": text, "variables": values})
                for sel in src.findall(f"{_Q}PlainTextSelection"):
                    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                    for coding in sel.findall(f"{_Q}Coding/{_Q}CodeRef"):
                        guid = coding.get("targetGUID")
                        selections.append({"source": src.get("guid"), "source_name": src.get("name"),
                                           "name": sel.get("name"), "start": start, "end": end,
                                           "text": text[start:end], "code": guid, "code_name": code_names.get(guid)})
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError) as exc:
        raise InputError(f"{str(path)!r} is not a readable REFI-QDA project ({type(exc).__name__}: {exc}). "
                         "Expected a .qdpx zip with project.qde and its Sources.") from exc
    return QdpxProject(root.get("name", ""), pd.DataFrame(sources, columns=["guid", "name", "text", "variables"]),
                       pd.DataFrame(codes, columns=["guid", "name", "parent", "codable", "description"]),
                       pd.DataFrame(selections, columns=["source", "source_name", "name", "start", "end", "text",
                                                         "code", "code_name"]), xml)
