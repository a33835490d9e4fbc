"""Quiz views: thin wrappers that parse, authorise, call a service and pick a template.

Every attempt URL looks the attempt up with ``user=request.user``, so another learner gets 404.
Every page that touches an open attempt first lets the server submit it if its deadline passed.
With ``HX-Request`` the same view returns only the fragment that changes (``page.html#part``).
"""

import re
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

from accounts.services import profile_countdown_set
from exams import selectors, services
from exams.forms import BookmarkSetForm, StartForm
from exams.models import Attempt
from exams.selectors import REVIEW_FILTERS
from exams.services import AbandonOutcome, Gate
from questions.models import Exam
from study import selectors as study_selectors
from study.rules import Confidence

HISTORY_PAGE_SIZE = 20


# Helpers -----------------------------------------------------------------------------------

# A bare "0"/"1" from a form; anything else is refused with 400.
_SWITCH = {"0": False, "1": True}
# ASCII digits only: "²".isdigit() is true but int("²") fails.
_POSITION = re.compile(r"[0-9]{1,5}")


class BadInput(Exception):
    """The request does not say what it means (HTTP 400, with the message)."""


def _switch(request, name, question):
    """The POSTed ``name`` as a boolean, from exactly "0" or "1"."""
    try:
        return _SWITCH[request.POST.get(name)]
    except KeyError:
        raise BadInput(question) from None


def _next_url(request, default):
    """A user-supplied ``next``: only a path on this site, else ``default``.

    ``url_has_allowed_host_and_scheme`` accepts a bare word ("id"), which ``redirect()`` would
    then look up as a URL pattern name; a path must start with one slash.
    """
    target = request.POST.get("next", "")
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


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


def _gate(request, attempt, *, want=Gate.OPEN):
    """The one guard of attempt pages: None when ``attempt`` is in the ``want`` state (open,
    or submitted for results and review), else the response that sends the learner where
    the attempt now is. Submits an open attempt whose time is up (``attempt_gate``)."""
    result = services.attempt_gate(attempt=attempt)
    state = Gate.SUBMITTED if result.gate == Gate.EXPIRED else result.gate
    if result.gate != Gate.EXPIRED and state == want:
        return None
    if result.gate == Gate.EXPIRED:
        messages.warning(request, "Time is up: your attempt was submitted as it stood.")
    if state == Gate.OPEN:
        url = reverse("exams:question", args=[attempt.pk, attempt.current_position])
    elif state == Gate.SUBMITTED:
        url = reverse("exams:results", args=[attempt.pk])
    else:
        messages.info(request, "That attempt was abandoned.")
        url = reverse("exams:history")
    return _announce(request, _redirect(request, url), result.announcements)


def _closed(request, attempt, error, *, page=True):
    """409: the attempt no longer takes this change. Says why, and where to go next.

    ``attempt`` is the row the service read under its lock, as it left it. ``page=False``
    (nothing the learner sent was lost): a plain request is redirected there instead.
    """
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
    if not page:
        messages.warning(request, str(error))
    for text in error.announcements:
        messages.success(request, text)
    if not page:
        return redirect(next_url)
    return render(
        request,
        "exams/closed.html",
        {"attempt": attempt, "message": str(error), "next_url": next_url},
        status=409,
    )


def _bad_request(request, attempt, position, error, *, status=400):
    """400 (409 for a held question): the answer does not fit the question. The page is
    shown again with the reason."""
    if request.htmx:
        response = HttpResponse(str(error), status=status, content_type="text/plain")
        return trigger_client_event(response, "toast", {"value": [str(error)]})
    try:
        context = _card_context(request, attempt, position)
    except Http404:
        return HttpResponse(str(error), status=status, content_type="text/plain")
    context["error"] = str(error)
    # Show the page again with the learner's own ticks, so they can correct rather than redo.
    sent = set(request.POST.getlist("choice"))
    card = context["card"]
    if sent and not card.reveal:
        for choice in card.choices:
            choice.selected = str(choice.id) in sent
    if card.pbq and not card.reveal:
        for element in card.pbq.elements:
            element.given = _element_sent(request, card.pbq, element.index)
    return render(request, "exams/question.html", context, status=status)


