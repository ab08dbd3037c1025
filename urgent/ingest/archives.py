"""ZIP packages (Word, OpenDocument, Excel, .zip attachments) read within a size budget.

A few kilobytes of ZIP can expand to gigabytes. Before any member is read, the sizes its
headers declare are added up; while a member is read, the bytes that really come out are
counted, and reading stops as soon as they pass what is left of the budget. One budget
covers one upload, so archives inside an e-mail share it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from .errors import IngestError

MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 5000
_CHUNK = 64 * 1024


class ArchiveTooLarge(IngestError):
    """A package that would unpack past the limit; never skipped, always refused."""


def _too_large() -> ArchiveTooLarge:
    limit = MAX_UNPACKED_BYTES // (1024 * 1024)
    return ArchiveTooLarge(
        f"the file unpacks to more than {limit} MB (the limit for Word, OpenDocument and "
        "ZIP files); it may be a compression bomb"
    )


@dataclass
class Budget:
    """Bytes that may still be unpacked for the current upload."""

    left: int = MAX_UNPACKED_BYTES

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise _too_large()


class SafeArchive:
    """A ZIP whose declared sizes fit the budget; members are read with a running cap."""

    def __init__(self, data: bytes, budget: Budget, *, damaged: str) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise IngestError(damaged) from exc
        if len(infos) > MAX_MEMBERS:
            raise _too_large()
        if sum(info.file_size for info in infos) > budget.left:
            raise _too_large()
        self._budget = budget
        self._damaged = damaged
        self.names = {info.filename for info in infos}

    def read(self, name: str) -> bytes:
        """The member's bytes; refuses once more comes out than the budget allows."""
        out = io.BytesIO()
        self._stream(name, out)
        return out.getvalue()

    def verify(self) -> None:
        """Unpack every member once, counting and discarding, before a library reads them."""
        for name in sorted(self.names):
            if not name.endswith("/"):
                self._stream(name, None)

    def _stream(self, name: str, out: io.BytesIO | None) -> None:
        try:
            with self._zip.open(name) as member:
                while chunk := member.read(_CHUNK):
                    self._budget.spend(len(chunk))
                    if out is not None:
                        out.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            # RuntimeError: an encrypted member; the others: damaged data or headers
            raise IngestError(self._damaged) from exc

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
