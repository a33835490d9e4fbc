from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
@login_required
def dashboard(request):
    """The signed-in learner's home page (filled in by the gamification issue)."""
    return render(request, "gamification/dashboard.html", {})
