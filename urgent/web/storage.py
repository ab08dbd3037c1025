"""Static files with content-hashed names, compressed copies and a year-long cache."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage (`urgent serve` collects the files first).

    Before `collectstatic` has run (the test suite, a checkout served with `runserver`),
    a file has no hashed name yet: its plain name is used instead of an error, and
    WhiteNoise serves it from the app folders (WHITENOISE_USE_FINDERS).
    """

    def url(self, name: str | None, force: bool = False) -> str:
        try:
            return super().url(name, force)
        except ValueError:
            return FileSystemStorage.url(self, name or "")
