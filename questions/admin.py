"""Staff editing of the bank in the Django admin.

Who may do what is set by the "Staff editor" group (migration 0003): questions and choices
are edited here; exams, domains and objectives are visible to editors and changed by admins.
The list page has a fixed query budget whatever the size of the bank (tests/test_admin.py).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import Truncator, add_truncation_text, calculate_truncate_chars_length

from billings.admin import admin_id
from gamification import services as gamification
from questions.item_analysis import DISCRIMINATION_NEAR_ZERO, EASY_ABOVE, HARD_BELOW
from questions.models import (
    LETTERS,
    MATCH_VALUE_MAX_LENGTH,
    Choice,
    Domain,
    Exam,
    ItemStat,
    Objective,
    Question,
    QuestionReport,
)
from questions.rules import (
    choices_check,
    element_count_problem,
    match_key_resolve,
    pbq_text_problem,
    problem_sentence,
    values_join,
    values_problems,
    values_split,
)
from questions.services import ReportRefused, question_revise, report_resolve

EXAM_PARAMETER = "exam__id__exact"


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ("number", "name", "weight_percent")


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "slug",
        "status",
        "retired_on",
        "active_questions",
        "pass_mark",
        "position",
        "item_analysis_link",
    )
    list_filter = ("status",)
    search_fields = ("code", "name", "slug")
    inlines = [DomainInline]
    ordering = ("position", "code")

    @admin.display(description="active questions", ordering="bank_size")
    def active_questions(self, obj):
        return obj.bank_size

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new exam version gets its "passed the simulation" badge, as the seeded ones did.
        gamification.exam_badge_ensure(exam=obj)

    def get_urls(self):
        view = self.admin_site.admin_view(
            lambda request, exam_id: exam_item_analysis(request, self, exam_id)
        )
        return [
            path("<int:exam_id>/item-analysis/", view, name="questions_exam_item_analysis"),
            *super().get_urls(),
        ]

    @admin.display(description="item analysis")
    def item_analysis_link(self, obj):
        url = reverse("admin:questions_exam_item_analysis", args=[obj.pk])
        return format_html('<a href="{}">Item analysis</a>', url)


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    fields = ("code", "title")


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("__str__", "exam", "weight_percent")
    list_filter = ("exam",)
    list_select_related = ("exam",)
    search_fields = ("name",)
    inlines = [ObjectiveInline]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "domain", "exam_code")
    list_filter = ("domain__exam",)
    list_select_related = ("domain__exam",)
    search_fields = ("code", "title")

    @admin.display(description="exam", ordering="domain__exam__code")
    def exam_code(self, obj):
        return obj.domain.exam.code


def _objective_label(objective: Objective) -> str:
    return f"{objective.domain.exam.code} · {objective}"


class ExamScopedFilter(admin.SimpleListFilter):
    """Lists only the domains or objectives of the exam chosen in the exam filter, if any."""

    model = None
    exam_path = ""

    def lookups(self, request, model_admin):
        options = self.model.objects.select_related(self.exam_path)
        exam_id = admin_id(request.GET.get(EXAM_PARAMETER))
        if exam_id is not None:
            options = options.filter(**{f"{self.exam_path}__id": exam_id})
        return [(str(option.pk), self.label(option)) for option in options]

    def queryset(self, request, queryset):
        """A value that cannot be an id ("²", 10**30) filters nothing out, as no filter."""
        pk = admin_id(self.value())
        if pk is not None:
            return queryset.filter(**{f"{self.parameter_name}_id": pk})
        return queryset


class DomainFilter(ExamScopedFilter):
    title = "domain"
    parameter_name = "domain"
    model = Domain
    exam_path = "exam"

    def label(self, domain):
        return f"{domain.exam.code} · {domain}"


class ObjectiveFilter(ExamScopedFilter):
    title = "objective"
    parameter_name = "objective"
    model = Objective
    exam_path = "domain__exam"

    def label(self, objective):
        return _objective_label(objective)


def _figure(value):
    return "-" if value is None else f"{value:.2f}"


class BandFilter(admin.SimpleListFilter):
    """A filter of named bands: ``bands`` gives each value its label and its condition."""

    bands: dict[str, tuple[str, Q]] = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.bands.items()]

    def queryset(self, request, queryset):
        band = self.bands.get(self.value())
        return queryset if band is None else queryset.filter(band[1])


class ItemFlagFilter(BandFilter):
    title = "item analysis"
    parameter_name = "item_analysis"
    bands = {
        "flagged": ("Flagged", Q(stat_flagged=True)),
        "sound": ("Not flagged", Q(stat_flagged=False)),
        "none": ("Not analysed", Q(stat_flagged__isnull=True)),
    }


class FacilityFilter(BandFilter):
    """The share of learners right, banded at the thresholds the item analysis flags at."""

    title = "facility"
    parameter_name = "facility"
    bands = {
        "hard": (f"Below {HARD_BELOW} (hard)", Q(stat_facility__lt=HARD_BELOW)),
        "middle": (
            f"{HARD_BELOW} to {EASY_ABOVE}",
            Q(stat_facility__gte=HARD_BELOW, stat_facility__lte=EASY_ABOVE),
        ),
        "easy": (f"Above {EASY_ABOVE} (too easy)", Q(stat_facility__gt=EASY_ABOVE)),
    }


class DiscriminationFilter(BandFilter):
    """Whether the question separates strong learners from weak ones."""

    title = "discrimination"
    parameter_name = "discrimination"
    bands = {
        "negative": ("Negative", Q(stat_discrimination__lt=0)),
        "weak": (
            f"0 to {DISCRIMINATION_NEAR_ZERO} (near zero)",
            Q(stat_discrimination__gte=0, stat_discrimination__lt=DISCRIMINATION_NEAR_ZERO),
        ),
        "good": (
            f"{DISCRIMINATION_NEAR_ZERO} and above",
            Q(stat_discrimination__gte=DISCRIMINATION_NEAR_ZERO),
        ),
    }


class CorrectCountFilter(admin.SimpleListFilter):
    """Single answer, "choose TWO", ... and the broken case of no correct choice at all."""

    title = "correct choices"
    parameter_name = "correct"

    def lookups(self, request, model_admin):
        return [("0", "None (broken)"), ("1", "One"), ("2", "Two"), ("3", "Three or more")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "0":  # an order or match question marks no option correct, rightly
            return queryset.filter(correct_count=0, kind=Question.Kind.CHOICE)
        if value in {"1", "2"}:
            return queryset.filter(correct_count=int(value))
        if value == "3":
            return queryset.filter(correct_count__gte=3)
        return queryset


class ChoiceForm(forms.ModelForm):
    letter = forms.ChoiceField(choices=[(letter, letter) for letter in LETTERS])

    class Meta:
        model = Choice
        fields = ("letter", "text", "explanation", "is_correct", "position", "value")
        help_texts = {
            "is_correct": "Multiple choice: a correct option.",
            "position": "Order: this item's place in the right order (1 = first).",
            "value": "Match: this row's right value, one of the question's values.",
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2, "cols": 50}),
            "explanation": forms.Textarea(attrs={"rows": 2, "cols": 50}),
        }


class ChoiceFormSet(forms.BaseInlineFormSet):
    """The rules of a question's choices (``questions.rules``), checked together on the form.

    The question's text is the instance's: the admin validates the question form first and
    hands the formset the question as it will be saved, so "(Choose N.)" is checked as edited.
    """

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index >= self.initial_form_count() and index < len(LETTERS):
            # New rows come with the next letter filled in.
            kwargs["initial"] = {"letter": LETTERS[index]}
        return kwargs

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept_forms = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        kept = [form.cleaned_data for form in kept_forms]
        kind = self.instance.kind or Question.Kind.CHOICE
        if kind != Question.Kind.CHOICE:
            problems = _pbq_problems(kind, self.instance.match_values, kept)
            if problems:
                raise ValidationError(problems)
            for form in kept_forms:
                form.instance.value = form.cleaned_data.get("value", "")
            return
        if any(data.get("position") or data.get("value") for data in kept):
            raise ValidationError("Only order items take a position and match rows a value.")
        # Repeated letters were already reported by the unique check in super().clean().
        problems = [
            problem_sentence(problem)
            for problem in choices_check(
                text=getattr(self.instance, "text", ""),
                letters=[data["letter"] for data in kept],
                correct=[data["letter"] for data in kept if data.get("is_correct")],
            )
        ]
        if problems:
            raise ValidationError(problems)


def _pbq_problems(kind: str, values: list[str], kept: list[dict]) -> list[str]:
    """The rules of questions.rules for an order or match question's elements, as sentences;
    a match row's value is set to the list's spelling."""
    problems = []
    count_problem = element_count_problem(kind, len(kept))
    if count_problem:
        problems.append(count_problem[0].upper() + count_problem[1:] + ".")
    if any(data.get("is_correct") for data in kept):
        problems.append("Only multiple-choice options are marked correct; leave it unticked.")
    letters = sorted(data["letter"] for data in kept)
    if letters != list(LETTERS[: len(letters)]):
        problems.append(
            f"Letters must run from A without gaps (A, B, C...); got {', '.join(letters)}."
        )
    if kind == Question.Kind.ORDER:
        if any(data.get("value") for data in kept):
            problems.append("Order items take a position, not a value.")
        places = sorted(data.get("position") or 0 for data in kept)
        if places != list(range(1, len(kept) + 1)):
            problems.append(
                f"Positions must run 1 to {len(kept)}, each once; got "
                + ", ".join(str(place) if place else "none" for place in places)
                + "."
            )
        return problems
    if any(data.get("position") for data in kept):
        problems.append("Match rows take a value, not a position.")
    key, key_problems = match_key_resolve(
        values=values, key=[data.get("value", "") for data in kept], rows=len(kept)
    )
    problems += [f"{problem[0].upper()}{problem[1:]}." for problem in key_problems]
    for data, value in zip(kept, key, strict=True):
        data["value"] = value
    return problems


class ChoiceInline(admin.TabularInline):
    model = Choice
    form = ChoiceForm
    formset = ChoiceFormSet
    max_num = len(LETTERS)
    ordering = ("letter",)

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None and obj.pk else 4


class QuestionForm(forms.ModelForm):
    values = forms.CharField(
        required=False,
        label="Values",
        help_text="Match questions only: the values the rows choose from, separated by |, "
        "such as Allow | Deny (2 to 8).",
    )

    class Meta:
        model = Question
        fields = (
            "exam",
            "objective",
            "external_id",
            "kind",
            "text",
            "exhibit",
            "is_active",
            "difficulty",
            "tags",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "objective" in self.fields:
            field = self.fields["objective"]
            field.queryset = field.queryset.select_related("domain__exam")
            field.label_from_instance = _objective_label
        if "kind" in self.fields:
            self.fields["kind"].required = False  # a form without it edits multiple choice
        if self.instance.pk and "values" in self.fields:
            self.fields["values"].initial = values_join(self.instance.match_values)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned["kind"] = cleaned.get("kind") or Question.Kind.CHOICE
        self.instance.kind = kind
        values = values_split(cleaned.get("values") or "")
        if kind == Question.Kind.MATCH:
            if not values:
                self.add_error("values", "A match question needs its values, such as Allow | Deny.")
            for problem in values_problems(values, max_length=MATCH_VALUE_MAX_LENGTH):
                self.add_error("values", problem[0].upper() + problem[1:] + ".")
        elif values:
            self.add_error("values", "Only a match question takes values; leave it empty.")
        self.instance.match_values = values if kind == Question.Kind.MATCH else []
        text_problem = pbq_text_problem(cleaned.get("text") or "", kind)
        if text_problem:
            self.add_error("text", f"The text {text_problem}.")
        exam, objective = cleaned.get("exam"), cleaned.get("objective")
        if exam and objective and objective.domain.exam_id != exam.pk:
            self.add_error(
                "objective",
                f"Objective {objective.code} belongs to {objective.domain.exam.code}, "
                f"not to {exam.code}.",
            )
        return cleaned


class DeferredJoinPaginator(Paginator):
    """Reads a page in one query whatever the bank's size.

    The page's ids are a subquery (an index scan of the ordering, without joins) and only
    those rows are joined to their exam and objective, so a late page of 100,000 questions
    does not join every row it skips. A page in the back half is read from the end in the
    reverse order (the last page is a short scan, not an ``OFFSET`` of 99,950). A search
    counts at most ``SEARCH_COUNT_CAP`` + 1 matches: a common word matches most of the bank,
    and rechecking every match to say "61,352 results" costs more than the page; the list then
    says "more than 1,000" (``capped``) and pages through the first ones.
    """

    SEARCH_COUNT_CAP = 1000

    def __init__(self, *args, searching: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.searching = searching
        self.capped = False

    @cached_property
    def count(self):
        if not self.searching:
            return super().count
        found = self.object_list.values("pk")[: self.SEARCH_COUNT_CAP + 1].count()
        self.capped = found > self.SEARCH_COUNT_CAP
        return min(found, self.SEARCH_COUNT_CAP)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom > self.count // 2:
            ids = self.object_list.reverse()[self.count - top : self.count - bottom]
        else:
            ids = self.object_list[bottom:top]
        rows = self.object_list.filter(pk__in=ids.values("pk"))
        return self._get_page(rows, number, self)


PREVIEW_CHARS = 90


def text_preview(text: str) -> str:
    """``Truncator(text).chars(PREVIEW_CHARS)``, without its walk over every character when
    the text is ASCII (no combining characters to skip, nothing to normalise): the list shows
    fifty of these a page."""
    if not text.isascii():
        return Truncator(text).chars(PREVIEW_CHARS)
    if len(text) <= PREVIEW_CHARS:
        return text
    return add_truncation_text(text[: calculate_truncate_chars_length(PREVIEW_CHARS, None)])


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    paginator = DeferredJoinPaginator
    # The unique index (exam, question id) serves this order; the model's "exam" ordering
    # would follow Exam's own ordering and sort the whole bank for every page.
    ordering = ("exam_id", "external_id")
    inlines = [ChoiceInline]
    list_display = (
        "external_id",
        "exam_code",
        "objective_code",
        "text_preview",
        "correct_letters",
        "is_active",
        "needs_review",
        "facility",
        "discrimination",
        "updated_at",
    )
    list_display_links = ("external_id", "text_preview")
    list_filter = (
        "exam",
        DomainFilter,
        ObjectiveFilter,
        "is_active",
        CorrectCountFilter,
        "difficulty",
        "needs_review",
        ItemFlagFilter,
        FacilityFilter,
        DiscriminationFilter,
    )
    list_select_related = ("exam", "objective")
    list_per_page = 50
    search_fields = ("external_id", "text")
    search_help_text = "Search the question text or question id."
    actions = ["activate", "retire"]
    readonly_fields = (
        "preview",
        "created_at",
        "updated_at",
        "revision_number",
        "item_statistics",
    )

    class Media:
        css = {"all": ["questions/admin/question_preview.css", "questions/admin/question_form.css"]}

    fieldsets = (
        (
            None,
            {"fields": ("exam", "objective", "external_id", "kind", "text", "exhibit", "values")},
        ),
        ("Status", {"fields": ("is_active", "difficulty", "tags", "needs_review")}),
        ("Preview as a learner sees it", {"fields": ("preview",)}),
        ("Quality", {"fields": ("revision_number", "item_statistics")}),
        ("History", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    # At 100,000 questions a second count of the whole bank costs more than the page: the
    # list says "N results" for a filter and never counts the unfiltered bank again.
    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return self.paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            searching=bool(request.GET.get(SEARCH_VAR, "").strip()),
        )

    def get_queryset(self, request):
        # ``correct_count`` and the current item analysis figures (``stat_*``) are columns
        # kept by the database (questions/counts.py): the list filters and sorts by them
        # without grouping every choice or joining every question's figures.
        queryset = super().get_queryset(request)
        return queryset.prefetch_related(
            Prefetch(
                "choices",
                queryset=Choice.objects.filter(is_correct=True)
                .only("question_id", "letter")
                .order_by(),
                to_attr="correct_choices",
            )
        )

    @admin.display(description="exam", ordering="exam__code")
    def exam_code(self, obj):
        return obj.exam.code

    @admin.display(description="objective", ordering="objective__code")
    def objective_code(self, obj):
        return obj.objective.code

    @admin.display(description="question")
    def text_preview(self, obj):
        return format_html('<span title="{}">{}</span>', obj.text, text_preview(obj.text))

    @admin.display(description="correct", ordering="correct_count")
    def correct_letters(self, obj):
        if obj.kind != Question.Kind.CHOICE:
            return obj.get_kind_display()
        letters = ", ".join(sorted(choice.letter for choice in obj.correct_choices))
        return letters or format_html('<strong class="errornote">{}</strong>', "none")

    @admin.display(description="facility", ordering="stat_facility")
    def facility(self, obj):
        return _figure(obj.stat_facility)

    @admin.display(description="discrimination", ordering="stat_discrimination")
    def discrimination(self, obj):
        return _figure(obj.stat_discrimination)

    @admin.display(description="item analysis and reports")
    def item_statistics(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return render_to_string(
            "questions/admin/question_statistics.html",
            {
                "stats": obj.item_stats.order_by("-revision_number", "mode"),
                "reports": obj.reports.values("status").annotate(n=Count("id")).order_by(),
            },
        )

    @admin.display(description="preview")
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "Save the question to see its preview."
        return render_to_string(
            "questions/admin/question_preview.html",
            {
                "question": obj,
                "choices": obj.choices.order_by("letter"),
                "elements": obj.choices.order_by("position" if obj.kind == "order" else "letter"),
            },
        )

    def save_related(self, request, form, formsets, change):
        """Once the choices are saved too: a new revision if what learners see changed."""
        super().save_related(request, form, formsets, change)
        revision = question_revise(question=form.instance)
        if revision is not None and revision.number > 1:
            self.message_user(
                request,
                f"Saved as revision {revision.number}: attempts and reports made before keep "
                "the revision they saw.",
                messages.INFO,
            )

    @admin.action(description="Activate selected questions", permissions=["change"])
    def activate(self, request, queryset):
        count = self._set_active(queryset, active=True)
        self.message_user(request, f"Activated {count} question(s).", messages.SUCCESS)

    @admin.action(description="Retire selected questions", permissions=["change"])
    def retire(self, request, queryset):
        count = self._set_active(queryset, active=False)
        self.message_user(request, f"Retired {count} question(s).", messages.SUCCESS)

    def _set_active(self, queryset, *, active: bool) -> int:
        return Question.objects.filter(pk__in=queryset.values("pk")).update(
            is_active=active, updated_at=timezone.now()
        )


# The quality queue ---------------------------------------------------------------------------


class ReportCountFilter(admin.SimpleListFilter):
    title = "reports on the question"
    parameter_name = "reports"

    def lookups(self, request, model_admin):
        return [("1", "1"), ("2", "2"), ("3", "3 or more")]

    def queryset(self, request, queryset):
        if self.value() in ("1", "2"):
            return queryset.filter(question_reports=int(self.value()))
        if self.value() == "3":
            return queryset.filter(question_reports__gte=3)
        return queryset


class ResolveForm(forms.Form):
    reply = forms.CharField(
        label="Reply to the learner(s)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on their reports page (and emailed to those who asked).",
    )


REPORT_FIELDS = (
    "question_now",
    "reason",
    "comment",
    "user",
    "revision",
    "attempt_item",
    "selected",
    "created_at",
    "status",
    "staff_reply",
    "handled_at",
    "handled_by",
)
REPORT_EDITABLE = ("status", "staff_reply")


@admin.register(QuestionReport)
class QuestionReportAdmin(admin.ModelAdmin):
    """Staff triage learners' reports: fix or reject with a reply (``report_resolve``)."""

    list_display = (
        "question_ref",
        "exam_code",
        "reason",
        "status",
        "reports_on_question",
        "reported",
        "handler",
    )
    list_filter = ("status", "question__exam", "reason", ReportCountFilter)
    list_select_related = ("question__exam", "handled_by")
    search_fields = ("question__external_id", "comment")
    actions = ["accept", "fix", "reject"]
    fields = REPORT_FIELDS
    # Staff answer a report (its status and reply); what the learner sent stays as sent.
    readonly_fields = tuple(name for name in REPORT_FIELDS if name not in REPORT_EDITABLE)

    def get_queryset(self, request):
        same_question = (
            QuestionReport.objects.filter(question_id=OuterRef("question_id"))
            .order_by()
            .values("question_id")
            .annotate(n=Count("id"))
            .values("n")
        )
        return super().get_queryset(request).annotate(question_reports=Subquery(same_question))

    def has_add_permission(self, request):
        return False

    @admin.display(description="question", ordering="question__external_id")
    def question_ref(self, obj):
        return obj.question.external_id

    @admin.display(description="exam", ordering="question__exam__code")
    def exam_code(self, obj):
        return obj.question.exam.code

    @admin.display(description="reported", ordering="created_at")
    def reported(self, obj):
        """The day, short enough for the queue to fit a 1280-pixel screen; the time on hover."""
        local = timezone.localtime(obj.created_at)
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            local.isoformat(),
            local.strftime("%Y-%m-%d %H:%M"),
            local.strftime("%-d %b %Y"),
        )

    @admin.display(description="handled by", ordering="handled_by__email")
    def handler(self, obj):
        """The staff member's name before the @; the whole address on hover."""
        if obj.handled_by is None:
            return "-"
        email = obj.handled_by.email
        return format_html('<span title="{}">{}</span>', email, email.split("@", 1)[0])

    @admin.display(description="reports", ordering="question_reports")
    def reports_on_question(self, obj):
        return obj.question_reports

    @admin.display(description="the question now")
    def question_now(self, obj):
        question = obj.question
        seen = obj.revision.snapshot if obj.revision else None
        chosen = set(obj.selected or [])
        return render_to_string(
            "questions/admin/report_question.html",
            {
                "question": question,
                "choices": question.choices.order_by("letter"),
                "revision": obj.revision,
                "seen": seen,
                # The revision's choices with the learner's answer marked (their stored ids).
                "seen_choices": [
                    {**choice, "chosen": choice["id"] in chosen}
                    for choice in (seen or {}).get("choices", [])
                ],
                "stats": question.item_stats.order_by("-revision_number", "mode"),
            },
        )

    def save_model(self, request, obj, form, change):
        """Staff change the status or reply: through the service, which tells the learner."""
        if not change or (
            "status" not in form.changed_data and "staff_reply" not in form.changed_data
        ):
            return
        try:
            report_resolve(
                report_id=obj.pk, staff=request.user, status=obj.status, reply=obj.staff_reply
            )
        except ReportRefused as error:
            self.message_user(request, str(error), messages.ERROR)

    def _resolve(self, request, queryset, status, verb):
        form = ResolveForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for pk in queryset.values_list("pk", flat=True):
                _, changed = report_resolve(
                    report_id=pk,
                    staff=request.user,
                    status=status,
                    reply=form.cleaned_data["reply"],
                )
                done += changed
            self.message_user(request, f"{verb} {done} report(s); the learners are told.")
            return None
        return TemplateResponse(
            request,
            "questions/admin/report_resolve.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"{verb} reports with a reply",
                "verb": verb,
                "action": request.POST.get("action"),
                "reports": queryset.select_related("question"),
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Accept selected reports (with a reply)", permissions=["change"])
    def accept(self, request, queryset):
        return self._resolve(request, queryset, QuestionReport.Status.ACCEPTED, "Accepted")

    @admin.action(description="Mark selected reports fixed (with a reply)", permissions=["change"])
    def fix(self, request, queryset):
        return self._resolve(request, queryset, QuestionReport.Status.FIXED, "Fixed")

    @admin.action(description="Reject selected reports (with a reply)", permissions=["change"])
    def reject(self, request, queryset):
        return self._resolve(request, queryset, QuestionReport.Status.REJECTED, "Rejected")


ITEM_ANALYSIS_PER_PAGE = 100


def exam_item_analysis(request, model_admin, exam_id):
    """The admin page of one exam's item analysis: flagged question revisions first, a page
    of ``ITEM_ANALYSIS_PER_PAGE`` rows at a time (``?page=N``; a number out of range shows the
    last page).

    Staff who may view the figures (``view_itemstat``: admins and the "Staff editor" group).
    """
    if not request.user.has_perm("questions.view_itemstat"):
        raise PermissionDenied
    exam = get_object_or_404(Exam, pk=exam_id)
    # The rows keep their question's exam and id: one index of ``ItemStat`` filters, sorts and
    # counts them, without the question table; a late page is read from the end.
    stats = ItemStat.objects.filter(exam=exam).order_by(
        "-flagged", "external_id", "-revision_number", "mode"
    )
    page = DeferredJoinPaginator(stats, ITEM_ANALYSIS_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "questions/admin/item_analysis.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": Exam._meta,
            "title": f"Item analysis: {exam}",
            "exam": exam,
            "page": page,
            "stats": page.object_list,
        },
    )
