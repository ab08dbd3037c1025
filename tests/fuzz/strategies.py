"""Hypothesis strategies for what strangers send: header values, mail, files, form fields."""

from __future__ import annotations

import io
import zipfile

from hypothesis import strategies as st

# Characters that break things: line ends of every kind, NUL and controls, quotes and
# angle brackets, encoded-word markers, right-to-left marks, non-Latin letters.
_NASTY = "\r\n\x00\x0b\x0c\x1b\x7f\x85\u2028\u2029\u200f\u202e\"'<>@;:,=?_\\ \t"
nasty_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(_NASTY)),
        st.characters(codec="utf-8"),  # no lone surrogates
    ),
    max_size=120,
)
header_value = st.one_of(
    nasty_text,
    st.sampled_from(
        [
            "=?utf-8?q?Keep_me_updated_on_UA_101/26?=",
            "=?x-unknown?b?AAAA?=",
            "=?utf-8?b?not base64!?=",
            "Mon, 99 Foo 2026 99:99:99 +9999",
            "Sat, 28 Nov 2026 10:00:00 +0000",
            "<letter.0@urgent.example.org>",
            "<<<@@@>>>",
            "reply+1.00000000000000000000@urgent.example.org",
            "bounces+1.00000000000000000000@urgent.example.org",
            "Keep me updated on UA 101/26",
            "unsubscribe " + "A" * 40,
            "multipart/report; report-type=delivery-status; boundary=b",
            "multipart/mixed; boundary=",
            "text/plain; charset=x-nothing",
            "auto-replied",
            "",
        ]
    ),
)
header_name = st.sampled_from(
    [
        "From",
        "To",
        "Cc",
        "Subject",
        "Date",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Reply-To",
        "Auto-Submitted",
        "Precedence",
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Return-Path",
        "X-Original-To",
    ]
)
address = st.one_of(
    st.sampled_from(
        [
            "",
            "updates@example.org",
            "mailer-daemon@mx.example.net",
            "bounces+1.00000000000000000000@urgent.example.org",
            "reply+2.00000000000000000000@urgent.example.org",
        ]
    ),
    st.emails().map(str),
)


@st.composite
def delivery_report(draw: st.DrawFn) -> bytes:
    recipient = draw(st.one_of(st.emails().map(str), nasty_text))
    status = draw(st.sampled_from(["5.1.1", "4.4.7", "2.0.0", "9.9.9", ""]))
    original = draw(header_value)
    return (
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nnot delivered\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {draw(nasty_text)}\r\n"
        "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original}\r\n--b1--\r\n"
    ).encode("utf-8", "surrogateescape")


@st.composite
def mime_message(draw: st.DrawFn) -> bytes:
    """Headers in any order with any values, then a body: plain, binary or a DSN."""
    lines = [
        f"{name}: {value}"
        for name, value in draw(st.lists(st.tuples(header_name, header_value), max_size=12))
    ]
    head = "\r\n".join(lines).encode("utf-8", "surrogateescape")
    body = draw(
        st.one_of(
            st.binary(max_size=600),
            nasty_text.map(lambda t: t.encode("utf-8", "surrogateescape")),
            delivery_report(),
        )
    )
    return head + b"\r\n" + (b"" if body.startswith(b"MIME-Version") else b"\r\n") + body


@st.composite
def zip_package(draw: st.DrawFn) -> bytes:
    """A ZIP with the names of Word, OpenDocument or Excel parts and random contents."""
    names = draw(
        st.lists(
            st.sampled_from(
                [
                    "word/document.xml",
                    "[Content_Types].xml",
                    "_rels/.rels",
                    "content.xml",
                    "mimetype",
                    "xl/workbook.xml",
                    "ua.docx",
                    "ua.txt",
                    "nested/../../evil.odt",
                ]
            ),
            max_size=5,
            unique=True,
        )
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            content = draw(
                st.one_of(
                    st.binary(max_size=300),
                    st.sampled_from(
                        [
                            b"application/vnd.oasis.opendocument.text",
                            b"<?xml version='1.0'?><w:document xmlns:w='x'/>",
                            b"<!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]><x>&b;</x>",
                            b"<unclosed",
                        ]
                    ),
                )
            )
            archive.writestr(name, content)
    data = buffer.getvalue()
    cut = draw(st.integers(min_value=0, max_value=len(data)))
    return data if draw(st.booleans()) else data[:cut]  # sometimes cut short
