"""DKIM signatures made by the SMTP backend, verified by dkimpy against the published key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from config.env import ConfigError
from tests.mailings.conftest import SmtpServer, mailing_make, supporter_make
from urgent.core.mail.dkim import dkim_public_record
from urgent.mailings import engine

pytestmark = pytest.mark.django_db


def key_file(tmp_path: Path, kind: str) -> tuple[Path, Any]:
    key: Any = (
        ed25519.Ed25519PrivateKey.generate()
        if kind == "ed25519"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    path = tmp_path / f"{kind}.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path, key


@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_every_message_carries_a_valid_signature(
    kind: str, tmp_path: Path, smtp_server: SmtpServer, settings: Any
) -> None:
    path, key = key_file(tmp_path, kind)
    settings.URGENT_DKIM = (str(path), "urgent2026")
    supporter_make(name="Zoë Ünïcode")
    supporter_make(name="")
    mailing = mailing_make()
    engine.mailing_run(mailing_id=mailing.pk)
    record = dkim_public_record(key).encode()
    asked: list[bytes] = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        asked.append(name)
        return record

    assert len(smtp_server.received) == 2
    for received in smtp_server.received:
        signature = received.message["DKIM-Signature"]
        assert f"a={kind}-sha256" in signature
        assert "d=urgent.example.org" in signature and "s=urgent2026" in signature
        assert "list-unsubscribe:list-unsubscribe-post" in signature.replace(" ", "")
        assert dkim.verify(received.data, dnsfunc=dns)
        tampered = received.data.replace(b"Urgent action", b"Urgent actiom", 1)
        assert not dkim.verify(tampered, dnsfunc=dns)
    assert asked[0] == b"urgent2026._domainkey.urgent.example.org."


def test_a_bad_key_file_stops_start_up_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config import env

    monkeypatch.setenv("URGENT_DKIM_KEY_FILE", str(tmp_path / "missing.pem"))
    monkeypatch.setenv("URGENT_DKIM_SELECTOR", "s1")
    with pytest.raises(ConfigError, match="URGENT_DKIM_KEY_FILE: cannot read"):
        env.dkim()
    (tmp_path / "bad.pem").write_text("not a key")
    monkeypatch.setenv("URGENT_DKIM_KEY_FILE", str(tmp_path / "bad.pem"))
    with pytest.raises(ConfigError, match="not an unencrypted PEM"):
        env.dkim()
    path, _key = key_file(tmp_path, "ed25519")
    monkeypatch.setenv("URGENT_DKIM_KEY_FILE", str(path))
    monkeypatch.setenv("URGENT_DKIM_SELECTOR", "bad selector!")
    with pytest.raises(ConfigError, match="URGENT_DKIM_SELECTOR"):
        env.dkim()
    monkeypatch.setenv("URGENT_DKIM_SELECTOR", "s1")
    assert env.dkim() == (str(path.resolve()), "s1")
    monkeypatch.setenv("URGENT_MAIL_RATE", "fast")
    with pytest.raises(ConfigError, match="URGENT_MAIL_RATE"):
        env.mail_rate()
