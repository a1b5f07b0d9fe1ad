"""A newsroom coming from WordPress: the old addresses readers and search engines know lead,
in the browser, to the imported stories."""

from io import StringIO

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

from tests.wordpress.conftest import EXPORTS


@pytest.fixture
def imported(transactional_db, tmp_path):
    uploads = tmp_path / "uploads"
    (uploads / "2024" / "03").mkdir(parents=True)
    PILImage.new("RGB", (800, 533), (30, 90, 160)).save(uploads / "2024" / "03" / "port.jpg")
    call_command(
        "import_wordpress",
        str(EXPORTS / "site-1.2.xml"),
        media_dir=str(uploads),
        stdout=StringIO(),
        stderr=StringIO(),
    )


def test_old_permalinks_lead_to_the_new_pages(page, live_server, imported, problems):
    page.goto("/2024/03/le-port-rouvre/")
    assert page.url.startswith(f"{live_server.url}/economie/le-port-rouvre-")
    assert page.locator("h1").inner_text() == "Le port rouvre ses quais"
    # The library picture of the old body is shown, loaded.
    picture = page.locator("article figure img").first
    picture.wait_for()
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    # Its link to another old post now goes straight to the new address.
    page.get_by_role("link", name="la rentrée au lycée", exact=True).click()
    page.wait_for_url(f"{live_server.url}/education/la-rentree-*/")
    assert page.locator("h1").inner_text() == "La rentrée au lycée"

    page.goto("/?p=100")
    assert page.url.startswith(f"{live_server.url}/economie/le-port-rouvre-")
    page.goto("/2024/03/%E6%97%A5%E6%9C%AC/")
    assert page.locator("h1").inner_text() == "日本の漁業"
    page.goto("/category/societe/education/lycees/")
    assert page.url == f"{live_server.url}/education/"
    page.goto("/author/mdupont/")
    assert page.url == f"{live_server.url}/auteurs/marie-dupont/"
    # An address that was never the old site's is still a 404.
    assert page.goto("/2024/03/jamais-ecrit/").status == 404
    assert problems.page_errors == []
