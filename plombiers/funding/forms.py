from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from plombiers.forms import Form
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Organisation, School

from .enums import BudgetCategory, GrantPurpose, GrantStatus, InvoiceStatus, OpcoScheme
from .money import to_amount

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AmountField(forms.CharField):
    """An amount typed the French way (« 12 345,67 »), read exactly as a Decimal."""

    def __init__(self, *args, positive=True, **kwargs):
        self.positive = positive
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", "En euros, par exemple 12 500,00.")
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return to_amount(value, label="Le montant", positive=self.positive)
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class GrantForm(Form):
    funder = forms.ModelChoiceField(label="Financeur", queryset=Organisation.objects.none())
    school = forms.ModelChoiceField(
        label="École", queryset=School.objects.none(), required=False, empty_label="Le réseau (pas une école)"
    )
    purpose = forms.ChoiceField(label="Objet", choices=GrantPurpose.choices)
    amount_requested = AmountField(label="Montant sollicité")
    period_start = forms.DateField(label="Début de la période", widget=DATE)
    period_end = forms.DateField(label="Fin de la période", widget=DATE)
    reference = forms.CharField(label="Référence (facultatif)", max_length=100, required=False)
    conditions = forms.CharField(
        label="Conditions (facultatif)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, funders, schools, network_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders
        self.fields["school"].queryset = schools
        if not network_allowed:
            self.fields["school"].required = True
            self.fields["school"].empty_label = None


class GrantEditForm(Form):
    """Corrects a grant: the amount and the period only while it is « sollicitée »."""

    amount_requested = AmountField(label="Montant sollicité")
    period_start = forms.DateField(label="Début de la période", widget=DATE)
    period_end = forms.DateField(label="Fin de la période", widget=DATE)
    reference = forms.CharField(label="Référence (facultatif)", max_length=100, required=False)
    conditions = forms.CharField(
        label="Conditions (facultatif)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, terms_editable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not terms_editable:
            for name in ("amount_requested", "period_start", "period_end"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Ne change plus une fois la décision prise."


class DecisionForm(Form):
    to = forms.ChoiceField(
        label="Décision",
        choices=[
            (GrantStatus.GRANTED, "Accordée"),
            (GrantStatus.REFUSED, "Refusée"),
            (GrantStatus.REQUESTED, "Revenir à « sollicitée »"),
        ],
    )
    amount_granted = AmountField(
        label="Montant accordé", required=False, help_text="Vide : le montant sollicité."
    )
    decided_on = forms.DateField(label="Date de la décision", widget=DATE, required=False)


class PaymentForm(Form):
    amount = AmountField(label="Montant versé")
    paid_on = forms.DateField(label="Reçu le", widget=DATE)
    reference = forms.CharField(label="Référence du virement (facultatif)", max_length=100, required=False)


class ReportForm(Form):
    title = forms.CharField(label="Compte rendu attendu", max_length=150)
    due_on = forms.DateField(label="À remettre le", widget=DATE)


class AgreementForm(Form):
    agreement = forms.FileField(
        label="Convention signée (PDF, 10 Mo au plus)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )


class OpcoFundingForm(Form):
    opco = forms.ModelChoiceField(label="OPCO", queryset=Organisation.objects.none())
    scheme = forms.ChoiceField(label="Dispositif", choices=OpcoScheme.choices)
    hours_agreed = forms.DecimalField(
        label="Heures accordées (tous stagiaires)",
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,
    )
    hourly_rate = AmountField(label="Taux horaire", help_text="En euros par heure, par exemple 12,50.")
    reference = forms.CharField(label="Numéro de dossier (facultatif)", max_length=100, required=False)

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opco"].queryset = Organisation.objects.filter(
            network=network, kind=OrganisationKind.OPCO
        )


class InvoiceForm(Form):
    period_start = forms.DateField(label="Du", widget=DATE)
    period_end = forms.DateField(label="Au", widget=DATE)


class InvoiceTransitionForm(Form):
    to = forms.ChoiceField(
        label="Nouvel état", choices=[c for c in InvoiceStatus.choices if c[0] != InvoiceStatus.TO_ISSUE]
    )
    number = forms.CharField(label="Numéro de facture", max_length=50, required=False)
    on = forms.DateField(label="Date", widget=DATE, required=False)
    reason = forms.CharField(label="Motif du rejet", max_length=2000, required=False)


class BudgetCreateForm(Form):
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100)


class BudgetLinesForm(Form):
    """One planned and one actual amount per category."""

    def __init__(self, *args, budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = sorted(budget.lines.all(), key=lambda line: BudgetCategory.values.index(line.category))
        for line in self.lines:
            self.fields[f"{line.category}-planned"] = AmountField(
                label="Prévu",
                positive=False,
                initial=f"{line.planned}".replace(".", ","),
                help_text="",
            )
            self.fields[f"{line.category}-actual"] = AmountField(
                label="Réalisé",
                positive=False,
                required=False,
                initial="" if line.actual is None else f"{line.actual}".replace(".", ","),
                help_text="",
            )

    def values(self) -> dict:
        return {
            line.category: {
                "planned": self.cleaned_data[f"{line.category}-planned"],
                "actual": self.cleaned_data[f"{line.category}-actual"],
            }
            for line in self.lines
        }

    def rows(self):
        return [
            (line, self[f"{line.category}-planned"], self[f"{line.category}-actual"]) for line in self.lines
        ]


class BudgetImportForm(Form):
    file = forms.FileField(
        label="Fichier CSV (séparateur « ; »)",
        help_text="Colonnes « Poste », « Prévu » (facultative) et « Réalisé » ; UTF-8 ou Windows-1252, comme Excel l'enregistre.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