def _element_sent(request, pbq, index):
    """The place or value the refused form gave element ``index``, to show it again."""
    raw = request.POST.get(f"{'place' if pbq.is_order else 'value'}-{index}", "")
    if not (raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    if pbq.is_order:
        return number if 1 <= number <= len(pbq.elements) else None
    return pbq.values[number - 1] if 1 <= number <= len(pbq.values) else None


def _card_context(request, attempt, position, *, item=None, choice_rows=None, saved=None):
    """``saved``: the result of the answer just stored, whose rows the card reuses."""
    if not 1 <= position <= attempt.question_count:
        raise Http404("No such question in this attempt.")
    card = selectors.question_card(
        attempt=attempt,
        position=position,
        item=item,
        choice_rows=choice_rows,
        items=saved.items if saved is not None else None,
        choices=saved.choices if saved is not None else None,
        navigator=saved.navigator if saved is not None else None,
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
        # Asked only on a question still to answer; after an answer the form says whether it
        # asked (``_asked_confidence``), so the answer path reads no profile for it.
        "ask_confidence": (
            _asked_confidence(request)
            if request.method == "POST"
            else lambda: request.user.profile.confidence_on
        ),
        "confidence_choices": Confidence.CHOICES,
        "shown_at": int(now.timestamp()),
    }


def _render_card(request, attempt, position, *, status=200):
    context = _card_context(request, attempt, position)
    return render(request, _partial(request, "exams/question.html", "card"), context, status=status)


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
            "timing": _simulation_timing(exam, profile, bank_size=exam.bank_size),
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
                full_time=data.get("full_time", False),
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
    simulation = mode == Attempt.Mode.SIMULATION
    return render(
        request,
        "exams/start.html",
        {
            "exam": exam,
            "mode": mode,
            "mode_label": Attempt.Mode(mode).label,
            "form": form,
            "open_simulation": open_simulation if simulation else None,
            "time_limit": services.time_limit_compute(
                minutes=exam.time_limit_minutes, extra_time=profile.extra_time
            ),
            "timing": (
                _simulation_timing(exam, profile, bank_size=selectors.bank_size(exam=exam))
                if simulation
                else None
            ),
            "profile": profile,
        },
        status=status,
    )


def _simulation_timing(exam, profile, *, bank_size):
    """What a start form says about the time of a simulation from a bank of ``bank_size``."""
    held = min(bank_size, exam.question_count)
    minutes = services.simulation_minutes(exam=exam, questions=max(held, 1))
    extra_time = profile.extra_time if profile else 100
    return {
        "questions": held,
        "scaled": 0 < held < exam.question_count,
        "minutes": services.time_limit_compute(minutes=minutes, extra_time=extra_time),
    }


def _fewer_than_asked(attempt, asked):
    held = attempt.question_count
    questions = "question" if held == 1 else "questions"
    if attempt.is_simulation:
        timing = (
            f"and {attempt.time_limit_minutes} minutes in proportion"
            if attempt.time_scaled
            else "with the exam's full time"
        )
        return (
            f"The bank holds {held} {questions} for this exam, fewer than the {asked} of the "
            f"real exam, so this simulation has {held}, {timing}."
        )
    return (
        f"The bank holds {held} {questions} for what you chose, so this set has {held} "
        f"instead of {asked}."
    )


# Taking an attempt -------------------------------------------------------------------------


@require_safe
@login_required
def attempt_resume(request, attempt_id):
    """Where the learner left off (or the results, once submitted).

    A GET that may write: an attempt past its deadline is submitted here (``_gate``).
    """
    attempt = _attempt_for(request, attempt_id)
    return _gate(request, attempt) or redirect(
        "exams:question", attempt.pk, attempt.current_position
    )


@require_safe
@login_required
@vary_on_headers("HX-Request")
@never_cache
def question(request, attempt_id, position):
    """One question of an open attempt.

    A GET that writes: it remembers the position (resuming lands here) and submits an attempt
    past its deadline (``_gate``).
    """
    attempt = _attempt_for(request, attempt_id)
    response = _gate(request, attempt)
    if response is not None:
        return response
    if not 1 <= position <= attempt.question_count:
        raise Http404("No such question in this attempt.")
    services.attempt_position_set(attempt=attempt, position=position)
    return _render_card(request, attempt, position)


def _go(request):
    """Where the simulation learner asked to go: a position, "submit", or None."""
    go = request.POST.get("go")
    if go is None or go == "submit":
        return go
    if not _POSITION.fullmatch(go):
        raise BadInput("There is no such question in this attempt.")
    return int(go)


def _confidence(request):
    """Guess (1), Unsure (2), Sure (3), or None when not given."""
    value = request.POST.get("confidence") or None
    if value is None:
        return None
    if value not in {str(v) for v, _ in Confidence.CHOICES}:
        raise BadInput("Say Guess, Unsure or Sure, or nothing.")
    return int(value)


def _asked_confidence(request) -> bool:
    """Whether the card just answered asked for confidence (so the next one does too)."""
    return request.POST.get("confidence_ask") == "1"


def _shown_at(value):
    """When the question was shown (the form's ``shown``, epoch seconds), if plausible; it
    only tells the review schedule whether an answer was quick."""
    if not (value and value.isascii() and value.isdigit() and len(value) <= 12):
        return None
    shown = datetime.fromtimestamp(int(value), tz=UTC)
    return shown if shown <= timezone.now() else None


@require_POST
@login_required
@vary_on_headers("HX-Request")
def answer(request, attempt_id, position):
    """Record an answer. Practice: show the feedback. Simulation: save and move on.

    In a simulation the form may also say where to go next (``go``: a position, or "submit"):
    Previous, Next, the navigator and "Review and submit" send it, so moving on saves what is
    chosen; with nothing chosen they only move. ``autosave=1`` (the page sends it when a
    choice changes) stores the selection, even an empty one, and answers 204. The service
    reads the attempt (locked, with its exam), the items, their choices and the navigator in
    one query; the card is rendered from those rows without reading them again.
    """
    choice_ids = request.POST.getlist("choice")
    # A performance-based question's places (order) or values (match): place-1, value-2, ...
    elements = {
        name: value
        for name, value in request.POST.items()
        if name.startswith(("place-", "value-")) and value
    }
    autosave = request.POST.get("autosave") == "1"
    try:
        go = _go(request)
        confidence = _confidence(request)
    except BadInput as error:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    move_to = go if isinstance(go, int) else None
    move_only = go is not None and not choice_ids and not elements and not autosave
    try:
        if move_only:
            attempt = services.attempt_move(
                attempt_id=attempt_id,
                user=request.user,
                move_to=position if move_to is None else move_to,
            )
            return _moved(request, attempt, go, saved=None)
        result = services.answer_submit(
            attempt_id=attempt_id,
            user=request.user,
            position=position,
            choice_ids=choice_ids,
            elements=elements,
            move_to=move_to,
            autosave=autosave,
            confidence=confidence,
            shown_at=_shown_at(request.POST.get("shown")),
        )
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None
    except services.AttemptClosed as error:
        # A move loses nothing: without htmx, go straight where the attempt now is.
        return _closed(request, error.attempt, error, page=not move_only)
    except services.AnswerFinal as error:
        return _answer_final(request, error.attempt, position, error)
    except services.InvalidAnswer as error:
        status = 409 if isinstance(error, services.QuestionHeld) else 400
        return _bad_request(request, error.attempt, position, error, status=status)
    attempt = result.attempt
    if autosave:
        return HttpResponse(status=204)
    if go is not None and attempt.is_simulation:
        response = _moved(request, attempt, go, saved=result)
    elif not request.htmx:
        if attempt.is_simulation:
            messages.success(request, _saved_text(result))
        response = redirect("exams:question", attempt.pk, result.position_next)
    else:
        target = result.position_next
        context = _card_context(
            request,
            attempt,
            target,
            item=result.item,
            choice_rows=result.choice_rows,
            saved=result,
        )
        context["saved"] = _saved_text(result) if attempt.is_simulation else None
        response = render(request, "exams/question.html#card", context)
        if target != position:
            push_url(response, reverse("exams:question", args=[attempt.pk, target]))
    return _announce(request, response, result.announcements)


def _saved_text(result):
    position = result.item.position
    if result.item.answered_at is None and result.item.selected:
        return (
            f"Question {position} saved as incomplete: it takes more answers, and counts as "
            "wrong until you choose them all."
        )
    return f"Answer to question {position} saved."


def _moved(request, attempt, go, *, saved):
    """After the answer form of an open simulation was sent with ``go``: show where it goes.

    ``saved`` is the answer's result when one was stored on the way.
    """
    text = _saved_text(saved) if saved is not None else None
    if text and not request.htmx:
        messages.success(request, text)
    if go == "submit":
        return _redirect(request, reverse("exams:submit", args=[attempt.pk]))
    if not request.htmx:
        return redirect("exams:question", attempt.pk, go)
    context = _card_context(request, attempt, go, saved=saved)
    context["saved"] = text
    response = render(request, "exams/question.html#card", context)
    return push_url(response, reverse("exams:question", args=[attempt.pk, go]))


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
    try:
        wanted = _switch(request, "flagged", "Say whether to flag (1) or unflag (0).")
        item = services.item_flag(
            attempt_id=attempt_id, user=request.user, position=position, flagged=wanted
        )
    except BadInput as error:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None
    except services.AttemptClosed as error:
        return _closed(request, error.attempt, error)
    except services.InvalidAnswer:
        raise Http404("No such question in this attempt.") from None
    if request.htmx:
        return _render_card(request, item.attempt, position)
    return redirect("exams:question", attempt_id, position)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def item_bookmark(request, attempt_id, position):
    """Bookmark the question on screen (not an unanswered one of an open simulation)."""
    attempt = _attempt_for(request, attempt_id)
    try:
        wanted = _switch(request, "on", "Say whether to bookmark (1) or not (0).")
        services.item_bookmark_set(user=request.user, attempt=attempt, position=position, on=wanted)
    except BadInput as error:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    except services.BookmarkRefused as error:
        return HttpResponse(str(error), status=409, content_type="text/plain")
    except services.InvalidAnswer:
        raise Http404("No such question in this attempt.") from None
    if not attempt.is_open:
        return redirect("exams:review", attempt.pk)
    if request.htmx:
        return _render_card(request, attempt, position)
    return redirect("exams:question", attempt.pk, position)


@require_safe
@login_required
@never_cache
def clock(request, attempt_id):
    """Seconds left, for the countdown to re-sync.

    A GET that may write: an attempt past its deadline is submitted here.
    """
    attempt = _attempt_for(request, attempt_id)
    now = timezone.now()
    services.attempt_gate(attempt=attempt, now=now)
    data = {"status": attempt.status, "seconds_left": attempt.seconds_left(now)}
    if not attempt.is_open:
        data["url"] = reverse("exams:resume", args=[attempt.pk])
    return JsonResponse(data)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def countdown(request, attempt_id):
    """Hide or show a simulation's time left. The choice is the learner's, kept on the profile,
    so a reload (or the next simulation) remembers it; htmx gets 204, a plain form goes back."""
    attempt = _attempt_for(request, attempt_id)
    try:
        hidden = _switch(request, "hidden", "Say whether to hide (1) or show (0) the time left.")
    except BadInput as error:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    profile_countdown_set(user=request.user, hidden=hidden)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("exams:resume", attempt.pk)


@require_safe
@login_required
@never_cache
def submit(request, attempt_id):
    """The step before submitting: how many questions are unanswered, incomplete or flagged.

    A GET that may write: an attempt past its deadline is submitted here (``_gate``).
    """
    attempt = _attempt_for(request, attempt_id)
    response = _gate(request, attempt)
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
    try:
        result = services.attempt_finish(attempt_id=attempt_id, user=request.user)
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None
    except services.AttemptClosed as error:
        return _closed(request, error.attempt, error)
    response = _redirect(request, reverse("exams:results", args=[result.attempt.pk]))
    return _announce(request, response, result.announcements)


_ABANDON_SAYS = {
    AbandonOutcome.ALREADY_SUBMITTED: (
        messages.INFO,
        "This attempt was already submitted; here are its results.",
    ),
    AbandonOutcome.EXPIRED: (
        messages.WARNING,
        "Time was up: the attempt was submitted as it stood.",
    ),
    AbandonOutcome.ALREADY_ABANDONED: (messages.INFO, "This attempt was already abandoned."),
}


@require_POST
@login_required
def abandon(request, attempt_id):
    try:
        result = services.attempt_abandon(attempt_id=attempt_id, user=request.user)
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None
    attempt = result.attempt
    level, text = _ABANDON_SAYS.get(
        result.outcome,
        (messages.INFO, f"{attempt.get_mode_display()} of {attempt.exam.code} abandoned."),
    )
    messages.add_message(request, level, text)
    if attempt.status == Attempt.Status.SUBMITTED:
        response = _redirect(request, reverse("exams:results", args=[attempt.pk]))
        return _announce(request, response, result.announcements)
    return _redirect(request, _next_url(request, reverse("exams:catalogue")))


# After the attempt -------------------------------------------------------------------------


@require_safe
@login_required
def results(request, attempt_id):
    """The score of a submitted attempt. A GET that may submit one past its deadline."""
    attempt = _attempt_for(request, attempt_id)
    response = _gate(request, attempt, want=Gate.SUBMITTED)
    if response is not None:
        return response
    scores = selectors.attempt_results(attempt=attempt)
    return render(
        request,
        "exams/results.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "confidence": study_selectors.attempt_confidence(attempt=attempt),
            **scores,
        },
    )


