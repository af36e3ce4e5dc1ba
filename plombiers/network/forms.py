import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from plombiers.forms import Form, ModelForm
from plombiers.lib.text import fold

from .enums import OrganisationKind, SchoolStatus
from .models import Commune, Organisation, Region, School, Trade

_LABEL_CODE = re.compile(r"—\s*([0-9][0-9AB][0-9]{3})\s*$", re.IGNORECASE)
_CODE = re.compile(r"[0-9][0-9AB][0-9]{3}", re.IGNORECASE)


class CommuneField(forms.Field):
    """A commune typed by name, postal code or INSEE code, with suggestions from the server.

    The suggestion list fills `<datalist>` options whose value is `Commune.label`;
    any unambiguous text (an INSEE code, a postal code of one commune, an exact
    name) is accepted too.
    """

    widget = forms.TextInput

    default_error_messages = {
        "unknown": "Commune inconnue : choisissez une commune dans la liste des suggestions.",
        "ambiguous": "Plusieurs communes correspondent : choisissez-en une dans la liste des suggestions.",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "list": "commune-suggestions",
                "autocomplete": "off",
                "hx-get": "/communes/suggestions",
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#commune-suggestions",
                "hx-swap": "innerHTML",
                "name": "commune",
                "placeholder": "Nom, code postal ou code INSEE",
            }
        )

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return value.label
        if isinstance(value, int):
            commune = Commune.objects.filter(pk=value).first()
            return commune.label if commune else ""
        return value

    def has_changed(self, initial, data):
        initial_pk = initial.pk if isinstance(initial, Commune) else initial
        try:
            commune = self.to_python(data)
        except ValidationError:
            return True
        return (commune.pk if commune else None) != initial_pk

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        communes = Commune.objects.ranked()
        if match := _LABEL_CODE.search(value):
            candidates = communes.filter(insee_code=match.group(1).upper())
        elif _CODE.fullmatch(value):
            candidates = communes.filter(insee_code=value.upper()) or communes.filter(
                postal_codes__contains=value
            )
        else:
            candidates = communes.filter(search_name=fold(value))
        candidates = list(candidates[:10])
        primary = [c for c in candidates if c.kind == Commune.Kind.COMMUNE] or candidates
        if len(primary) == 1:
            return primary[0]
        if not primary:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        raise ValidationError(self.error_messages["ambiguous"], code="ambiguous")


class SchoolForm(ModelForm):
    commune = CommuneField(label="Commune")

    class Meta:
        model = School
        fields = [
            "name",
            "trade",
            "status",
            "opened_on",
            "commune",
            "address",
            "default_cohort_capacity",
            "project_holder",
            "platform_description",
            "email",
            "phone",
        ]
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "platform_description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "default_cohort_capacity": "8 pour la fibre optique, 12 pour le data center en général.",
        }

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network
        self.fields["project_holder"].queryset = Organisation.objects.filter(
            network=network, kind=OrganisationKind.PROJECT_HOLDER
        )
        if not self.instance.pk:
            self.fields["default_cohort_capacity"].required = False

    def clean(self):
        data = super().clean()
        if data.get("status") == SchoolStatus.OPEN and not data.get("opened_on"):
            self.add_error("opened_on", "Une école ouverte a une date d'ouverture.")
        if not data.get("default_cohort_capacity") and data.get("trade"):
            data["default_cohort_capacity"] = data["trade"].default_cohort_capacity
        return data

    def unique_slug(self) -> str:
        base = slugify(self.cleaned_data["name"])[:40] or "ecole"
        slug, n = base, 1
        while School.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug


class OrganisationForm(ModelForm):
    commune = CommuneField(label="Commune", required=False)
    website = forms.URLField(label="Site web", required=False, assume_scheme="https")
    siret = forms.CharField(
        label="SIRET", required=False, max_length=20, help_text="14 chiffres (facultatif)."
    )

    class Meta:
        model = Organisation
        fields = [
            "kind",
            "category",
            "name",
            "siret",
            "nda",
            "commune",
            "address",
            "website",
            "email",
            "phone",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean_siret(self):
        return "".join((self.cleaned_data.get("siret") or "").split())


class SchoolFilterForm(Form):
    q = forms.CharField(label="Recherche", required=False)
    trade = forms.ModelChoiceField(
        label="Métier", queryset=Trade.objects.all(), required=False, empty_label="Tous"
    )
    region = forms.ModelChoiceField(
        label="Région", queryset=Region.objects.all(), required=False, empty_label="Toutes"
    )
    status = forms.ChoiceField(label="Statut", choices=[("", "Tous"), *SchoolStatus.choices], required=False)

    def filter(self, schools):
        if not self.is_valid():
            return schools
        data = self.cleaned_data
        if data["q"]:
            schools = schools.filter(name__icontains=data["q"])
        if data["trade"]:
            schools = schools.filter(trade=data["trade"])
        if data["region"]:
            schools = schools.filter(commune__departement__region=data["region"])
        if data["status"]:
            schools = schools.filter(status=data["status"])
        return schools


class OrganisationFilterForm(Form):
    q = forms.CharField(label="Recherche", required=False)
    kind = forms.ChoiceField(label="Type", choices=[("", "Tous"), *OrganisationKind.choices], required=False)

    def filter(self, organisations):
        if not self.is_valid():
            return organisations
        if q := self.cleaned_data["q"]:
            organisations = organisations.filter(name__icontains=q)
        if kind := self.cleaned_data["kind"]:
            organisations = organisations.filter(kind=kind)
        return organisations
