"""``manage.py import_questions PATH [PATH ...] [--exam SLUG] [--dry-run] [--retire-missing]``.

Thin: the rules live in ``questions.services.questions_import``; see docs/IMPORT.md.
"""

from django.core.management.base import BaseCommand, CommandError

from questions.services import DEFAULT_BATCH_SIZE, QuestionImportError, questions_import

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import question CSV files (or folders of *.csv files) into the bank, all or nothing. "
        "The exam comes from --exam or from each file name (security.csv -> security)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="CSV file or folder")
        parser.add_argument("--exam", metavar="SLUG", help="exam of every file (default: name)")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report, write nothing"
        )
        parser.add_argument(
            "--retire-missing",
            action="store_true",
            help="retire questions of the exam that the files no longer hold",
        )
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="rows per database batch"
        )

    def handle(self, *args, paths, exam, dry_run, retire_missing, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            report = questions_import(
                paths=paths,
                exam_slug=exam,
                dry_run=dry_run,
                retire_missing=retire_missing,
                batch_size=batch_size,
                progress=self.show_progress if self.stdout.isatty() else None,
            )
        except QuestionImportError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(error.problems)} problem(s) found; nothing was imported."
            ) from error

        verb = "would be " if report.dry_run else ""
        for summary in report.files:
            line = (
                f"{summary.label} -> {summary.exam_slug}: {summary.created} {verb}created, "
                f"{summary.updated} {verb}updated, {summary.unchanged} unchanged"
            )
            if summary.objectives_created:
                line += f"; new objectives {verb}created: {', '.join(summary.objectives_created)}"
            self.stdout.write(line)
        for slug, count in report.retired.items():
            self.stdout.write(f"{slug}: {count} question(s) {verb}retired (not in the files)")
        if report.dry_run:
            self.stdout.write("Dry run: nothing was written.")

    def show_progress(self, label: str, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        ending = "\n" if done >= total else ""
        self.stdout.write(f"\r[{bar}] {done}/{total} {label}", ending=ending)
        self.stdout.flush()
