"""parse_file and the `parse` management command (run without project settings)."""

from __future__ import annotations

import io
import json

import pytest
import yaml

from urgent.ingest.cli import parse_file
from urgent.ingest.errors import IngestError

from .conftest import SAMPLES


def test_parse_file_json():
    out = json.loads(parse_file(SAMPLES / "french.txt"))
    assert out["ua_number"] == "77/21"
    assert out["language"] == "fr"


def test_parse_file_keeps_non_ascii():
    assert "Président" in parse_file(SAMPLES / "french.txt", "json")


def test_parse_file_yaml_and_text():
    assert yaml.safe_load(parse_file(SAMPLES / "spanish.txt", "yaml"))["country"] == "Colombia"
    text = parse_file(SAMPLES / "typewriter_1990s.txt", "text")
    assert "Write to: Daniel Mbeki Tembo" in text
    assert "Deadline: 1995-09-25" in text


def test_parse_file_missing(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        parse_file(tmp_path / "nope.txt")


def test_management_command_prints_json():
    pytest.importorskip("django")
    from django.core.management import call_command

    from urgent.ingest.management.commands.parse import Command

    stdout = io.StringIO()
    call_command(Command(), str(SAMPLES / "german.txt"), stdout=stdout)
    assert json.loads(stdout.getvalue())["deadline"] == "2023-04-25"


def test_management_command_error_exit_status(tmp_path, capsys):
    pytest.importorskip("django")
    from urgent.ingest.management.commands.parse import Command

    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["urgent", "parse", str(empty)])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.strip() == "error: the file is empty"
