"""Reads of the question bank."""

from django.db.models import Count, Prefetch, Q

from questions.models import Domain, Exam


def exam_catalogue(*, current_only=False):
    """Exams in catalogue order, with their domains and the number of active questions."""
    exams = (
        Exam.objects.select_related("successor")
        .annotate(bank_size=Count("questions", filter=Q(questions__is_active=True)))
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("number")))
    )
    if current_only:
        exams = exams.filter(status=Exam.Status.CURRENT)
    return list(exams)
