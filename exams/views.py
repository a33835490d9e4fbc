"""Quiz views: thin wrappers that parse, authorise, call a service and pick a template.

Every attempt URL looks the attempt up with ``user=request.user``, so another learner gets 404.
Every page that touches an open attempt first lets the server submit it if its deadline passed.
With ``HX-Request`` the same view returns only the fragment that changes (``page.html#part``).
"""

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url, trigger_client_event

from exams import selectors, services
from exams.forms import BookmarkSetForm, StartForm
from exams.models import Attempt
from exams.selectors import REVIEW_FILTERS
from questions.models import Exam
from study import selectors as study_selectors
from study.rules import Confidence

HISTORY_PAGE_SIZE = 20


# Helpers -----------------------------------------------------------------------------------


def _partial(request, template, part):
    """The fragment for htmx requests, the whole page otherwise (and for history restores)."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{part}"
    return template


def _announce(request, response, announcements):
    """Badges, goals and other news: a toast for htmx, a message for a full page."""
    announcements = [a for a in announcements or [] if a]
    if not announcements:
        return response
    if request.htmx and not isinstance(response, HttpResponseClientRedirect):
        return trigger_client_event(response, "toast", {"value": announcements})
    for text in announcements:
        messages.success(request, text)
    return response


def _redirect(request, url):
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _attempt_for(request, attempt_id) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("exam"), pk=attempt_id, user=request.user
    )


def _expired(request, attempt):
    """Submit the attempt if its deadline has passed; the response to send, or None."""
    result = services.attempt_expire_if_due(attempt=attempt)
    if result is None:
        return None
    messages.warning(request, "Time is up: your attempt was submitted as it stood.")
    response = _redirect(request, reverse("exams:results", args=[attempt.pk]))
    return _announce(request, response, result.announcements)


def _not_open(request, attempt):
    """Where an attempt that can no longer be answered sends the learner."""
    if attempt.status == Attempt.Status.SUBMITTED:
        return _redirect(request, reverse("exams:results", args=[attempt.pk]))
    messages.info(request, "That attempt was abandoned.")
    return _redirect(request, reverse("exams:history"))


def _unless_open(request, attempt):
    """The response for an attempt that can no longer be taken (expired now, or before)."""
    response = _expired(request, attempt)
    if response is None and not attempt.is_open:
        response = _not_open(request, attempt)
    return response


def _closed(request, attempt, error):
    """409: the attempt no longer takes this change. Says why, and where to go next."""
    attempt.refresh_from_db()
    if attempt.is_open:
        next_url = reverse("exams:question", args=[attempt.pk, attempt.current_position])
    elif attempt.status == Attempt.Status.SUBMITTED:
        next_url = reverse("exams:results", args=[attempt.pk])
    else:
        next_url = reverse("exams:history")
    if request.htmx:
        response = HttpResponse(str(error), status=409, content_type="text/plain")
        if attempt.is_open:
            return trigger_client_event(response, "toast", {"value": [str(error)]})
        messages.error(request, str(error))
        for text in error.announcements:
            messages.success(request, text)
        response["HX-Redirect"] = next_url
        return response
    for text in error.announcements:
        messages.success(request, text)
    return render(
        request,
        "exams/closed.html",
        {"attempt": attempt, "message": str(error), "next_url": next_url},
        status=409,
    )


def _bad_request(request, attempt, position, error):
    """400: the answer does not fit the question. The page is shown again with the reason."""
    if request.htmx:
        response = HttpResponse(str(error), status=400, content_type="text/plain")
        return trigger_client_event(response, "toast", {"value": [str(error)]})
    try:
        context = _card_context(request, attempt, position)
    except Http404:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    context["error"] = str(error)
    # Show the page again with the learner's own ticks, so they can correct rather than redo.
    sent = set(request.POST.getlist("choice"))
    if sent and not context["card"].reveal:
        for choice in context["card"].choices:
            choice.selected = str(choice.id) in sent
    return render(request, "exams/question.html", context, status=400)


def _card_context(request, attempt, position, *, item=None, choice_rows=None):
    if not 1 <= position <= attempt.question_count:
        raise Http404("No such question in this attempt.")
    card = selectors.question_card(
        attempt=attempt, position=position, item=item, choice_rows=choice_rows
    )
    now = timezone.now()
    return {
        "attempt": attempt,
        "exam": attempt.exam,
        "card": card,
        "question": card.question,
        "seconds_left": attempt.seconds_left(now),
        # In a simulation, Previous, Next, the navigator and "Review and submit" send the
        # answer form (saving what is chosen) with where to go; elsewhere they are links.
        "moves_save": attempt.is_simulation and attempt.is_open,
        # Called by the template only where it is shown (the page header, not the htmx card).
        "hide_countdown": lambda: request.user.profile.hide_countdown,
        # Asked only on a question still to answer (never read for a feedback card).
        "ask_confidence": lambda: request.user.profile.confidence_on,
        "confidence_choices": Confidence.CHOICES,
        "shown_at": int(now.timestamp()),
    }


def _render_card(request, attempt, position, *, saved=False, status=200):
    context = _card_context(request, attempt, position)
    context["saved"] = saved
    response = render(
        request, _partial(request, "exams/question.html", "card"), context, status=status
    )
    return response


# Catalogue and start -----------------------------------------------------------------------


@require_safe
def catalogue(request):
    """The exams on offer, with a start form per mode."""
    exams = selectors.catalogue_entries()
    profile = request.user.profile if request.user.is_authenticated else None
    entries = [
        {
            "exam": exam,
            "practice": StartForm(exam=exam, mode=Attempt.Mode.PRACTICE),
            "drill": StartForm(exam=exam, mode=Attempt.Mode.DRILL),
            "time_limit": services.time_limit_compute(
                minutes=exam.time_limit_minutes,
                extra_time=profile.extra_time if profile else 100,
            ),
        }
        for exam in exams
    ]
    open_attempts = (
        selectors.attempts_in_progress(user=request.user) if request.user.is_authenticated else []
    )
    return render(
        request,
        "exams/catalogue.html",
        {"entries": entries, "open_attempts": open_attempts, "profile": profile},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def start(request, slug, mode):
    """The start form of one mode (also posted from the catalogue); POST starts the attempt."""
    if mode not in Attempt.Mode.values:
        raise Http404("No such mode.")
    exam = get_object_or_404(Exam.objects.prefetch_related("domains__objectives"), slug=slug)
    profile = request.user.profile
    form = StartForm(request.POST if request.method == "POST" else None, exam=exam, mode=mode)
    open_simulation = selectors.open_simulation(user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attempt = services.attempt_start(
                user=request.user,
                exam=exam,
                mode=mode,
                count=data.get("count"),
                domain_ids=data["domain_ids"],
                objective_ids=data["objective_ids"],
            )
        except services.SimulationOpen as error:
            open_simulation = error.attempt
            status = 409
        except services.EngineError as error:
            form.add_error(None, str(error))
            status = 400
        else:
            asked = exam.question_count if mode == Attempt.Mode.SIMULATION else data.get("count")
            if asked and attempt.question_count < asked:
                messages.info(request, _fewer_than_asked(attempt, asked))
            return redirect("exams:question", attempt.pk, 1)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "exams/start.html",
        {
            "exam": exam,
            "mode": mode,
            "mode_label": Attempt.Mode(mode).label,
            "form": form,
            "open_simulation": open_simulation if mode == Attempt.Mode.SIMULATION else None,
            "time_limit": services.time_limit_compute(
                minutes=exam.time_limit_minutes, extra_time=profile.extra_time
            ),
            "profile": profile,
        },
        status=status,
    )


def _fewer_than_asked(attempt, asked):
    held = attempt.question_count
    questions = "question" if held == 1 else "questions"
    if attempt.is_simulation:
        return (
            f"The bank holds {held} {questions} for this exam, fewer than the {asked} of the "
            f"real exam, so this simulation has {held}, with the exam's full time."
        )
    return (
        f"The bank holds {held} {questions} for what you chose, so this set has {held} "
        f"instead of {asked}."
    )


# Taking an attempt -------------------------------------------------------------------------


@require_safe
@login_required
def attempt_resume(request, attempt_id):
    """Where the learner left off (or the results, once submitted)."""
    attempt = _attempt_for(request, attempt_id)
    response = _unless_open(request, attempt)
    if response is not None:
        return response
    return redirect("exams:question", attempt.pk, attempt.current_position)


@require_safe
@login_required
@vary_on_headers("HX-Request")
@never_cache
def question(request, attempt_id, position):
    attempt = _attempt_for(request, attempt_id)
    response = _unless_open(request, attempt)
    if response is not None:
        return response
    if not 1 <= position <= attempt.question_count:
        raise Http404("No such question in this attempt.")
    services.attempt_position_set(attempt=attempt, position=position)
    return _render_card(request, attempt, position)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def answer(request, attempt_id, position):
    """Record an answer. Practice: show the feedback. Simulation: save and move on.

    In a simulation the form may also say where to go next (``go``: a position, or "submit"):
    Previous, Next, the navigator and "Review and submit" send it, so moving on saves what is
    chosen; with nothing chosen they only move. The service reads the attempt (locked, with its
    exam), the item and its choices once; the card is rendered from those rows, so only the
    navigator is read again.
    """
    choice_ids = request.POST.getlist("choice")
    go = request.POST.get("go")
    confidence = request.POST.get("confidence") or None
    if confidence is not None:
        if confidence not in {str(value) for value, _ in Confidence.CHOICES}:
            return HttpResponse("Say Guess, Unsure or Sure, or nothing.", status=400)
        confidence = int(confidence)
    attempt = None
    if go is not None:
        attempt = _attempt_for(request, attempt_id)
        if not attempt.is_simulation:
            go = None  # practice and drills move with links; the answer alone counts here
        elif go != "submit" and not (go.isdigit() and 1 <= int(go) <= attempt.question_count):
            return HttpResponse("There is no such question in this attempt.", status=400)
    if go is not None and not choice_ids:
        response = _unless_open(request, attempt)
        if response is not None:
            return response
        return _go(request, attempt, go, saved=None)
    try:
        result = services.answer_submit(
            attempt_id=attempt_id,
            user=request.user,
            position=position,
            choice_ids=choice_ids,
            move_to=int(go) if go is not None and go.isdigit() else None,
            confidence=confidence,
            shown_at=_shown_at(request.POST.get("shown")),
        )
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None
    except services.AttemptClosed as error:
        return _closed(request, error.attempt, error)
    except services.AnswerFinal as error:
        return _answer_final(request, error.attempt, position, error)
    except services.InvalidAnswer as error:
        attempt = error.attempt or _attempt_for(request, attempt_id)
        return _bad_request(request, attempt, position, error)
    attempt, target = result.attempt, result.position_next
    if go is not None:
        response = _go(request, attempt, go, saved=position)
    elif not request.htmx:
        if attempt.is_simulation:
            messages.success(request, f"Answer to question {position} saved.")
        response = redirect("exams:question", attempt.pk, target)
    else:
        context = _card_context(
            request, attempt, target, item=result.item, choice_rows=result.choice_rows
        )
        context["saved"] = position if attempt.is_simulation else None
        context["ask_confidence"] = _asked_confidence(request)
        response = render(request, "exams/question.html#card", context)
        if target != position:
            push_url(response, reverse("exams:question", args=[attempt.pk, target]))
    return _announce(request, response, result.announcements)


def _asked_confidence(request) -> bool:
    """Whether the card just answered asked for confidence (so the next one does too), read
    from the form instead of the profile: the answer path reads no profile for it."""
    return request.POST.get("confidence_ask") == "1"


def _shown_at(value):
    """When the question was shown (the form's ``shown``, epoch seconds), if it is plausible;
    it only tells the review schedule whether an answer was quick."""
    if not (value and value.isascii() and value.isdigit() and len(value) <= 12):
        return None
    shown = datetime.fromtimestamp(int(value), tz=UTC)
    return shown if shown <= timezone.now() else None


def _go(request, attempt, go, *, saved):
    """Move within an open simulation after the answer form was sent with ``go``."""
    if saved is not None and not request.htmx:
        messages.success(request, f"Answer to question {saved} saved.")
    if go == "submit":
        return _redirect(request, reverse("exams:submit", args=[attempt.pk]))
    target = int(go)
    services.attempt_position_set(attempt=attempt, position=target)
    if not request.htmx:
        return redirect("exams:question", attempt.pk, target)
    context = _card_context(request, attempt, target)
    context["saved"] = saved
    context["ask_confidence"] = _asked_confidence(request)
    response = render(request, "exams/question.html#card", context)
    return push_url(response, reverse("exams:question", args=[attempt.pk, target]))


def _answer_final(request, attempt, position, error):
    """409: a practice answer is final. Show the question with the answer that stands."""
    if request.htmx:
        # The learner may be in a stale tab: swap in the card with its feedback, say why.
        response = _render_card(request, attempt, position)
        return trigger_client_event(response, "toast", {"value": [str(error)]})
    context = _card_context(request, attempt, position)
    context["error"] = str(error)
    return render(request, "exams/question.html", context, status=409)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def flag(request, attempt_id, position):
    """Set or clear the review flag (the form sends the wanted state, so repeats are harmless)."""
    attempt = _attempt_for(request, attempt_id)
    wanted = request.POST.get("flagged")
    if wanted not in ("0", "1"):
        return HttpResponse("Say whether to flag (1) or unflag (0).", status=400)
    try:
        services.item_flag(
            attempt_id=attempt.pk, user=request.user, position=position, flagged=wanted == "1"
        )
    except services.AttemptClosed as error:
        return _closed(request, attempt, error)
    except services.InvalidAnswer:
        raise Http404("No such question in this attempt.") from None
    if request.htmx:
        return _render_card(request, attempt, position)
    return redirect("exams:question", attempt.pk, position)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def item_bookmark(request, attempt_id, position):
    """Bookmark the question on screen; in a simulation only once it has been answered."""
    attempt = _attempt_for(request, attempt_id)
    wanted = request.POST.get("on")
    if wanted not in ("0", "1"):
        return HttpResponse("Say whether to bookmark (1) or not (0).", status=400)
    item = attempt.items.filter(position=position).first()
    if item is None:
        raise Http404("No such question in this attempt.")
    if attempt.is_open and item.answered_at is None:
        return HttpResponse("Answer the question before bookmarking it.", status=409)
    services.bookmark_set(user=request.user, question_id=item.question_id, on=wanted == "1")
    if not attempt.is_open:
        return redirect("exams:review", attempt.pk)
    if request.htmx:
        return _render_card(request, attempt, position)
    return redirect("exams:question", attempt.pk, position)


@require_safe
@login_required
@never_cache
def clock(request, attempt_id):
    """Seconds left, for the countdown to re-sync; submits the attempt if time is up."""
    attempt = _attempt_for(request, attempt_id)
    now = timezone.now()
    services.attempt_expire_if_due(attempt=attempt, now=now)
    data = {"status": attempt.status, "seconds_left": attempt.seconds_left(now)}
    if not attempt.is_open:
        data["url"] = reverse("exams:resume", args=[attempt.pk])
    return JsonResponse(data)


@require_safe
@login_required
@never_cache
def submit(request, attempt_id):
    """The step before submitting: how many questions are unanswered or flagged."""
    attempt = _attempt_for(request, attempt_id)
    response = _unless_open(request, attempt)
    if response is not None:
        return response
    return render(
        request,
        "exams/submit.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "progress": selectors.attempt_progress(attempt=attempt),
            "seconds_left": attempt.seconds_left(timezone.now()),
        },
    )


@require_POST
@login_required
def finish(request, attempt_id):
    attempt = _attempt_for(request, attempt_id)
    try:
        result = services.attempt_finish(attempt_id=attempt.pk, user=request.user)
    except services.AttemptClosed as error:
        return _closed(request, attempt, error)
    response = _redirect(request, reverse("exams:results", args=[attempt.pk]))
    return _announce(request, response, result.announcements)


@require_POST
@login_required
def abandon(request, attempt_id):
    before = _attempt_for(request, attempt_id)
    attempt = services.attempt_abandon(attempt_id=before.pk, user=request.user)
    if attempt.status == Attempt.Status.SUBMITTED:
        if before.status == Attempt.Status.SUBMITTED:
            messages.info(request, "This attempt was already submitted; here are its results.")
        else:
            messages.warning(request, "Time was up: the attempt was submitted as it stood.")
        return _redirect(request, reverse("exams:results", args=[attempt.pk]))
    if before.status == Attempt.Status.ABANDONED:
        messages.info(request, "This attempt was already abandoned.")
    else:
        messages.info(request, f"{attempt.get_mode_display()} of {attempt.exam.code} abandoned.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("exams:catalogue")
    return _redirect(request, next_url)


# After the attempt -------------------------------------------------------------------------


@require_safe
@login_required
def results(request, attempt_id):
    attempt = _attempt_for(request, attempt_id)
    response = _expired(request, attempt)
    if response is not None:
        return response
    if attempt.is_open:
        return redirect("exams:question", attempt.pk, attempt.current_position)
    if attempt.status != Attempt.Status.SUBMITTED:
        return _not_open(request, attempt)
    scores = selectors.attempt_results(attempt=attempt)
    return render(
        request,
        "exams/results.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "chart": _domain_chart(scores["domains"], scores["pass_percent"]),
            "confidence": study_selectors.attempt_confidence(attempt=attempt),
            **scores,
        },
    )


def _domain_chart(domains, pass_percent):
    """Geometry of the per-domain bar chart (an SVG drawn by the template)."""
    x0, span, row_height = 250, 290, 28
    rows = [
        {
            "domain": domain,
            "y": index * row_height + 6,
            "text_y": index * row_height + 19,
            "width": round(span * domain.percent / 100),
        }
        for index, domain in enumerate(domains)
    ]
    return {
        "rows": rows,
        "height": max(1, len(rows)) * row_height + 4,
        "x0": x0,
        "span": span,
        "value_x": x0 + span + 6,
        "pass_x": x0 + round(span * pass_percent / 100),
    }


@require_safe
@login_required
@vary_on_headers("HX-Request")
def review(request, attempt_id):
    attempt = _attempt_for(request, attempt_id)
    response = _expired(request, attempt)
    if response is not None:
        return response
    if attempt.status != Attempt.Status.SUBMITTED:
        return (
            _not_open(request, attempt)
            if not attempt.is_open
            else redirect("exams:question", attempt.pk, attempt.current_position)
        )
    show = request.GET.get("show", "all")
    if show not in REVIEW_FILTERS:
        show = "all"
    return render(
        request,
        _partial(request, "exams/review.html", "entries"),
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "entries": selectors.attempt_review(attempt=attempt, show=show),
            "show": show,
            "filters": REVIEW_FILTERS,
        },
    )


@require_safe
@login_required
def history(request):
    paginator = Paginator(selectors.attempt_history(user=request.user), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "exams/history.html", {"page": page})


# Bookmarks ---------------------------------------------------------------------------------


@require_safe
@login_required
def bookmarks(request):
    return render(
        request, "exams/bookmarks.html", {"bookmarks": selectors.bookmarks_list(user=request.user)}
    )


@require_POST
@login_required
@vary_on_headers("HX-Request")
def bookmark(request, question_id):
    """Bookmark (``on=1``) or remove (``on=0``) a question; used by review and bookmarks."""
    wanted = request.POST.get("on")
    if wanted not in ("0", "1"):
        return HttpResponse("Say whether to bookmark (1) or not (0).", status=400)
    try:
        on = services.bookmark_set(user=request.user, question_id=question_id, on=wanted == "1")
    except services.InvalidAnswer:
        raise Http404("No such question.") from None
    next_url = request.POST.get("next", "")
    if request.htmx and request.POST.get("fragment") == "review":
        return render(
            request,
            "exams/review.html#bookmark",
            {"question_id": question_id, "bookmarked": on, "next": next_url},
        )
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("exams:bookmarks")
    if not on:
        messages.info(request, "Bookmark removed.")
    return _redirect(request, next_url)


@require_POST
@login_required
def bookmarks_start(request):
    """A practice set drawn from the learner's bookmarks in one exam."""
    form = BookmarkSetForm(request.POST)
    if not form.is_valid():
        # A tampered or empty form: show the bookmarks page again with the reason, as a 400.
        messages.error(request, "Choose how many bookmarked questions to practise (1 to 200).")
        return render(
            request,
            "exams/bookmarks.html",
            {"bookmarks": selectors.bookmarks_list(user=request.user)},
            status=400,
        )
    exam = get_object_or_404(Exam, slug=form.cleaned_data["exam"])
    try:
        attempt = services.attempt_start(
            user=request.user,
            exam=exam,
            mode=Attempt.Mode.PRACTICE,
            count=form.cleaned_data["count"],
            bookmarked=True,
        )
    except services.EngineError as error:
        messages.error(request, str(error))
        return redirect("exams:bookmarks")
    return redirect("exams:question", attempt.pk, 1)
