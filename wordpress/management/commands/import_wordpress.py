from django.core.management.base import BaseCommand, CommandError

from wordpress.importer import Importer, ImportStopped

BAR_WIDTH = 30
DETAILS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Importe un export WordPress (WXR) : auteurs, rubriques, étiquettes, images, articles, "
        "et redirige les anciennes adresses. Relançable sans doublon."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="Le fichier XML exporté par Outils → Exporter.")
        parser.add_argument(
            "--media-dir",
            help="Le dossier wp-content/uploads/ copié du site WordPress (images).",
        )
        parser.add_argument(
            "--permalinks",
            help="La structure des permaliens du site, par exemple /%%year%%/%%monthnum%%/"
            "%%postname%%/ (sinon, les liens de l’export).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Tout vérifier, ne rien enregistrer."
        )
        parser.add_argument(
            "--link-staff",
            action="store_true",
            help="Lier chaque auteur au compte de l’équipe qui a la même adresse e-mail.",
        )
        parser.add_argument("--batch-size", type=int, default=500, help="Articles par lot.")

    def handle(self, *args, export, media_dir, permalinks, dry_run, link_staff, batch_size,
               **options):  # fmt: skip
        if batch_size < 1:
            raise CommandError("--batch-size doit être au moins 1.")
        importer = Importer(
            export,
            media_dir=media_dir,
            permalinks=permalinks,
            dry_run=dry_run,
            link_staff=link_staff,
            batch_size=batch_size,
            progress=self._progress,
        )
        try:
            report = importer.run()
        except ImportStopped as error:
            raise CommandError(str(error)) from None
        self._summary(report)

    def _progress(self, done, total):
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "█" * filled + "·" * (BAR_WIDTH - filled)
        ending = "\n" if done >= total else "\r"
        self.stderr.write(f"Articles [{bar}] {done}/{total}", ending=ending)
        self.stderr.flush()

    def _summary(self, report):
        write = self.stdout.write
        site = report.site
        write(f"Import de « {site.title} » (WXR {site.wxr_version}, {site.base_site_url})")
        if report.dry_run:
            write(self.style.WARNING("Essai (--dry-run) : rien n’a été enregistré."))
        if report.permalinks:
            write(f"Anciennes adresses des articles : {report.permalinks}")
        kinds = sorted({*report.created, *report.updated, *report.unchanged})
        for kind in kinds:
            write(
                f"  {kind} : {report.created[kind]} créé(s), {report.updated[kind]} mis à jour, "
                f"{report.unchanged[kind]} inchangé(s)"
            )
        if report.skipped:
            write("Ignorés ou à vérifier :")
            for reason, count in report.skipped.most_common():
                write(f"  {reason} : {count}")
        if +report.not_articles:  # the counts above zero
            write("Non importés (ce ne sont pas des articles) :")
            for kind, count in (+report.not_articles).most_common():
                write(f"  {kind} : {count}")
        if report.shortcodes:
            counts = ", ".join(f"[{name}] × {n}" for name, n in report.shortcodes.most_common())
            write(f"Codes courts retirés (texte gardé) : {counts}")
        if report.folded:
            write("Rubriques de troisième niveau rattachées à leur rubrique de deuxième niveau :")
            for line in report.folded:
                write(f"  {line}")
        if report.details:
            write("Détail :")
            for line in report.details[:DETAILS_SHOWN]:
                write(f"  - {line}")
            if len(report.details) > DETAILS_SHOWN:
                write(f"  … et {len(report.details) - DETAILS_SHOWN} autres.")
        write(self.style.SUCCESS(f"Terminé en {report.seconds:.1f} s."))
