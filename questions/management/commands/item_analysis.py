"""``manage.py item_analysis [--exam SLUG] [--min-responses N]``: find questions that misbehave.

Prints one line per flagged question revision, starting with the exam slug and the
question-id, then a summary; keeps the figures for the admin (``ItemStat``).
"""

from django.core.management.base import BaseCommand, CommandError

from questions.models import Exam
from questions.services import item_stats_store


class Command(BaseCommand):
    help = "Compute item statistics per question revision and print the flagged questions."

    def add_arguments(self, parser):
        parser.add_argument("--exam", help="Only this exam (its slug).")
        parser.add_argument(
            "--min-responses",
            type=int,
            default=30,
            help="Responses a revision needs before it can be flagged (default 30).",
        )

    def handle(self, *args, exam=None, min_responses=30, **options):
        if min_responses < 1:
            raise CommandError("--min-responses must be at least 1")
        exams = Exam.objects.order_by("position", "code")
        if exam is not None:
            exams = exams.filter(slug=exam)
            if not exams.exists():
                raise CommandError(f"unknown exam '{exam}'")
        analysed = flagged = responses = 0
        for one in exams:
            rows = item_stats_store(exam=one, min_responses=min_responses)
            ids = dict(one.questions.order_by().values_list("pk", "external_id"))
            for row in rows:
                analysed += 1
                responses += row.responses
                if row.flagged:
                    flagged += 1
                    self.stdout.write(
                        f"{one.slug} {ids[row.question_id]} revision {row.revision_number} "
                        f"{row.mode} ({row.responses} responses): {'; '.join(row.flags)}"
                    )
        self.stdout.write(
            f"{analysed} question revision(s) analysed from {responses} first responses; "
            f"{flagged} flagged."
        )
