"""Image checks on upload, stored names, and the renditions (resized, WebP) made once from each
original.

An original is stored under the extension of its real format, whatever its uploaded name says,
and under a name never given before (a random suffix): a name once served always holds the same
picture, so browsers and CDNs may keep media for good (deploy/nginx/newsroom.conf). Renditions
are written next to it when an image is saved, at names derived from the original's name, so a
page can build every ``srcset`` without a query or a storage lookup. Every Pillow step
runs before a file is written, so a picture Pillow cannot handle leaves nothing behind.
"""

import posixpath
import re
import warnings
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat, floatformat
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps

# Pixel widths offered to browsers through srcset, smallest first.
RENDITION_WIDTHS = (320, 640, 960, 1280)
# MPO is how Pillow names a JPEG carrying a second picture (many phones' photos).
ACCEPTED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# Every extension an original is or was stored under (.jpeg before files were named by format).
ORIGINAL_EXTENSIONS = {*ACCEPTED_FORMATS.values(), "jpeg"}
# The longest side each rendition format can encode (WebP stops at 16,383 pixels).
MAX_SIDE = {"webp": 16_383, "jpg": 65_535, "gif": 65_535, "png": 2**31 - 1}
# Leaves room in the file field's 100 characters for the folders and the suffixes.
MAX_STEM_LENGTH = 50
# The suffix that makes each stored name new: 8 of 36 characters, 41 bits. Files still in
# storage are checked; a deleted one's name cannot be, and comes back with odds of 2**-41.
UNIQUE_SUFFIX_LENGTH = 8
UNIQUE_SUFFIX_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def validate_image_file(uploaded):
    """Refuse files that are not complete, reasonably sized images in a web format."""
    if uploaded.size > settings.IMAGE_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("This file is too large (%(size)s at most).")
            % {"size": filesizeformat(settings.IMAGE_MAX_UPLOAD_BYTES)},
            code="file_too_large",
        )
    with _decoded(uploaded):
        pass


@contextmanager
def _decoded(file):
    """The image in ``file``, fully decoded, or a ValidationError saying what is wrong."""
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; treat it as an error.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(file) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise ValidationError(
                        _("Unsupported image format: use JPEG, PNG, WebP or GIF."),
                        code="invalid_format",
                    )
                if image.width * image.height > settings.IMAGE_MAX_PIXELS:
                    raise _too_many_pixels()
                # Decoding every pixel is the only way to catch a truncated file.
                image.load()
                yield image
    except ValidationError:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception:
        raise ValidationError(
            _("This file is not a valid image, or it is damaged."), code="invalid_image"
        ) from None
    finally:
        file.seek(0)


def _too_many_pixels():
    return ValidationError(
        _("This image is too large (%(mp)s megapixels at most).")
        % {"mp": floatformat(settings.IMAGE_MAX_PIXELS / 1_000_000, -1)},
        code="too_many_pixels",
    )


def format_extension(file):
    """The extension of the web format ``file`` really is in, read from its first bytes."""
    file.seek(0)
    try:
        with PILImage.open(file) as image:
            extension = ACCEPTED_FORMATS.get(image.format)
    except Exception:
        extension = None
    finally:
        file.seek(0)
    if extension is None:
        raise ValidationError(
            _("Unsupported image format: use JPEG, PNG, WebP or GIF."), code="invalid_format"
        )
    return extension


def stored_name(name, extension):
    """A safe file name for an upload called ``name``: its stem slugified (ASCII, no folders,
    bounded), with ``extension``."""
    stem = posixpath.splitext(posixpath.basename(name.replace("\\", "/")))[0]
    stem = slugify(stem)[:MAX_STEM_LENGTH].strip("-_") or "image"
    return f"{stem}.{extension}"


def unique_name(name):
    """``name`` with a random suffix before its extension: ``photo.jpg``, ``photo-k3v9x0qa.jpg``."""
    stem, extension = posixpath.splitext(name)
    suffix = get_random_string(UNIQUE_SUFFIX_LENGTH, UNIQUE_SUFFIX_CHARACTERS)
    return f"{stem}-{suffix}{extension}"


class WebImageFieldFile(models.fields.files.ImageFieldFile):
    def save(self, name, content, save=True):
        # Named after its real format: a PNG called .pdf is stored, and served, as a .png.
        safe_name = stored_name(name, format_extension(content))
        # Renditions are named after the original's stem alone (rendition_name): an original in
        # another format under the same stem would share them, overwrite them, delete them.
        path = self.field.generate_filename(self.instance, unique_name(safe_name))
        while self._stem_is_taken(path):
            path = self.field.generate_filename(self.instance, unique_name(safe_name))
        super().save(posixpath.basename(path), content, save)

    def _stem_is_taken(self, path):
        stem = posixpath.splitext(path)[0]
        return any(self.storage.exists(f"{stem}.{extension}") for extension in ORIGINAL_EXTENSIONS)


