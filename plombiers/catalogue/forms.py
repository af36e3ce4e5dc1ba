from django import forms
from django.core import signing
from django.urls import reverse_lazy
from django.utils import timezone

from plombiers.forms import Form
from plombiers.network.forms import CommuneField
from plombiers.network.models import Region, Trade
from plombiers.referrals.enums import Diploma
from plombiers.referrals.services import check_birth_date

DISTANCES = [(10, "10 km"), (20, "20 km"), (30, "30 km"), (50, "50 km"), (100, "100 km")]
DEFAULT_DISTANCE = 30
#: The salt of the signed time at which the application form was shown (the minimum fill time).
SHOWN_AT_SALT = "plombiers.catalogue.application-shown-at"


def _public_commune_field(**kwargs) -> CommuneField:
    """The commune field with its suggestions from the catalogue's public endpoint."""
    field = CommuneField(**kwargs)
    field.widget.attrs["hx-get"] = reverse_lazy("catalogue:commune_suggestions")
    return field


class CatalogueFilterForm(Form):
    metier = forms.ModelChoiceField(
        label="Métier", queryset=Trade.objects.order_by("name"), to_field_name="slug", required=False,
        empty_label="Tous les métiers",
    )  # fmt: skip
    region = forms.ModelChoiceField(
        label="Région", queryset=Region.objects.order_by("name"), to_field_name="code", required=False,
        empty_label="Toutes les régions",
    )  # fmt: skip
    commune = _public_commune_field(label="Près de la commune", required=False)
    distance = forms.TypedChoiceField(
        label="À moins de", choices=DISTANCES, coerce=int, required=False, empty_value=DEFAULT_DISTANCE
    )
    ecole = forms.SlugField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distance"].initial = DEFAULT_DISTANCE

    def clean(self):
        data = super().clean()
        commune = data.get("commune")
        if commune is not None and (commune.latitude is None or commune.longitude is None):
            self.add_error(
                "commune", "Cette commune n'a pas de coordonnées : choisissez une commune voisine."
            )
        return data


class ApplicationForm(Form):
    """« Je suis intéressé·e » : what a young person says on a phone, in a minute."""

    first_name = forms.CharField(label="Prénom", max_length=100)
    last_name = forms.CharField(label="Nom", max_length=100)
    birth_date = forms.DateField(
        label="Date de naissance", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    phone = forms.CharField(label="Téléphone", max_length=30, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    commune = _public_commune_field(label="Commune où vous habitez")
    highest_diploma = forms.ChoiceField(
        label="Votre diplôme le plus élevé", choices=[("", "Choisir…"), *Diploma.choices]
    )
    expectations = forms.CharField(
        label="Ce que vous attendez de la formation",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Facultatif : votre projet, vos questions, vos disponibilités.",
    )
    contact_consent = forms.BooleanField(
        label="J'accepte que l'école me contacte par téléphone ou par e-mail au sujet de ma candidature.",
        error_messages={
            "required": "Cochez cette case : sans votre accord, l'école ne peut pas vous rappeler."
        },
    )
    # Spam: a field people do not see (bots fill it), and the signed time the form was shown at.
    website = forms.CharField(label="Ne remplissez pas ce champ", required=False)
    shown_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = {
            "first_name": {"autocomplete": "given-name"},
            "last_name": {"autocomplete": "family-name"},
            "birth_date": {"autocomplete": "bday"},
            "phone": {"autocomplete": "tel", "inputmode": "tel"},
            "email": {"autocomplete": "email", "inputmode": "email"},
            "website": {"autocomplete": "off", "tabindex": "-1"},
        }
        for name, values in attrs.items():
            self.fields[name].widget.attrs.update(values)
        # A widget takes its type when it is built, not from attrs added later.
        self.fields["phone"].widget.input_type = "tel"
        self.fields["email"].widget.input_type = "email"
        self.initial["shown_at"] = signing.Signer(salt=SHOWN_AT_SALT).sign(
            str(int(timezone.now().timestamp()))
        )

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if error := check_birth_date(value):
            raise forms.ValidationError(error)
        return value

    def clean(self):
        data = super().clean()
        if not data.get("phone", "").strip() and not data.get("email"):
            self.add_error("phone", "Donnez un téléphone ou un e-mail : l'école vous recontacte ainsi.")
        return data

    def is_spam(self) -> bool:
        """The hidden field was filled: a robot."""
        return bool(self.data.get("website", "").strip())

    def seconds_since_shown(self) -> float | None:
        """How long ago this form was shown (None: the signed time is missing or forged)."""
        try:
            shown = int(signing.Signer(salt=SHOWN_AT_SALT).unsign(self.data.get("shown_at", "")))
        except (signing.BadSignature, ValueError):
            return None
        return timezone.now().timestamp() - shown

    def learner_data(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"].strip(),
            "last_name": data["last_name"].strip(),
            "birth_date": data["birth_date"],
            "phone": data["phone"].strip(),
            "email": data["email"],
            "commune": data["commune"],
            "highest_diploma": data["highest_diploma"],
        }
