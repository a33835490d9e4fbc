"""``manage.py bank_report [--exam SLUG] [PATH ...]``: the bank's figures and its quality gate.

Without paths it reads the bank in the database; with paths it reads CSV files through the
importer's own reader (a file the import would refuse is refused here with the same messages).
Exits with status 1 when a current exam fails a gate, so CI can run it on ``questions/bank``.
The rules live in ``questions.quality``; docs/CONTENT.md explains them.
"""

from django.core.management.base import BaseCommand, CommandError

from questions.models import Exam
from questions.quality import MIN_PBQS, MIN_QUESTIONS, bank_figures, gate_failures, report_lines
from questions.selectors import exam_blueprint, question_rows
from questions.services import QuestionImportError, question_files_read


class Command(BaseCommand):
    help = "Print each exam's bank figures against its blueprint; fail when a gate fails."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", metavar="PATH", help="CSV file or folder")
        parser.add_argument("--exam", metavar="SLUG", help="only this exam (or: files' exam)")
        parser.add_argument(
            "--min-questions",
            type=int,
            default=MIN_QUESTIONS,
            help=f"questions a current exam must hold (default {MIN_QUESTIONS})",
        )
        parser.add_argument(
            "--min-pbqs",
            type=int,
            default=MIN_PBQS,
            help=f"performance-based questions a current exam must hold (default {MIN_PBQS})",
        )

    def handle(self, *args, paths, exam, min_questions, min_pbqs, **options):
        if paths:
            try:
                banks = [
                    (found, rows)
                    for found, _, rows in question_files_read(paths=paths, exam_slug=exam)
                ]
            except QuestionImportError as error:
                for problem in error.problems:
                    self.stderr.write(problem)
                raise CommandError(f"{len(error.problems)} problem(s) in the files") from error
            merged: dict[int, tuple[Exam, list]] = {}
            for found, rows in banks:
                merged.setdefault(found.pk, (found, []))[1].extend(rows)
            banks = list(merged.values())
        else:
            exams = Exam.objects.order_by("position", "slug")
            if exam:
                exams = exams.filter(slug=exam)
                if not exams:
                    raise CommandError(f"unknown exam '{exam}'")
            banks = [(found, list(question_rows(exam=found))) for found in exams]

        failed = []
        for found, rows in banks:
            figures = bank_figures(blueprint=exam_blueprint(exam=found), rows=rows)
            for line in report_lines(figures):
                self.stdout.write(line)
            failures = gate_failures(figures, min_questions=min_questions, min_pbqs=min_pbqs)
            for failure in failures:
                self.stdout.write(f"  FAIL {failure}")
            if failures:
                failed.append(found.slug)
            elif figures.blueprint.current:
                self.stdout.write("  gate: passed")
        if failed:
            raise CommandError(f"the quality gate failed for: {', '.join(failed)}")
        self.stdout.write(f"{len(banks)} exam(s) reported; every current exam passes the gate.")