class WebImageFormField(forms.ImageField):
    default_validators = []  # the uploaded name's extension decides nothing: the format read does


class WebImageField(models.ImageField):
    """An ImageField whose files are stored under safe names and their real format's extension."""

    attr_class = WebImageFieldFile

    def formfield(self, **kwargs):
        # The uploaded name's length does not matter either: the stored one is bounded.
        return super().formfield(**{"form_class": WebImageFormField, **kwargs, "max_length": None})


def rendition_name(original_name, width, extension):
    stem, _ext = posixpath.splitext(original_name)
    directory, filename = posixpath.split(stem)
    return posixpath.join("renditions", directory, f"{filename}-{width}w.{extension}")


def rendition_widths(image_width):
    """The rendition widths worth offering for an original of ``image_width`` pixels."""
    return [w for w in RENDITION_WIDTHS if w < image_width] or [image_width]


def original_extension(name):
    ext = posixpath.splitext(name)[1].lower().lstrip(".")
    return "jpg" if ext == "jpeg" else ext


@dataclass
class Renditions:
    """An original's upright size and its renditions, encoded and not yet stored."""

    width: int
    height: int
    encoded: dict  # (width, extension) -> bytes

    def save(self, storage, original_name):
        """Store the renditions next to ``original_name``; return the names written."""
        written = []
        for (width, extension), content in self.encoded.items():
            name = rendition_name(original_name, width, extension)
            if storage.exists(name):
                storage.delete(name)
            written.append(storage.save(name, ContentFile(content)))
        return written


def make_renditions(file):
    """Decode ``file``, turn it upright (EXIF orientation) and encode its WebP and
    original-format copies at each rendition width."""
    with _decoded(file) as source:
        fallback = ACCEPTED_FORMATS[source.format]
        upright = _for_resizing(ImageOps.exif_transpose(source))
    encoded, resized = {}, {}
    for width in rendition_widths(upright.width):
        height = max(1, round(upright.height * width / upright.width))
        for extension in {"webp", fallback}:
            size = _fitted((width, height), MAX_SIDE[extension])
            if size not in resized:
                resized[size] = upright.resize(size, PILImage.Resampling.LANCZOS)
            encoded[width, extension] = _encode(resized[size], extension)
    return Renditions(upright.width, upright.height, encoded)


def _for_resizing(image):
    """``image`` in a mode every rendition format can encode (8-bit RGB, with alpha if any)."""
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):  # 16-bit grey
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    return image.convert("RGBA" if image.has_transparency_data else "RGB")


def _fitted(size, max_side):
    """``size`` scaled down, if needed, so that no side exceeds ``max_side``."""
    scale = min(1, max_side / max(size))
    return tuple(max(1, min(max_side, round(side * scale))) for side in size)


def _encode(image, extension):
    buffer = BytesIO()
    if extension == "webp":
        image.save(buffer, "WEBP", quality=80, method=4)
    elif extension == "png":
        image.save(buffer, "PNG", optimize=True)
    elif extension == "gif":
        image.save(buffer, "GIF")
    else:
        image.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()


def file_names(original_name, width):
    """The original and every rendition stored for it."""
    extensions = {"webp", original_extension(original_name)}
    return [original_name] + [
        rendition_name(original_name, w, extension)
        for w in rendition_widths(width)
        for extension in extensions
    ]


def stored_renditions(storage, original_name):
    """The renditions of ``original_name`` in storage, whatever widths they were made at."""
    stem = posixpath.splitext(rendition_name(original_name, 0, "x"))[0].removesuffix("-0w")
    directory, prefix = posixpath.split(stem)
    made = re.compile(rf"{re.escape(prefix)}-\d+w\.(?:{'|'.join(sorted(MAX_SIDE))})")
    try:
        _folders, names = storage.listdir(directory)
    except FileNotFoundError:
        return []
    return [posixpath.join(directory, name) for name in names if made.fullmatch(name)]


def delete_files(storage, names):
    for name in names:
        storage.delete(name)


def on_rollback(callback, using=None):
    """Call ``callback`` if the current transaction, or savepoint, is rolled back.

    Django keeps an ``on_commit`` function until the commit and drops it on a rollback; the
    function here is dropped unrun then, and its finalizer calls ``callback``. Out of a
    transaction, the commit has already happened and ``callback`` is never called.
    """
    committed = False

    def mark_committed():
        nonlocal committed
        committed = True

    weakref.finalize(mark_committed, lambda: committed or callback())
    transaction.on_commit(mark_committed, using=using)
