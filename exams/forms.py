"""Forms that start an attempt. Choices come from data already loaded (no queries here)."""

from django import forms

from exams.models import Attempt
from exams.services import MAX_LENGTH, PRACTICE_LENGTHS

LENGTH_CHOICES = [(str(n), f"{n} questions") for n in PRACTICE_LENGTHS] + [("custom", "Custom")]


def _objectives(exam):
    objectives = getattr(exam, "objective_list", None)
    if objectives is None:
        objectives = [o for d in exam.domains.all() for o in d.objectives.all()]
    return objectives


class StartForm(forms.Form):
    """Start a practice set, a drill or a simulation of one exam.

    Practice: a length and, optionally, domains and/or objectives. Drill: one domain or one
    objective (``d:<id>`` or ``o:<id>``) and a length. Simulation: nothing to choose.
    """

    length = forms.ChoiceField(
        label="Length", choices=LENGTH_CHOICES, initial="10", widget=forms.RadioSelect
    )
    custom_length = forms.IntegerField(
        label="Custom length",
        min_value=1,
        max_value=MAX_LENGTH,
        required=False,
        help_text=f"1 to {MAX_LENGTH}, used when Custom is chosen.",
    )
    domains = forms.MultipleChoiceField(
        label="Domains", required=False, widget=forms.CheckboxSelectMultiple
    )
    objectives = forms.MultipleChoiceField(
        label="Objectives",
        required=False,
        help_text="Optional. Leave domains and objectives empty for the whole exam.",
    )
    target = forms.ChoiceField(label="Domain or objective")
    full_time = forms.BooleanField(
        label="Take the exam's full time instead",
        required=False,
        help_text="Used when the bank holds fewer questions than the real exam.",
    )

    def __init__(self, *args, exam, mode, **kwargs):
        kwargs.setdefault("auto_id", f"id_{exam.slug}_{mode}_%s")
        super().__init__(*args, **kwargs)
        self.exam = exam
        self.mode = mode
        domains = list(exam.domains.all())
        objectives = _objectives(exam)
        self.fields["domains"].choices = [
            (str(d.pk), f"{d.number}.0 {d.name} ({d.weight_percent}%)") for d in domains
        ]
        self.fields["objectives"].choices = [(str(o.pk), str(o)) for o in objectives]
        self.fields["target"].choices = [
            ("Domains", [(f"d:{d.pk}", f"{d.number}.0 {d.name}") for d in domains]),
            ("Objectives", [(f"o:{o.pk}", str(o)) for o in objectives]),
        ]
        if mode == Attempt.Mode.SIMULATION:
            for name in ("length", "custom_length", "domains", "objectives", "target"):
                del self.fields[name]
        elif mode == Attempt.Mode.DRILL:
            del self.fields["domains"]
            del self.fields["objectives"]
            del self.fields["full_time"]
        else:
            del self.fields["target"]
            del self.fields["full_time"]

    def clean(self):
        data = super().clean()
        if "length" in self.fields:
            if data.get("length") == "custom":
                if not data.get("custom_length"):
                    self.add_error("custom_length", "Enter how many questions you want.")
                else:
                    data["count"] = data["custom_length"]
            elif data.get("length"):
                data["count"] = int(data["length"])
                if data.get("custom_length") and data["custom_length"] != data["count"]:
                    self.add_error(
                        "custom_length",
                        f"Choose “Custom” to use {data['custom_length']} questions, or clear "
                        "this box to use the length chosen above.",
                    )
        data["domain_ids"] = [int(d) for d in data.get("domains") or []]
        data["objective_ids"] = [int(o) for o in data.get("objectives") or []]
        target = data.get("target")
        if target:
            kind, _, pk = target.partition(":")
            (data["domain_ids"] if kind == "d" else data["objective_ids"]).append(int(pk))
        return data


class BookmarkSetForm(forms.Form):
    """A practice set drawn from the learner's bookmarks in one exam."""

    exam = forms.CharField(widget=forms.HiddenInput)
    count = forms.IntegerField(label="Questions", min_value=1, max_value=MAX_LENGTH, initial=10)
