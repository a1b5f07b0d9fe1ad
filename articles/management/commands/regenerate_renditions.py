"""Make the images' renditions again from their originals: after a change in the rendition
sizes or formats, or to restore renditions lost from storage."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from articles.models import Image


class Command(BaseCommand):
    help = (
        "Regenerate image renditions from the originals: all images, only those with missing "
        "files (--missing), or the ones named (--image ID …). Safe to run again; an image that "
        "fails is reported and the others carry on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing", action="store_true", help="only images with a rendition missing"
        )
        parser.add_argument(
            "--image", type=int, nargs="+", default=[], metavar="ID", help="only these images"
        )

    def handle(self, *args, missing, image, **options):
        chosen = Image.objects.order_by("pk")
        if image:
            chosen = chosen.filter(pk__in=image)
            unknown = sorted(set(image) - set(chosen.values_list("pk", flat=True)))
            if unknown:
                raise CommandError(f"No image with id {', '.join(map(str, unknown))}.")
        total, done, skipped, failures = chosen.count(), 0, 0, []
        for number, picture in enumerate(chosen.iterator(chunk_size=200), start=1):
            progress = f"[{number}/{total}] image {picture.pk} ({picture.file.name})"
            if not picture.file.storage.exists(picture.file.name):
                failures.append((picture, "its original is missing from storage"))
                self.stderr.write(f"{progress}: original missing")
                continue
            if missing and not picture.missing_files():
                skipped += 1
                continue
            try:
                regenerated = picture.regenerate_renditions()
            except (ValidationError, OSError) as error:
                reason = "; ".join(getattr(error, "messages", [])) or str(error)
                failures.append((picture, reason))
                self.stderr.write(f"{progress}: failed: {reason}")
                continue
            if regenerated:
                done += 1
                self.stdout.write(f"{progress}: done")
            else:
                skipped += 1  # deleted or replaced meanwhile: its own save made its renditions
        self.stdout.write(
            f"{done} image(s) regenerated, {skipped} left as they were, {len(failures)} failed."
        )
        if failures:
            listed = "\n".join(f"  image {picture.pk}: {reason}" for picture, reason in failures)
            raise CommandError(f"{len(failures)} image(s) could not be regenerated:\n{listed}")
