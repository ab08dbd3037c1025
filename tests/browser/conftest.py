from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("URGENT_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
# test itself are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM} (Debian package chromium; .ci/run installs it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # The page's own CSP forbids inline scripts; axe is injected by the test, not the page.
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    page = context.new_page()
    # Generous: CI machines are small and shared; a wait that passes returns at once.
    page.set_default_timeout(30_000)
    yield page
    context.close()


class AxeMissing(UserWarning):
    """axe-core is not installed: pages were driven and checked, but not for accessibility."""


AXE_MISSING = "axe-core is not installed (npm ci --prefix tests/browser): accessibility not checked"


def axe_violations(page: Any, *, every_impact: bool = False) -> list[dict[str, Any]]:
    """What axe-core finds on the page: serious and critical problems, or with
    `every_impact` minor and moderate ones too.

    Without axe-core only this check is left out (with an `AxeMissing` warning, listed at
    the end of the run): the rest of the browser test still runs whenever Chromium does.
    """
    if not AXE.exists():
        warnings.warn(AXE_MISSING, AxeMissing, stacklevel=2)
        return []
    page.add_script_tag(path=str(AXE))
    result: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    if every_impact:
        return result
    return [v for v in result if v.get("impact") in {"serious", "critical"}]


def screenshot_path(name: str) -> Path:
    """Where a browser test saves a screenshot.

    `URGENT_SCREENSHOTS=1` writes into docs/images/ (the pictures the README shows);
    otherwise they go to a scratch folder, so a test run leaves the checkout unchanged.
    """
    if os.environ.get("URGENT_SCREENSHOTS") == "1":
        folder = Path(__file__).resolve().parents[2] / "docs" / "images"
    else:
        folder = Path(os.environ.get("TMPDIR", "/tmp")) / "urgent-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
