"""Two real instances: B follows A, A's coordinator accepts, both show the pinned keys."""

from __future__ import annotations

import re
import socket
from pathlib import Path

from tests.federation.instances import instances_running, wait_until
from urgent.federation.keys import fingerprint_display


def test_a_section_follows_an_issuing_instance_which_accepts(tmp_path: Path) -> None:
    with instances_running(tmp_path, "Issuing Office", "Section B") as (issuing, section):
        a_print, b_print = issuing.fingerprint(), section.fingerprint()
        assert a_print != b_print
        b_staff = section.signed_in("coord")
        a_staff = issuing.signed_in("coord")

        # B looks A up by its site address, sees A's fingerprint, and follows.
        page = section.post_form(b_staff, "/staff/federation/lookup/", {"address": issuing.base})
        assert page.status_code == 200, page.text[:500]
        assert fingerprint_display(a_print) in page.text
        found = dict(re.findall(r'name="(actor_url|fingerprint)" value="([^"]+)"', page.text))
        assert found == {"actor_url": f"{issuing.base}/federation/actor", "fingerprint": a_print}
        followed = section.post_form(b_staff, "/staff/federation/follow/", found)
        assert followed.status_code == 200 and "Follow request sent" in followed.text
        assert "Requested, waiting for an answer" in followed.text
        b_page_for_a = followed.url

        # A's coordinator sees the request with B's fingerprint and accepts it.
        def request_shown() -> str | None:
            home = a_staff.get(f"{issuing.base}/staff/federation/", timeout=10).text
            match = re.search(r"/staff/federation/instances/(\d+)/accept/", home)
            return match.group(1) if match and fingerprint_display(b_print) in home else None

        pk = wait_until(request_shown, timeout=30, what="the follow request to reach A")
        accepted = issuing.post_form(a_staff, f"/staff/federation/instances/{pk}/accept/", {})
        assert "now follows this instance" in accepted.text

        # B sees the Accept; both show the other's pinned key.
        def b_accepted() -> bool:
            page = b_staff.get(b_page_for_a, timeout=10).text
            return 'id="following-state">Accepted' in page

        wait_until(b_accepted, timeout=30, what="A's Accept to reach B")
        b_page = b_staff.get(b_page_for_a, timeout=10).text
        assert f'id="pinned-fingerprint">{fingerprint_display(a_print)}<' in b_page
        a_page = a_staff.get(f"{issuing.base}/staff/federation/instances/{pk}/", timeout=10).text
        assert f'id="pinned-fingerprint">{fingerprint_display(b_print)}<' in a_page
        assert 'id="follower-state">Accepted' in a_page
        home = a_staff.get(f"{issuing.base}/staff/federation/", timeout=10).text
        assert "Section B" in home.split("Instances that follow this one")[1]

        # A 10 MB body is refused from its header, before the server reads the rest.
        assert _status_of_ten_megabytes(issuing.port) == 413
        refused = a_staff.get(f"{issuing.base}/staff/federation/refused/", timeout=10).text
        assert "too_large" in refused


def _status_of_ten_megabytes(port: int) -> int:
    """Announce 10 MB, send 1 KB, and read the answer that comes without the rest."""
    head = (
        "POST /federation/inbox HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/activity+json\r\n"
        f"Content-Length: {10 * 1024 * 1024}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(head.encode() + b"{" + b" " * 1023)
        answer = sock.recv(4096).decode("latin-1")
    return int(answer.split(" ", 2)[1])
