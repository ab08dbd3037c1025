"""Pages that are the same for everyone, rendered once per language and kept.

The page after "I sent it" is what a surge of supporters asks for at once: the same words
for every one of them, around the site's header, footer and language form. Rendering it
costs more than recording the action, so it is rendered once per language and key, with a
marker where the CSRF token goes, and each response puts the request's own token in.

Only pages whose output depends on nothing but the context, the language and the CSRF
token may use this: no user, no messages, no request path (the context's `language_next`
names where base.html's language form returns to). Template or translation changes take
effect on restart, as they do for Django's cached template loader.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Hashable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import get_language

_MARK = f"csrfmark{secrets.token_hex(16)}"
_LIMIT = 1024
_pages: dict[tuple[Hashable, ...], str] = {}
_lock = threading.Lock()


def page_render_shared(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, Any],
    *,
    key: tuple[Hashable, ...],
    status: int = 200,
) -> HttpResponse:
    """`render()` for a page that depends only on `key` and the active language."""
    full_key = (template_name, get_language(), *key)
    page = _pages.get(full_key)
    if page is None:
        page = render_to_string(template_name, {**context, "csrf_token": _MARK}, request)
        with _lock:
            if len(_pages) >= _LIMIT:
                _pages.clear()
            _pages[full_key] = page
    return HttpResponse(page.replace(_MARK, get_token(request)), status=status)
