"""``manage.py export_questions --exam SLUG [-o FILE]``: the bank of one exam as CSV.

The output is the import format, so ``import_questions`` of it changes nothing.
"""

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from questions.models import Exam
from questions.selectors import questions_export


class Command(BaseCommand):
    help = "Write the questions of one exam as CSV in the import format (stdout by default)."

    def add_arguments(self, parser):
        parser.add_argument("--exam", metavar="SLUG", required=True)
        parser.add_argument("-o", "--output", metavar="FILE", help="write here, not to stdout")
        parser.add_argument(
            "--include-retired", action="store_true", help="also export retired questions"
        )

    def handle(self, *args, exam, output, include_retired, **options):
        try:
            exam = Exam.objects.get(slug=exam)
        except Exam.DoesNotExist:
            known = ", ".join(Exam.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"unknown exam '{exam}'; known exams: {known}") from None
        if output is None:
            try:
                questions_export(exam=exam, out=self.stdout, include_retired=include_retired)
            except BrokenPipeError:
                # The reader (head, less) stopped early: not an error. Point stdout at devnull
                # so that Python's final flush does not fail again (as the Python docs advise).
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        with open(output, "w", encoding="utf-8", newline="") as out:
            count = questions_export(exam=exam, out=out, include_retired=include_retired)
        self.stderr.write(f"Wrote {count} question(s) of {exam.slug} to {output}")
