"""Reading the headers of mail that came in from outside, where any value may be hostile."""

from __future__ import annotations

from email.message import Message


def header_values(message: Message, name: str) -> list[str]:
    """Every value of a header as text; one that Python's header classes choke on
    (`From: <`, `Message-ID: <<<>>>`) is taken as written rather than lost."""
    try:
        return [str(v) for v in message.get_all(name, [])]
    except Exception:  # the header classes raise many types on hostile values
        return [str(v) for key, v in message.raw_items() if key.lower() == name.lower()]
