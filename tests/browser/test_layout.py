"""Home and article pages at phone and desktop widths: screenshots and no sideways scrolling."""

import struct

import pytest

from tests.browser.conftest import DESKTOP, PHONE, READER_PAGES, REPO_ROOT, load_all_images

SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data):
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("name", ["home", "article"])
def test_full_page_screenshots_at_phone_and_desktop_widths(page, newsroom, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in [("phone", PHONE), ("desktop", DESKTOP)]:
        page.set_viewport_size(viewport)
        page.goto(READER_PAGES[name](newsroom))
        load_all_images(page)
        path = SCREENSHOTS / f"{name}-{device}.png"
        path.unlink(missing_ok=True)

        page.screenshot(path=path, full_page=True)

        data = path.read_bytes()
        width, height = _png_size(data)
        assert width == viewport["width"], device
        assert height > viewport["height"], device  # the whole page, not just the first screen
        assert len(data) > 20_000, device


def test_reader_pages_never_scroll_sideways_on_a_phone(new_page, newsroom):
    page = new_page(viewport=PHONE)
    too_wide = {}
    for name, path in READER_PAGES.items():
        page.goto(path(newsroom))
        load_all_images(page)
        if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
            too_wide[name] = page.evaluate(
                """(limit) => Array.from(document.querySelectorAll("body *"))
                    .filter((el) => el.getBoundingClientRect().right > limit)
                    .slice(0, 5).map((el) => el.outerHTML.slice(0, 120))""",
                PHONE["width"],
            )
    assert too_wide == {}
