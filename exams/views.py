from django.shortcuts import render
from django.views.decorators.http import require_GET

from questions.selectors import exam_catalogue


@require_GET
def catalogue(request):
    """The exams on offer (the exam-engine issue adds start buttons per mode)."""
    return render(request, "exams/catalogue.html", {"exams": exam_catalogue()})
