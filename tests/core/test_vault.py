"""Supporters' data sealed at rest: round trip, wrong or missing keys, rotation, look-ups."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection

from config import env
from config.keyfile import DataKey, key_generate, keyfile_create, keyfile_read
from tests.actions.helpers import LETTER, case
from tests.conftest import free_port, run_urgent
from urgent.actions.models import Action, PendingLetter
from urgent.core import rotation, vault
from urgent.core.models import AuditEntry
from urgent.supporters.models import Confirmation, Supporter
from urgent.supporters.selectors import supporters_by_email

EMAIL = "Zora.Quill@Example.org"
NAME = "Zora Quillfeather"
CITY = "Brindlemoor"
PHRASE = "the lanterns of Brindlemoor stay lit"


@pytest.fixture
def key_file(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """A key file of the test's own, with one key."""
    path = tmp_path / "data_key"
    keyfile_create(path)
    settings.URGENT_DATA_KEY_FILE = path
    vault.vault_reload()
    yield path
    vault.vault_reload()


@pytest.fixture
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rotation, "RECHECK_SECONDS", 0)


def raw(table: str, column: str, pk: int) -> Any:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def sealed_under(table: str, column: str, pk: int) -> str:
    """The id of the key a stored value is sealed with; fails when it is stored in clear."""
    value = raw(table, column, pk)
    assert isinstance(value, str) and value.startswith("enc1:"), value
    return value[5:13]


def people(count: int = 3) -> list[Supporter]:
    """Supporters with a letter each, a pending letter and a pending join request."""
    made = []
    for i in range(count):
        supporter = Supporter.objects.create(
            email=f"writer{i}.{EMAIL}", name=f"{NAME} {i}", city=CITY
        )
        Action.objects.create(
            case=case(), supporter=supporter, channel="email", letter=f"{LETTER}\n{PHRASE} {i}"
        )
        PendingLetter.objects.create(
            case=case(),
            supporter=supporter,
            channel="email",
            subject="Concerning Daniyar Orazmyradov",
            letter=PHRASE,
            language="en",
            signer_name=NAME,
            signer_city=CITY,
        )
        Confirmation.objects.create(
            supporter=supporter,
            kind="join",
            wording="I agree",
            source="test",
            profile={"name": NAME, "city": CITY},
        )
        made.append(supporter)
    return made


def test_values_are_sealed_in_the_column_and_read_back_in_clear(demo: None, key_file: Path) -> None:
    supporter = Supporter.objects.create(email=EMAIL, name=NAME, city=CITY)
    action = Action.objects.create(case=case(), supporter=supporter, channel="email", letter=PHRASE)
    key_id = keyfile_read(key_file)[0].key_id
    for column in ("email", "name", "city"):
        assert sealed_under("supporters_supporter", column, supporter.pk) == key_id
        stored = raw("supporters_supporter", column, supporter.pk)
        assert "Zora" not in stored and CITY not in stored
    assert PHRASE not in raw("actions_action", "letter", action.pk)
    again = Supporter.objects.get(pk=supporter.pk)
    assert (again.email, again.name, again.city) == (EMAIL, NAME, CITY)
    assert Action.objects.get(pk=action.pk).letter == PHRASE
    # The same address sealed twice looks different (a fresh nonce each time) ...
    other = vault.seal(EMAIL)
    assert other != raw("supporters_supporter", "email", supporter.pk)
    # ... so it is found by its keyed hash, whatever the case and spaces it is typed with.
    assert raw("supporters_supporter", "email_hash", supporter.pk) == vault.email_hash(EMAIL)
    assert list(supporters_by_email("  zora.quill@example.ORG ")) == [supporter]
    # Empty and missing values say nothing about anyone, and stay as they are.
    blank = Supporter.objects.create(email=None, name="")
    assert raw("supporters_supporter", "email", blank.pk) is None
    assert raw("supporters_supporter", "name", blank.pk) == ""


def test_filtering_on_a_sealed_column_is_refused_not_silently_empty(
    db: None, key_file: Path
) -> None:
    supporter = Supporter.objects.create(email=EMAIL, name=NAME)
    # Lookups spelt as data: mypy's Django plugin would resolve (and refuse) them itself.
    for lookup, value in (("email", EMAIL), ("name__icontains", "Zora")):
        with pytest.raises(FieldError, match="encrypted"):
            list(Supporter.objects.filter(**{lookup: value}))
    assert list(Supporter.objects.filter(email__isnull=False)) == [supporter]
    assert sealed_under("supporters_supporter", "email", supporter.pk)


