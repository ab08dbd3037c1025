"""`urgent parse PATH`: read a file, extract its text, parse it, render the record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import IngestError
from .extract import Extracted, extract_text
from .parser import parse_case_sheet
from .record import CaseSheet

FORMATS = ("json", "yaml", "text")


def parse_path(path: str | Path) -> tuple[CaseSheet, Extracted]:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise IngestError(f"no such file: {path}") from exc
    except IsADirectoryError as exc:
        raise IngestError(f"{path} is a directory, not a file") from exc
    except OSError as exc:
        raise IngestError(f"cannot read {path}: {exc.strerror or exc}") from exc
    extracted = extract_text(data, path.name)
    return parse_case_sheet(extracted.text), extracted


def render(sheet: CaseSheet, fmt: str = "json") -> str:
    record = sheet.to_json_dict()
    if fmt == "json":
        return json.dumps(record, ensure_ascii=False, indent=2)
    if fmt == "yaml":
        import yaml

        return str(yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=100)).rstrip()
    if fmt == "text":
        return _as_text(record)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def parse_file(path: str | Path, fmt: str = "json") -> str:
    sheet, _extracted = parse_path(path)
    return render(sheet, fmt)


def _as_text(record: dict[str, Any]) -> str:
    lines: list[str] = []

    def put(label: str, value: Any) -> None:
        if value not in (None, "", []):
            lines.append(f"{label}: {value}")

    put("Title", record["title"])
    put("Kind", record["kind"])
    put("UA number", record["ua_number"])
    put("Index", record["index_number"])
    put("Country", record["country"])
    put("Language", record["language"])
    put("Issued", record["date_issued"])
    put("Deadline", record["deadline"])
    if record["persons"]:
        people = ", ".join(
            p["name"] + (f" ({p['gender']})" if p["gender"] else "") for p in record["persons"]
        )
        put("People at risk", people)
    put("Themes", ", ".join(record["themes"]))
    if record["asks"]:
        lines.append("Asks:")
        lines.extend(f"  - {ask}" for ask in record["asks"])
    for target in record["targets"]:
        heading = (
            " ".join(x for x in (target["honorific"], target["name"]) if x)
            or target["title"]
            or "(unnamed)"
        )
        lines.append(f"{'Copy to' if target['role'] == 'copy' else 'Write to'}: {heading}")
        if target["title"] and target["name"]:
            lines.append(f"  {target['title']}")
        lines.extend(f"  {line}" for line in target["address_lines"])
        for key, label in (
            ("emails", "Email"),
            ("faxes", "Fax"),
            ("phones", "Tel"),
            ("social", "Social"),
        ):
            if target[key]:
                lines.append(f"  {label}: {', '.join(target[key])}")
        if target["salutation"]:
            lines.append(f"  Salutation: {target['salutation']}")
    if record["update_request"]:
        req = record["update_request"]
        put("Updates", f"{req['email']} (subject: {req['subject']})")
    put("Not found", ", ".join(record["missing"]))
    put("Low confidence", ", ".join(record["uncertain"]))
    return "\n".join(lines)
