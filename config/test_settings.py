"""Settings for the test suite: the real settings, with a scratch data directory."""

import os
import tempfile

os.environ.setdefault("URGENT_DATA_DIR", tempfile.mkdtemp(prefix="urgent-test-"))

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
