from types import SimpleNamespace

from django import forms
from django.utils import timezone

from plombiers.forms import Form
from plombiers.lib.evidence import check_evidence

from .enums import LEVEL_ICONS, Context, Level


def _level_buttons(bound_field) -> list[SimpleNamespace]:
    """The four levels as large radio buttons: the input, its label, and an icon beside the text."""
    return [
        SimpleNamespace(
            tag=radio.tag(),
            id=radio.id_for_label,
            label=radio.choice_label,
            icon=LEVEL_ICONS[Level(radio.data["value"])],
        )
        for radio in bound_field
    ]


class _ObservationFields(Form):
    level = forms.ChoiceField(
        label="Niveau observé",
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le niveau observé."},
    )
    observed_on = forms.DateField(
        label="Date de l'observation",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "La date est obligatoire.", "invalid": "Saisissez une date valide."},
    )
    context = forms.ChoiceField(label="Contexte", choices=Context.choices, initial=Context.PLATFORM)
    comment = forms.CharField(
        label="Commentaire", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_positioning = forms.BooleanField(label="Positionnement d'entrée", required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("observed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["level"].widget.attrs["class"] = "btn-check"

    def level_buttons(self):
        return _level_buttons(self["level"])


class ObservationForm(_ObservationFields):
    """The quick form of one cell of the matrix: one learner, one skill."""

    photo = forms.FileField(
        label="Photo",
        required=False,
        help_text="Prise avec l'appareil photo de la tablette, ou choisie dans la galerie.",
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    document = forms.FileField(
        label="Document PDF ou trace OTDR (.sor)",
        required=False,
        help_text="10 Mo au plus.",
        widget=forms.FileInput(attrs={"accept": ".pdf,.sor,application/pdf"}),
    )

    field_order = ["level", "observed_on", "context", "comment", "photo", "document", "is_positioning"]

    def _clean_file(self, name):
        upload = self.cleaned_data.get(name)
        if upload:
            # The service checks again: here the error lands beside the right field.
            check_evidence(upload)
        return upload

    def clean_photo(self):
        return self._clean_file("photo")

    def clean_document(self):
        return self._clean_file("document")

    def files_to_store(self) -> list:
        return [f for f in (self.cleaned_data.get("photo"), self.cleaned_data.get("document")) if f]


class GroupObservationForm(_ObservationFields):
    """One exercise for several learners at once."""

    skill = forms.ModelChoiceField(
        label="Compétence travaillée",
        queryset=None,
        empty_label="Choisir une compétence…",
        error_messages={"required": "Choisissez la compétence.", "invalid_choice": "Compétence inconnue."},
    )
    enrolments = forms.ModelMultipleChoiceField(
        label="Jeunes observé·es",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choisissez au moins un ou une jeune.",
            "invalid_choice": "Ce ou cette jeune n'est pas dans la promotion.",
        },
    )

    field_order = ["skill", "level", "enrolments", "observed_on", "context", "comment", "is_positioning"]

    def __init__(self, *args, skills, enrolments, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("enrolments", [e.pk for e in enrolments])
        super().__init__(*args, **kwargs)
        skill_field = self.fields["skill"]
        skill_field.queryset = skills
        skill_field.label_from_instance = lambda s: (
            f"{s.code} — {s.title}" + (" (geste de sécurité)" if s.safety_critical else "")
        )
        enrolment_field = self.fields["enrolments"]
        enrolment_field.queryset = enrolments
        enrolment_field.label_from_instance = lambda e: str(e.learner)
        enrolment_field.widget.attrs["class"] = "form-check-input"
