"""What the browser tests share: Debian's Chromium driven by Playwright, one
browser per test module, and a fresh context (cookies, viewport) per page set.

A test module that uses them marks itself ``browser`` and ``live`` and runs on
SQLite only: the browser proves the pages, the other tests prove the databases.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
#: The narrowest screen WCAG asks for (1280 px at 400 % zoom reflows to this).
NARROW = {"viewport": {"width": 320, "height": 640}}

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    if not CHROMIUM:
        pytest.skip(
            "Chromium introuvable : installez le paquet Debian « chromium » "
            "ou indiquez son chemin dans CHROMIUM_PATH"
        )
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(chromium, live_server, device: dict, **options):
    context = chromium.new_context(base_url=live_server.url, locale="fr-FR", **device, **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, *, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``locator`` has the focus, as a keyboard user does."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if is_focused(locator):
            return
    raise AssertionError(f"{limit} × {key} never reached {locator}")


def log_in_by_keyboard(page, email: str, password: str) -> None:
    page.goto("/gestion/connexion")
    tab_to(page, page.get_by_label("Adresse e-mail"))
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