@require_safe
@login_required
@vary_on_headers("HX-Request")
def review(request, attempt_id):
    """Every question of a submitted attempt, filtered by ``?show=`` (all, wrong, flagged).

    A GET that may submit an attempt past its deadline (``_gate``).
    """
    attempt = _attempt_for(request, attempt_id)
    response = _gate(request, attempt, want=Gate.SUBMITTED)
    if response is not None:
        return response
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
    """Open attempts first (with Resume), then the finished ones, newest first, paged."""
    paginator = Paginator(selectors.attempt_history(user=request.user), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    in_progress = selectors.attempts_in_progress(user=request.user) if page.number == 1 else []
    return render(request, "exams/history.html", {"page": page, "in_progress": in_progress})


# Bookmarks ---------------------------------------------------------------------------------


@require_safe
@login_required
def bookmarks(request):
    """Bookmarked questions with their answer and explanations (held back for a question of
    an open simulation)."""
    return render(
        request, "exams/bookmarks.html", {"bookmarks": selectors.bookmarks_list(user=request.user)}
    )


@require_POST
@login_required
@vary_on_headers("HX-Request")
def bookmark(request, question_id):
    """Bookmark (``on=1``) or remove (``on=0``) a question; used by review and bookmarks."""
    next_url = _next_url(request, reverse("exams:bookmarks"))
    try:
        wanted = _switch(request, "on", "Say whether to bookmark (1) or not (0).")
        on = services.bookmark_set(user=request.user, question_id=question_id, on=wanted)
    except BadInput as error:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    except services.BookmarkRefused as error:
        return HttpResponse(str(error), status=409, content_type="text/plain")
    except services.InvalidAnswer:
        raise Http404("No such question.") from None
    if request.htmx and request.POST.get("fragment") == "review":
        return render(
            request,
            "exams/review.html#bookmark",
            {"question_id": question_id, "bookmarked": on, "next": next_url},
        )
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
