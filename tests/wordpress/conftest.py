from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

EXPORTS = Path(__file__).parent / "exports"


@pytest.fixture
def uploads(tmp_path):
    """The copied wp-content/uploads/ folder: the port's photo, not the lost one."""
    folder = tmp_path / "uploads"
    (folder / "2024" / "03").mkdir(parents=True)
    PILImage.new("RGB", (800, 533), (30, 90, 160)).save(folder / "2024" / "03" / "port.jpg")
    return folder


@pytest.fixture
def run_import(uploads):
    """Run the command as an operator would; returns its output (summary, then progress)."""

    def run(export="site-1.2.xml", *args, **options):
        out, err = StringIO(), StringIO()
        path = export if Path(export).is_absolute() else EXPORTS / export
        options.setdefault("media_dir", str(uploads))
        call_command("import_wordpress", str(path), *args, stdout=out, stderr=err, **options)
        return out.getvalue() + err.getvalue()

    return run
