"""The smart practice builder's form. Choices come from data already loaded (no queries)."""

from django import forms

from exams.forms import objectives_of
from exams.services import MAX_LENGTH
from study.selectors import POOLS, PoolChoice


class SmartSetForm(forms.Form):
    """Pool × domains / objectives × length × timed × feedback now or at the end."""

    pool = forms.ChoiceField(
        label="Questions from", choices=list(POOLS.items()), initial="all", widget=forms.RadioSelect
    )
    last_attempts = forms.IntegerField(
        label="Look at my last … attempts",
        min_value=1,
        max_value=50,
        initial=5,
        required=False,
        help_text="For missed, flagged and low-confidence questions.",
    )
    weakest = forms.IntegerField(
        label="How many weakest objectives",
        min_value=1,
        max_value=10,
        initial=3,
        required=False,
    )
    domains = forms.MultipleChoiceField(
        label="Domains", required=False, widget=forms.CheckboxSelectMultiple
    )
    objectives = forms.MultipleChoiceField(
        label="Objectives", required=False, help_text="Optional. None chosen means all."
    )
    count = forms.IntegerField(label="Questions", min_value=1, max_value=MAX_LENGTH, initial=20)
    timed = forms.BooleanField(
        label="Timed (the exam's time per question)", required=False, initial=False
    )
    feedback = forms.ChoiceField(
        label="Show answers",
        choices=[("now", "After each question"), ("end", "At the end")],
        initial="now",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, exam, **kwargs):
        kwargs.setdefault("auto_id", "id_build_%s")
        super().__init__(*args, **kwargs)
        self.exam = exam
        self.fields["domains"].choices = [
            (str(d.pk), f"{d.number}.0 {d.name}") for d in exam.domains.all()
        ]
        self.fields["objectives"].choices = [(str(o.pk), str(o)) for o in objectives_of(exam)]

    def clean(self):
        data = super().clean()
        data["choice"] = PoolChoice(
            pool=data.get("pool") or "all",
            last_attempts=data.get("last_attempts") or 5,
            weakest=data.get("weakest") or 3,
        )
        data["domain_ids"] = [int(d) for d in data.get("domains") or []]
        data["objective_ids"] = [int(o) for o in data.get("objectives") or []]
        return data
