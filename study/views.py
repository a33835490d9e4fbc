"""Spaced review, the smart practice builder, presets and the question of the day.

Thin views: parse, authorise, call ``study.sets`` or a selector, pick a template. Every set
they start is an ordinary attempt, taken on the exam pages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from exams import services as exams
from exams.models import Attempt
from questions.models import Exam
from study import rules, selectors, sets
from study.forms import SmartSetForm
from study.models import LEECH_MISSES

PRESETS = {
    "quick": "Quick 10",
    "missed": "Missed questions",
    "weakest": "Weakest objective",
    "daily": "Question of the day",
}


def _started(attempt):
    return redirect("exams:question", attempt.pk, 1)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def review(request):
    """How many reviews are due today, and (POST) start a session of them."""
    profile = request.user.profile
    now = timezone.now()
    status = 200
    if request.method == "POST":
        try:
            return _started(sets.review_start(user=request.user, now=now))
        except exams.EngineError as error:
            messages.info(request, str(error))
            status = 409
    context = {
        "due": selectors.due_count(user_id=request.user.pk, zone=profile.tz, now=now),
        "served": selectors.reviews_served_today(user_id=request.user.pk, zone=profile.tz, now=now),
        "cap": profile.review_cap,
        "leeches": selectors.leeches_of(user_id=request.user.pk),
        "leech_misses": LEECH_MISSES,
        "session_max": rules.REVIEW_SESSION_MAX,
    }
    return render(request, "study/review.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@vary_on_headers("HX-Request")
def build(request, slug):
    """The smart practice builder. GET with ``check`` (or htmx) tells how many questions match;
    POST starts the set."""
    exam = get_object_or_404(Exam.objects.prefetch_related("domains__objectives"), slug=slug)
    checking = request.method == "GET" and ("check" in request.GET or request.htmx)
    data = request.POST if request.method == "POST" else (request.GET if checking else None)
    form = SmartSetForm(data, exam=exam)
    matches, status = None, 200
    if form.is_bound and form.is_valid():
        cleaned = form.cleaned_data
        if request.method == "POST":
            try:
                attempt = sets.smart_start(
                    user=request.user,
                    exam=exam,
                    choice=cleaned["choice"],
                    count=cleaned["count"],
                    domain_ids=cleaned["domain_ids"],
                    objective_ids=cleaned["objective_ids"],
                    timed=cleaned["timed"],
                    feedback_at_end=cleaned["feedback"] == "end",
                )
            except exams.EngineError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                if attempt.question_count < cleaned["count"]:
                    messages.info(
                        request,
                        f"{attempt.question_count} question"
                        f"{'s' if attempt.question_count != 1 else ''} matched, so the set has "
                        f"{attempt.question_count} instead of {cleaned['count']}.",
                    )
                return _started(attempt)
        matches = selectors.pool_count(
            selectors.pool_narrow(
                selectors.pool_questions(
                    user_id=request.user.pk,
                    exam=exam,
                    choice=cleaned["choice"],
                    now=timezone.now(),
                    zone=request.user.profile.tz,
                ),
                domain_ids=cleaned["domain_ids"],
                objective_ids=cleaned["objective_ids"],
            )
        )
    elif form.is_bound:
        status = 400
    context = {
        "exam": exam,
        "form": form,
        "matches": matches,
        "limit": selectors.MATCH_COUNT_LIMIT,
    }
    template = "study/build.html#count" if request.htmx else "study/build.html"
    return render(request, template, context, status=status)


@require_POST
@login_required
def preset(request, slug, name):
    """Quick 10, Missed questions, Weakest objective, Question of the day."""
    if name not in PRESETS:
        raise Http404("No such preset.")
    exam = get_object_or_404(Exam, slug=slug)
    try:
        if name == "daily":
            attempt = sets.daily_start(user=request.user, exam=exam)
        else:
            pool = {"quick": "all", "missed": "missed", "weakest": "weakest"}[name]
            attempt = sets.smart_start(
                user=request.user,
                exam=exam,
                choice=selectors.PoolChoice(pool=pool, last_attempts=5, weakest=1),
                count=10,
            )
    except exams.EngineError as error:
        messages.info(request, f"{PRESETS[name]}: {error}")
        return redirect("study:build", exam.slug)
    return _started(attempt)


@require_safe
@login_required
def daily(request, slug):
    """The question of the day of one exam, and how others answered it once enough have."""
    exam = get_object_or_404(Exam, slug=slug)
    now = timezone.now()
    zone = request.user.profile.tz
    day = now.astimezone(zone).date()
    question_id = selectors.question_of_the_day(exam=exam, day=day)
    mine = None
    others = None
    if question_id is not None:
        mine = (
            Attempt.objects.filter(
                user=request.user,
                exam=exam,
                scope__daily=day.isoformat(),
                items__answered_at__isnull=False,
            )
            .values("pk", "items__is_correct")
            .first()
        )
        if mine is not None:
            others = selectors.others_answered(
                question_id=question_id, since=rules.day_start(at=now, zone=zone)
            )
    context = {
        "exam": exam,
        "day": day,
        "available": question_id is not None,
        "mine": mine,
        "others": others,
        "min_answers": selectors.QOTD_MIN_ANSWERS,
    }
    return render(request, "study/daily.html", context)


@require_POST
@login_required
def goal(request):
    """Make today's daily target (worked out again here) the learner's daily goal."""
    target = sets.daily_goal_adopt(user=request.user)
    if target is None:
        # The button only shows with a target exam: a stale page or a hand-made request.
        return HttpResponse(
            "Choose the exam you are preparing for on your profile first.",
            status=409,
            content_type="text/plain",
        )
    messages.success(request, f"Your daily goal is now {target} questions.")
    return redirect("home")


@require_POST
@login_required
def retry(request, attempt_id):
    """A practice set of exactly the questions missed in one of the learner's attempts."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("exam"), pk=attempt_id, user=request.user
    )
    try:
        return _started(sets.retry_missed_start(user=request.user, attempt=attempt))
    except exams.EngineError as error:
        # The button shows only on the results of an attempt with misses.
        return HttpResponse(str(error), status=409, content_type="text/plain")
