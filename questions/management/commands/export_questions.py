"""``manage.py export_questions --exam SLUG [-o FILE]``: the bank of one exam as CSV.

The output is the import format, so ``import_questions`` of it changes nothing.
"""

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
            questions_export(exam=exam, out=self.stdout, include_retired=include_retired)
            return
        with open(output, "w", encoding="utf-8", newline="") as out:
            count = questions_export(exam=exam, out=out, include_retired=include_retired)
        self.stderr.write(f"Wrote {count} question(s) of {exam.slug} to {output}")
