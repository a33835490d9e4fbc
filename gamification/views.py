"""Progress pages: dashboard (home for signed-in learners), badges, leaderboard, avatar.

The pictures (heatmap, trend chart) are server-rendered SVG; this module only turns the
selectors' numbers into coordinates. No inline style: colours come from classes in site.css.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from gamification import rules, services
from gamification.avatars import AVATARS
from gamification.selectors import (
    HEATMAP_WEEKS,
    avatar_options,
    badges_for,
    dashboard_for,
    leaderboard,
)
from study.selectors import due_count_for_request, study_plan

CELL, GAP = 11, 3
STEP = CELL + GAP
HEATMAP_LEFT, HEATMAP_TOP = 30, 16
CHART_W, CHART_H = 600, 220
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 44, 12, 12, 28


@require_safe
@login_required
def dashboard(request):
    """The signed-in learner's home page."""
    now = timezone.now()
    data = dashboard_for(user=request.user, now=now)
    context = {
        "d": data,
        "plan": study_plan(profile=data.profile, now=now, due=due_count_for_request(request)),
        "heatmap": _heatmap(data),
        "charts": [_trend_chart(exam) for exam in data.readiness if exam.simulations],
        "xp_rules": _xp_rules(),
    }
    return render(request, "gamification/dashboard.html", context)


@require_safe
@login_required
def badges(request):
    earned, locked = badges_for(user=request.user)
    context = {
        "earned": earned,
        "locked": locked,
        "level": rules.level_progress(xp=request.user.profile.xp_total),
        "levels": [(n, rules.level_xp_floor(n)) for n in (2, 3, 5, 10, 25, 50)],
        "xp_rules": _xp_rules(),
        "time_zone": request.user.profile.time_zone,
    }
    return render(request, "gamification/badges.html", context)


@require_safe
@login_required
def leaderboard_page(request):
    """A GET that writes: it first moves the kept weekly XP to now (cost: what moved)."""
    services.leaderboard_age(now=timezone.now())
    board = leaderboard(viewer=request.user)
    return render(request, "gamification/leaderboard.html", {"board": board})


class AvatarForm(forms.Form):
    avatar = forms.ChoiceField(choices=[(a.key, a.label) for a in AVATARS])


@require_http_methods(["GET", "POST"])
@login_required
def avatar(request):
    """Pick a built-in avatar; a locked one is refused here, whatever the page showed."""
    status = 200
    if request.method == "POST":
        form = AvatarForm(request.POST)
        if form.is_valid():
            try:
                services.avatar_choose(user=request.user, key=form.cleaned_data["avatar"])
            except ValidationError as error:
                form.add_error("avatar", error)
            else:
                messages.success(request, "Avatar saved.")
                return redirect("gamification:avatar")
        status = 422
    else:
        form = AvatarForm(initial={"avatar": request.user.profile.avatar_key})
    profile = request.user.profile
    context = {
        "form": form,
        "options": avatar_options(user=request.user),
        "profile": profile,
        "overridden": bool(profile.avatar_upload or profile.avatar_url),
    }
    return render(request, "gamification/avatar.html", context, status=status)


def _xp_rules() -> list[tuple[str, int]]:
    return [
        ("Each question answered", rules.XP_PER_ANSWER),
        ("Each correct answer, on top", rules.XP_PER_CORRECT),
        ("Finishing an attempt", rules.XP_ATTEMPT_FINISHED),
        ("Passing an exam simulation", rules.XP_SIMULATION_PASSED),
        ("Meeting your daily goal", rules.XP_DAILY_GOAL),
    ]


def _heatmap(data) -> dict:
    """Cells of the 53-week activity heatmap: one column a week (Monday on top)."""
    start, today, goal = data.heatmap_start, data.today, data.profile.daily_goal
    cells, months = [], []
    day, last_month = start, None
    while day <= today:
        column = (day - start).days // 7
        row = data.days.get(day)
        answered = row.answered if row else 0
        if answered == 0:
            level = 0
        elif answered >= goal:
            level = 4
        else:
            level = 1 + min(2, 3 * answered // goal)
        label = f"{day:%a %-d %b %Y}: "
        if answered:
            label += f"{answered} question{'s' if answered != 1 else ''}, {row.correct} correct"
            if row.goal_met:
                label += ", daily goal met"
        elif row and row.freeze_used:
            label += "streak freeze used"
        else:
            label += "no questions"
        cells.append(
            {
                "x": HEATMAP_LEFT + column * STEP,
                "y": HEATMAP_TOP + day.weekday() * STEP,
                "level": level,
                "frozen": bool(row and row.freeze_used and not answered),
                "today": day == today,
                "title": label,
            }
        )
        if day.weekday() == 0 and day.month != last_month:
            if last_month is not None:  # the first column may hold the end of a month
                months.append({"x": HEATMAP_LEFT + column * STEP, "label": f"{day:%b}"})
            last_month = day.month
        day += timedelta(days=1)
    weeks = HEATMAP_WEEKS + 1
    return {
        "cells": cells,
        "months": months,
        "size": CELL,
        "width": HEATMAP_LEFT + weeks * STEP,
        "height": HEATMAP_TOP + 7 * STEP,
        "weekdays": [
            {"y": HEATMAP_TOP + row * STEP + CELL - 1, "label": label}
            for row, label in ((0, "Mon"), (2, "Wed"), (4, "Fri"))
        ],
        "active_days": sum(1 for c in cells if c["level"]),
    }


def _trend_chart(exam) -> dict:
    """A line of the recent simulation scores of one exam, with its pass mark."""
    low, high = exam.score_min, exam.score_max
    plot_w = CHART_W - CHART_LEFT - CHART_RIGHT
    plot_h = CHART_H - CHART_TOP - CHART_BOTTOM

    def y(score):
        return round(CHART_TOP + (high - score) * plot_h / (high - low), 1)

    n = len(exam.simulations)
    points = []
    for i, (submitted_at, score, passed) in enumerate(exam.simulations):
        x = CHART_LEFT + (plot_w / 2 if n == 1 else i * plot_w / (n - 1))
        points.append(
            {
                "x": round(x, 1),
                "y": y(score),
                "score": score,
                "passed": passed,
                "title": f"{submitted_at:%-d %b %Y}: {score} ({'pass' if passed else 'fail'})",
            }
        )
    ticks = sorted({low, (low + high) // 2, high})
    return {
        "exam": exam,
        "width": CHART_W,
        "height": CHART_H,
        "left": CHART_LEFT,
        "right": CHART_W - CHART_RIGHT,
        "bottom": CHART_TOP + plot_h,
        "pass_y": y(exam.pass_mark),
        "ticks": [{"y": y(t), "label": t} for t in ticks],
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
    }
