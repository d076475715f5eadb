"""Fixtures the browser tests share."""

import pytest

import browser_helpers as bh


@pytest.fixture(scope="module")
def browser():
    why = bh.missing_browser()
    if why:
        pytest.skip(f"browser test needs Chromium and Playwright: {why}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = bh.launch_browser(playwright)
        try:
            yield chromium
        finally:
            chromium.close()
