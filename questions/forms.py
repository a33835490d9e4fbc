"""The learner's "Report a problem" form."""

from django import forms

from questions.models import QuestionReport

# An id larger than any database integer is refused by the form, never by the database.
ID_MAX = 2**31 - 1


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong?", choices=QuestionReport.Reason.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Anything staff should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    # The attempt item the learner met the question in (feedback card, review).
    item = forms.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, widget=forms.HiddenInput
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


def report_form(*, question_id: int, data=None, item_id=None, next_url: str = "") -> ReportForm:
    """The form of one question's report control: ids unique per question on a page."""
    return ReportForm(
        data,
        initial={"item": item_id, "next": next_url},
        auto_id=f"report-{question_id}-%s",
    )