def test_a_key_file_without_the_key_or_with_another_key_is_a_clear_error(
    db: None, key_file: Path
) -> None:
    supporter = Supporter.objects.create(email=EMAIL, name=NAME)
    key_id = sealed_under("supporters_supporter", "name", supporter.pk)
    vault.keyfile_write(key_file, [key_generate()])
    with pytest.raises(vault.VaultError, match=f"sealed with data key {key_id}.*does not hold"):
        Supporter.objects.get(pk=supporter.pk)
    # The right key id with the wrong bytes: refused, never misread.
    vault.keyfile_write(key_file, [DataKey(key_id=key_id, secret=b"\x01" * 32)])
    with pytest.raises(vault.VaultError, match="does not open with that key"):
        Supporter.objects.get(pk=supporter.pk)


def test_an_altered_value_is_refused(db: None, key_file: Path) -> None:
    supporter = Supporter.objects.create(email=EMAIL, name=NAME)
    sealed = raw("supporters_supporter", "name", supporter.pk)
    assert sealed.startswith("enc1:")
    body = bytearray(base64.b64decode(sealed[14:]))
    body[-1] ^= 1
    altered = sealed[:14] + base64.b64encode(bytes(body)).decode()
    Supporter.objects.filter(pk=supporter.pk).update(name=altered)  # stored as given
    with pytest.raises(vault.VaultError, match="altered"):
        Supporter.objects.get(pk=supporter.pk)


