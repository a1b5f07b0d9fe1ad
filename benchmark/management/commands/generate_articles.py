from django.core.management.base import BaseCommand, CommandError

from benchmark import content


class Command(BaseCommand):
    help = (
        "Fill the database with generated published articles (slugs start with 'gen-'), "
        "with sections, authors, tags, images, bylines and read-more links, in bulk."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10_000, help="Articles to add.")
        parser.add_argument(
            "--clear",
            action="store_true",
            help="First delete the generated articles, authors, tags and sections.",
        )
        parser.add_argument(
            "--clear-images",
            action="store_true",
            help="With --clear, also delete the generated images (otherwise reused).",
        )
        parser.add_argument("--images", type=int, default=50, help="Library images to use.")
        parser.add_argument("--authors", type=int, default=50, help="Journalists to use.")
        parser.add_argument(
            "--archive",
            default="old",
            choices=content.ARCHIVES,
            help="; ".join(f"{name}: {shape}" for name, shape in content.ARCHIVES.items())
            + " (old).",
        )
        parser.add_argument(
            "--years",
            type=float,
            default=None,
            help="Spread the publication dates over this many years instead.",
        )
        parser.add_argument("--seed", type=int, default=None, help="For repeatable text.")

    def handle(
        self, *args, count, clear, clear_images, images, authors, archive, years, seed, **options
    ):
        if count < 0 or images < 0 or not 1 <= authors <= 625 or (years is not None and years <= 0):
            raise CommandError(
                "--count and --images must be ≥ 0, --authors in 1..625, --years > 0."
            )
        if clear:
            deleted = content.clear_generated(images=clear_images)
            self.stdout.write(f"Deleted {deleted} generated articles.")
        if not count:
            return
        report = content.generate_articles(
            count,
            images=images,
            authors=authors,
            years=years,
            archive=archive,
            seed=seed,
            progress=lambda done, total: self.stdout.write(f"  {done}/{total}", ending="\r"),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {report.articles} articles in {report.seconds:.1f} s "
                f"({report.images_seconds:.1f} s of it for the images); "
                f"{content.generated_articles().count()} generated articles in the database."
            )
        )
