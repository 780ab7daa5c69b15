"""Screenshots for the browser journeys: every step at a desktop and a phone size.

Files land in tests/e2e/screenshots/<journey>/<NN>-<step>-<size>.png (gitignored), so a person can walk
through a journey in order at either size. They are taken only when E2E_SCREENSHOTS=1 is set
(`E2E_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e`): nobody looks at them in `make test` or CI,
and shooting every step twice, full page, was a large part of the journeys' time. A screenshot asserts
nothing, so the journeys test the same with or without them.
"""

import os
from pathlib import Path

SCREENSHOTS = Path(__file__).parent / "screenshots"
ENABLED = os.environ.get("E2E_SCREENSHOTS", "") not in ("", "0")
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


class Journey:
    """Numbers the steps of one journey and shoots each at both sizes, then restores the viewport."""

    def __init__(self, name):
        self.folder = SCREENSHOTS / name
        self.enabled = ENABLED
        if self.enabled:
            self.folder.mkdir(parents=True, exist_ok=True)
            for old in self.folder.glob("*.png"):
                old.unlink()
        self.step = 0

    def shoot(self, page, step_name, *, full_page=True):
        self.step += 1
        if not self.enabled:
            return
        original = page.viewport_size
        for size_name, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            if full_page:  # from the top, so sticky bars sit where a visitor first sees them
                page.evaluate("() => window.scrollTo({top: 0, left: 0, behavior: 'instant'})")
            page.screenshot(
                path=str(self.folder / f"{self.step:02d}-{step_name}-{size_name}.png"), full_page=full_page
            )
        if original:
            page.set_viewport_size(original)


class AdminJourney(Journey):
    """The Wagtail admin scrolls inside its own panel, so a full-page shot stops at the viewport: `focus`
    scrolls a locator into view at each size and shoots the viewport instead."""

    def shoot(self, page, step_name, *, full_page=True, focus=None):
        if focus is None:
            return super().shoot(page, step_name, full_page=full_page)
        self.step += 1
        if not self.enabled:
            focus.scroll_into_view_if_needed()  # still waits for what the shot would show to be there
            return
        original = page.viewport_size
        for size_name, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            focus.scroll_into_view_if_needed()
            page.screenshot(path=str(self.folder / f"{self.step:02d}-{step_name}-{size_name}.png"))
        if original:
            page.set_viewport_size(original)
