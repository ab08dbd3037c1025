"""The HTTP client that talks to other instances: signed, bounded, and kept off private networks.

Every request is signed (signing.py). Every connection is checked on the address it is
about to connect to, after name resolution, so a name that resolves to a loopback, private,
link-local or otherwise non-public address is refused, including one that changes its answer
between two lookups. With URGENT_FEDERATION_ALLOW_PRIVATE such addresses and plain http are
allowed (a private network of instances, tests); otherwise only https to public addresses.
Redirects are not followed, answers are read up to a size cap, and slow servers time out.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from urgent.federation import keys
from urgent.federation.errors import RemoteError
from urgent.federation.signing import request_sign

CONNECT_SECONDS = 5.0
READ_SECONDS = 10.0
TOTAL_SECONDS = 20.0
USER_AGENT = "Urgent-federation/1"


def address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if settings.URGENT_FEDERATION_ALLOW_PRIVATE:
        return not ip.is_multicast and not ip.is_unspecified
    return ip.is_global and not ip.is_multicast


def address_checked(host: str, port: int | None) -> str:
    """The first address `host` resolves to, if every one of them is allowed."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        if not address_allowed(ipaddress.ip_address(address.split("%", 1)[0])):
            raise RemoteError(
                f"{host} is at {address}, a private or local network address: "
                "other instances must be on the public internet.",
                code="address_refused",
            )
    if not addresses:
        raise RemoteError(f"{host} has no address.", code="unreachable")
    return addresses[0]


class _Guarded(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        try:
            address = address_checked(self._dns_host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        try:
            return urllib3_connection.create_connection(
                (address, self.port),
                self.timeout,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to connect: {exc}") from exc


class _GuardedHTTPS(_Guarded, HTTPSConnection):
    pass


class _GuardedPool(HTTPConnectionPool):
    ConnectionCls = _Guarded


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPS


_POOLS = urllib3.PoolManager(num_pools=64, maxsize=4, retries=False)
_POOLS.pool_classes_by_scheme = {"http": _GuardedPool, "https": _GuardedHTTPSPool}


def url_check(url: str) -> str:
    """The URL, if it is one this instance may send a request to; a clear error if not."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as exc:
        raise RemoteError(f"{url!r} is not a valid address.", code="bad_address") from exc
    schemes = {"https", "http"} if settings.URGENT_FEDERATION_ALLOW_PRIVATE else {"https"}
    if parts.scheme not in schemes or not parts.hostname:
        raise RemoteError(
            f"{url!r} is not an address this instance can reach: "
            f"it must start with {' or '.join(sorted(schemes))}:// and name a host.",
            code="bad_address",
        )
    if parts.username or parts.password:
        raise RemoteError(
            "An address must not contain a user name or password.", code="bad_address"
        )
    return url


def _reason(exc: Exception) -> str:
    """What went wrong, in words for staff rather than the library's."""
    if isinstance(exc, NameResolutionError):
        return "its name was not found (check the spelling)"
    if isinstance(exc, NewConnectionError):  # a subclass of ConnectTimeoutError
        return "it refused the connection or is not running"
    if isinstance(exc, ConnectTimeoutError):
        return f"it did not answer within {CONNECT_SECONDS:.0f} seconds"
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return f"it stopped answering for {READ_SECONDS:.0f} seconds"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return "its certificate could not be verified"
    return "the connection broke off"


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes


def _read(response: urllib3.BaseHTTPResponse, url: str, max_bytes: int) -> bytes:
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise RemoteError(
            f"{url} answered with {int(length)} bytes, more than the {max_bytes} allowed.",
            code="too_large",
        )
    deadline = time.monotonic() + TOTAL_SECONDS
    chunks, total = [], 0
    for chunk in response.stream(64 * 1024, decode_content=False):
        total += len(chunk)
        if total > max_bytes:
            raise RemoteError(
                f"{url} answered with more than the {max_bytes} bytes allowed.", code="too_large"
            )
        if time.monotonic() > deadline:
            raise RemoteError(f"{url} took too long to answer.", code="timeout")
        chunks.append(chunk)
    return b"".join(chunks)


def http_signed(
    *,
    method: str,
    url: str,
    body: bytes | None = None,
    content_type: str = "",
    accept: str = "application/activity+json",
    max_bytes: int = 256 * 1024,
    key: keys.LocalKey | None = None,
) -> Response:
    """Send one request signed with `key` (default: the current key) and read the answer."""
    url_check(url)
    key = key or keys.key_current()
    headers = {"Accept": accept, "Accept-Encoding": "identity", "User-Agent": USER_AGENT}
    if body is not None:
        headers["Content-Type"] = content_type
    headers = request_sign(
        method=method,
        url=url,
        headers=headers,
        body=body,
        key_id=key.key_id,
        private_key=key.private_key,
    )
    return http_request(method=method, url=url, body=body, headers=headers, max_bytes=max_bytes)


def http_request(
    *, method: str, url: str, body: bytes | None, headers: dict[str, str], max_bytes: int
) -> Response:
    """Send one request as it is (signed by the caller) and read the answer, within the
    network rules above."""
    url_check(url)
    try:
        response = _POOLS.request(
            method,
            url,
            body=body,
            headers=headers,
            redirect=False,
            preload_content=False,
            timeout=urllib3.Timeout(connect=CONNECT_SECONDS, read=READ_SECONDS),
        )
    except urllib3.exceptions.HTTPError as exc:
        raise RemoteError(
            f"{url} could not be reached: {_reason(exc)}.", code="unreachable"
        ) from exc
    try:
        data = _read(response, url, max_bytes)
    except urllib3.exceptions.HTTPError as exc:
        response.close()
        raise RemoteError(
            f"{url} broke off its answer: {_reason(exc)}.", code="unreachable"
        ) from exc
    except RemoteError:
        # Not read to the end: the connection cannot carry another request.
        response.close()
        raise
    finally:
        response.release_conn()
    return Response(
        status=response.status,
        content_type=response.headers.get("Content-Type", ""),
        body=data,
    )
