"""The follower inboxes of `urgent bench federation` verify every signature they get."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from urgent.federation import activities, keys, vocab
from urgent.federation.delivery import activity_body
from urgent.federation.signing import request_sign


def test_the_bench_inboxes_take_signed_activities_and_refuse_others(tmp_path: Path) -> None:
    key = keys.key_current()
    pem = tmp_path / "key.pem"
    pem.write_text(key.public_pem)
    keyargs = ["--key-id", key.key_id, "--key-pem", str(pem)]
    sink = subprocess.Popen(
        [sys.executable, "-m", "benches.fedsink", "--inboxes", "3", *keyargs],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdin is not None and sink.stdout is not None
    try:
        ports = json.loads(sink.stdout.readline())
        assert len(ports) == 3
        url = f"http://127.0.0.1:{ports[0]}/federation/inbox"
        body = activity_body(activities.follow_build(actor_url="http://127.0.0.1:1/actor"))
        headers = request_sign(
            method="POST",
            url=url,
            headers={"Content-Type": vocab.ACTIVITY_JSON},
            body=body,
            key_id=key.key_id,
            private_key=key.private_key,
        )
        assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 202
        tampered = body.replace(b"Follow", b"Undo")
        assert requests.post(url, data=tampered, headers=headers, timeout=10).status_code == 401
        unsigned = {"Content-Type": vocab.ACTIVITY_JSON}
        other = f"http://127.0.0.1:{ports[1]}/federation/inbox"
        assert requests.post(other, data=body, headers=unsigned, timeout=10).status_code == 401
        sink.stdin.write("report\n")
        sink.stdin.flush()
        report = json.loads(sink.stdout.readline())
        assert (report["delivered"], report["refused"]) == (1, 2)
    finally:
        sink.stdin.write("quit\n")
        sink.stdin.close()
        sink.wait(timeout=30)
