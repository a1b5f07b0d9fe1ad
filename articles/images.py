"""Image checks on upload and the renditions (resized, WebP) made once from each original.

Renditions are written next to the original when an image is saved, at names derived from the
original's name, so a page can build every ``srcset`` without a query or a storage lookup.
"""

import posixpath
import warnings
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat, floatformat
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps

# Pixel widths offered to browsers through srcset, smallest first.
RENDITION_WIDTHS = (320, 640, 960, 1280)
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def validate_image_file(uploaded):
    """Refuse files that are not complete, reasonably sized images in a web format."""
    if uploaded.size > settings.IMAGE_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("This file is too large (%(size)s at most).")
            % {"size": filesizeformat(settings.IMAGE_MAX_UPLOAD_BYTES)},
            code="file_too_large",
        )
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; treat it as an error.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(uploaded) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise ValidationError(
                        _("Unsupported image format: use JPEG, PNG, WebP or GIF."),
                        code="invalid_format",
                    )
                if image.width * image.height > settings.IMAGE_MAX_PIXELS:
                    raise ValidationError(
                        _("This image is too large (%(mp)s megapixels at most).")
                        % {"mp": _megapixels()},
                        code="too_many_pixels",
                    )
                # Decoding every pixel is the only way to catch a truncated file.
                image.load()
    except ValidationError:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise ValidationError(
            _("This image is too large (%(mp)s megapixels at most).") % {"mp": _megapixels()},
            code="too_many_pixels",
        ) from None
    except Exception:
        raise ValidationError(
            _("This file is not a valid image, or it is damaged."), code="invalid_image"
        ) from None
    finally:
        uploaded.seek(0)


def _megapixels():
    return floatformat(settings.IMAGE_MAX_PIXELS / 1_000_000, -1)


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


def generate_renditions(field_file):
    """Write WebP and original-format copies of ``field_file`` at each rendition width."""
    storage = field_file.storage
    field_file.open("rb")
    try:
        with PILImage.open(field_file) as source:
            source = ImageOps.exif_transpose(source)
            fallback = original_extension(field_file.name)
            for width in rendition_widths(source.width):
                height = max(1, round(source.height * width / source.width))
                resized = source.resize((width, height), PILImage.Resampling.LANCZOS)
                for extension in {"webp", fallback}:
                    name = rendition_name(field_file.name, width, extension)
                    if storage.exists(name):
                        storage.delete(name)
                    storage.save(name, ContentFile(_encode(resized, extension)))
    finally:
        field_file.close()


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