def test_a_missing_key_file_is_a_clear_error(
    db: None, key_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    supporter = Supporter.objects.create(email=EMAIL, name=NAME)
    assert sealed_under("supporters_supporter", "email", supporter.pk)
    key_file.unlink()
    vault.vault_reload()
    message = f"the data key file {key_file} is missing; without it supporters' data cannot be read"
    with pytest.raises(vault.VaultError, match=message):
        Supporter.objects.get(pk=supporter.pk)
    # At start-up: a key file named but missing is never silently replaced by a new key.
    monkeypatch.setenv("URGENT_DATA_KEY_FILE", str(key_file))
    with pytest.raises(
        env.ConfigError, match=r"^URGENT_DATA_KEY_FILE: the data key file .* is missing"
    ):
        env.data_key_file(tmp_path)
    assert not key_file.exists()
    key_file.write_text("0123abcd not-base64!\n")
    with pytest.raises(env.ConfigError, match="malformed at line 1: the key is not base64"):
        env.data_key_file(tmp_path)
    key_file.write_text("# nothing yet\n")
    with pytest.raises(env.ConfigError, match="holds no key"):
        env.data_key_file(tmp_path)
    # Unset, a first key is made in the data directory, readable by the owner only.
    monkeypatch.delenv("URGENT_DATA_KEY_FILE")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    made = env.data_key_file(fresh)
    assert made.stat().st_mode & 0o777 == 0o600
    assert len(keyfile_read(made)) == 1


def test_rotation_seals_everything_again_and_drops_the_old_key(
    demo: None, key_file: Path, no_wait: None
) -> None:
    made = people()
    old = keyfile_read(key_file)[0].key_id
    assert sealed_under("supporters_supporter", "email", made[0].pk) == old
    out = StringIO()
    call_command("rotate-data-key", stdout=out)
    keys = keyfile_read(key_file)
    assert len(keys) == 1 and keys[0].key_id != old
    new = keys[0].key_id
    output = out.getvalue()
    assert "supporters_supporter: 3 rows sealed again" in output
    assert "actions_pendingletter: 3 rows sealed again" in output
    assert f"no value uses {old} any more: dropped" in output
    for supporter in made:
        for column in ("email", "name", "city"):
            assert sealed_under("supporters_supporter", column, supporter.pk) == new
        assert (
            sealed_under("supporters_confirmation", "profile", supporter.confirmations.get().pk)
            == new
        )
        pending = supporter.pending_letters.get()
        assert sealed_under("actions_pendingletter", "signer_name", pending.pk) == new
        assert pending.letter == PHRASE and pending.signer_city == CITY
        assert supporter.confirmations.get().profile == {"name": NAME, "city": CITY}
    # Found by address through the hash under the new key.
    assert supporters_by_email(made[1].email or "").get().name == f"{NAME} 1"
    assert raw("supporters_supporter", "email_hash", made[1].pk) == vault.email_hash(
        made[1].email or "", keys[0]
    )
    entry = AuditEntry.objects.get(action="data_key.rotate")
    assert entry.after["key_id"] == new and entry.after["dropped"] == [old]
    assert entry.after["rows_resealed"] >= 12


def test_an_interrupted_rotation_is_finished_by_running_it_again(
    demo: None, key_file: Path, no_wait: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = people()
    old = keyfile_read(key_file)[0].key_id
    assert sealed_under("supporters_supporter", "email", made[0].pk) == old
    real = rotation.table_reseal
    done: list[str] = []

    def crash_after_first_table(conn: Any, spec: vault.SealedTable, **kw: Any) -> Any:
        if done:
            raise KeyboardInterrupt
        done.append(spec.table)
        return real(conn, spec, **kw)

    monkeypatch.setattr(rotation, "table_reseal", crash_after_first_table)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate-data-key", stdout=StringIO())
    keys = keyfile_read(key_file)
    new = keys[0].key_id
    assert [k.key_id for k in keys] == [new, old]  # the old key is kept: values still use it
    # Halfway, everything still reads and every address is still found.
    for supporter in made:
        again = supporters_by_email(supporter.email or "").get()
        assert again.name == supporter.name
        assert again.actions.get().letter.endswith(PHRASE + f" {made.index(supporter)}")
    monkeypatch.setattr(rotation, "table_reseal", real)
    out = StringIO()
    call_command("rotate-data-key", "--resume", stdout=out)
    assert [k.key_id for k in keyfile_read(key_file)] == [new]
    assert f"dropped from {key_file}" in out.getvalue()
    for supporter in made:
        assert sealed_under("supporters_supporter", "email", supporter.pk) == new
        assert sealed_under("actions_action", "letter", supporter.actions.get().pk) == new
        assert supporters_by_email(supporter.email or "").exists()


def test_a_row_left_on_the_old_key_keeps_the_old_key_in_the_file(
    db: None, key_file: Path, no_wait: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    supporter = Supporter.objects.create(email=EMAIL, name=NAME)
    old = keyfile_read(key_file)[0].key_id
    # A server writing under the old key while the rotation runs: its row is not sealed again.
    monkeypatch.setattr(rotation, "table_reseal", lambda *a, **kw: vault.ResealCount())
    with pytest.raises(CommandError, match="not finished"):
        call_command("rotate-data-key", stdout=StringIO())
    assert keyfile_read(key_file)[1].key_id == old
    assert Supporter.objects.get(pk=supporter.pk).name == NAME
    assert sealed_under("supporters_supporter", "name", supporter.pk) == old


def test_serve_refuses_to_start_when_the_key_file_was_lost(scratch_env: dict[str, str]) -> None:
    assert run_urgent("migrate", "--noinput", env=scratch_env).returncode == 0
    made = run_urgent(
        "shell",
        "-c",
        "from urgent.supporters.models import Supporter; "
        f"Supporter.objects.create(email={EMAIL!r}, name={NAME!r})",
        env=scratch_env,
    )
    assert made.returncode == 0, made.stderr
    key_file = Path(scratch_env["URGENT_DATA_DIR"]) / "data_key"
    lost = keyfile_read(key_file)[0].key_id
    key_file.unlink()  # a new one is made at the next start: it cannot open the old values
    served = run_urgent("serve", "--bind", f"127.0.0.1:{free_port()}", env=scratch_env, timeout=60)
    assert served.returncode != 0
    assert f"sealed with data key {lost}, which the data key file" in served.stderr
    assert "without it supporters' data cannot be read" in served.stderr
    assert "Traceback" not in served.stderr


def test_processes_starting_together_share_one_data_key_and_one_secret_key(
    tmp_path: Path,
) -> None:
    """A first `urgent serve` starts web and worker processes at once on an empty data
    directory: each must read the same complete keys, never a half-written file."""
    script = (
        "import sys; from pathlib import Path; from config import env; from config.keyfile "
        "import keyfile_read; d = Path(sys.argv[1]); "
        "print(keyfile_read(env.data_key_file(d))[0].key_id, env.secret_key(d))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "URGENT_DATA_KEY_FILE"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for _ in range(12)
    ]
    answers = set()
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        answers.add(out.strip())
    assert len(answers) == 1, answers
    _key_id, secret = answers.pop().split(" ")
    assert len(secret) >= 50
    assert (tmp_path / "data_key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
