"""Learner views of the bank: report a problem with a question, read staff replies.

Thin views: the rules (ownership of the item, the open-simulation hold, one open report,
the hourly limit) live in ``questions.services.report_submit``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from questions import services
from questions.forms import ReportForm
from questions.models import Question
from questions.selectors import reports_of


def _safe_next(request, url: str) -> str | None:
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return None


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@vary_on_headers("HX-Request")
@never_cache
def report(request, question_id):
    """The report form of one question (a page without JavaScript), and its submission.

    htmx swaps the form for the reply fragment; a full page redirects back to ``next`` (the
    page the learner came from) with a message.
    """
    question = get_object_or_404(Question.objects.only("pk", "external_id"), pk=question_id)
    form = ReportForm(request.POST or None, initial={"item": request.GET.get("item")})
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 422
        else:
            try:
                services.report_submit(
                    user=request.user,
                    question_id=question.pk,
                    reason=form.cleaned_data["reason"],
                    comment=form.cleaned_data["comment"],
                    item_id=form.cleaned_data["item"],
                )
            except services.ReportRefused as error:
                if request.htmx:
                    response = HttpResponse(str(error), status=error.status)
                    return trigger_client_event(response, "toast", {"value": [str(error)]})
                messages.error(request, str(error))
                return render(
                    request,
                    "questions/report.html",
                    {"form": form, "question": question, "refused": str(error)},
                    status=error.status,
                )
            except ObjectDoesNotExist:
                raise Http404("No such question in your attempts.") from None
            if request.htmx:
                return render(request, "questions/_report.html#sent", {"question_id": question.pk})
            messages.success(
                request,
                "Thank you: your report is with staff. Their answer will show in Your reports.",
            )
            return redirect(_safe_next(request, form.cleaned_data["next"]) or "questions:reports")
    context = {"form": form, "question": question}
    if request.htmx and request.method == "POST":
        context |= {"question_id": question.pk, "next": request.POST.get("next", "")}
        return render(request, "questions/_report.html#form", context, status=status)
    return render(request, "questions/report.html", context, status=status)


@require_safe
@login_required
@never_cache
def reports(request):
    """The learner's reports with staff replies. A GET that writes: opening the page marks
    the replies as seen (the dashboard's counter goes back to zero)."""
    services.report_replies_seen(user=request.user)
    return render(request, "questions/reports.html", {"reports": reports_of(user=request.user)})
