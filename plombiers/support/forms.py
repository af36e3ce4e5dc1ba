"""The forms of the support pages: they check the shape; the services check the rules."""

from django import forms

from plombiers.forms import Form

from .enums import ActionStatus, BarrierLevel, ConsentScope, EntryKind, Visibility

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BarrierForm(Form):
    category = forms.CharField(widget=forms.HiddenInput, max_length=30)
    level = forms.ChoiceField(label="Niveau", choices=BarrierLevel.choices)
    summary = forms.CharField(
        label="Résumé",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Quelques mots, sans détail médical inutile.",
    )


class ActionForm(Form):
    barrier = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    description = forms.CharField(label="Action", max_length=250)
    partner = forms.TypedChoiceField(label="Service partenaire", required=False, coerce=int, empty_value=None)
    due_on = forms.DateField(label="Échéance", widget=DATE)

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "Aucun service partenaire")] + [
            (found.service.organisation_id, _service_label(found)) for found in services
        ]


def _service_label(found) -> str:
    name = found.service.organisation.name
    if found.distance_km is None:
        return f"{name} (distance inconnue)"
    return f"{name} — à {found.distance_km:.1f} km".replace(".", ",")


class ActionUpdateForm(Form):
    status = forms.ChoiceField(label="Statut", choices=ActionStatus.choices)
    outcome = forms.CharField(
        label="Résultat", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class JournalForm(Form):
    kind = forms.ChoiceField(label="Type", choices=EntryKind.choices)
    occurred_on = forms.DateField(label="Date", widget=DATE)
    text = forms.CharField(
        label="Texte",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "La note est vide : écrivez son texte."},
    )
    visibility = forms.ChoiceField(label="Visibilité", choices=Visibility.choices, initial=Visibility.TEAM)

    def __init__(self, *args, confidential_allowed=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not confidential_allowed:
            self.fields["visibility"].choices = [(Visibility.TEAM, Visibility.TEAM.label)]


class ConsentForm(Form):
    scope = forms.ChoiceField(label="Objet", choices=ConsentScope.choices)
    given = forms.TypedChoiceField(
        label="Réponse du ou de la jeune",
        choices=[("oui", "Accord donné"), ("non", "Refus")],
        coerce=lambda value: value == "oui",
    )
    given_on = forms.DateField(label="Date", widget=DATE)


class AuditFilterForm(Form):
    action = forms.ChoiceField(label="Action", required=False)

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Toutes les actions"), *actions]
