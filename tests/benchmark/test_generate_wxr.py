from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article, Image
from wordpress.models import OldAddress

pytestmark = pytest.mark.django_db


def test_the_synthetic_export_imports_whole_with_its_pictures_and_links(tmp_path):
    export, uploads = tmp_path / "export.xml", tmp_path / "uploads"
    call_command(
        "generate_wxr", str(export), uploads=str(uploads), posts=12, images=2, stdout=StringIO()
    )
    out = StringIO()
    call_command(
        "import_wordpress", str(export), media_dir=str(uploads), batch_size=5, stdout=out,
        stderr=StringIO(),
    )  # fmt: skip
    assert "articles : 12 créé(s)" in out.getvalue()
    assert Image.objects.count() == 2
    assert not Article.objects.filter(featured_image=None).exists()
    # Every link to an earlier post points to its new address.
    bodies = "".join(Article.objects.values_list("body", flat=True))
    assert "ancien.example.fr/?p=" not in bodies
    assert OldAddress.objects.filter(path="/?p=12").exists()
