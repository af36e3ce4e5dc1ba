"""Forms of offers, applications and partner companies' sites and tutors."""

from collections import defaultdict
from types import SimpleNamespace

from django import forms

from plombiers.cohorts.models import Cohort
from plombiers.forms import Form, ModelForm
from plombiers.frameworks.loader import ROME_CODE
from plombiers.frameworks.models import Skill
from plombiers.lib.text import de
from plombiers.network.forms import CommuneField
from plombiers.network.models import Contact, Organisation

from ..companies import offer_skills
from ..enums import ApplicationStatus, ContractType, OfferKind, OfferStatus
from ..models import CompanySite, Offer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CompanySiteForm(ModelForm):
    commune = CommuneField(label="Commune")

    class Meta:
        model = CompanySite
        fields = ["name", "commune", "address"]


class TutorForm(ModelForm):
    class Meta:
        model = Contact
        fields = ["full_name", "job_title", "email", "phone"]
        labels = {"full_name": "Prénom et nom"}


class SkillsByBlockField(forms.ModelMultipleChoiceField):
    """Skills as checkboxes, grouped by framework block."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, skill):
        return f"{skill.code} — {skill.title}"

    def grouped(self, queryset):
        groups = defaultdict(list)
        for skill in queryset:
            groups[f"{skill.framework.trade.name} · {skill.block.title}"].append(
                (skill.pk, self.label_from_instance(skill))
            )
        return list(groups.items())


class OfferForm(ModelForm):
    commune = CommuneField(label="Commune du poste")
    rome_code = forms.CharField(
        label="Code ROME",
        required=False,
        max_length=5,
        help_text="Une lettre de A à N et quatre chiffres, par exemple F1605.",
    )
    required_skills = SkillsByBlockField(
        label="Compétences demandées", queryset=Skill.objects.none(), required=False
    )

    class Meta:
        model = Offer
        fields = [
            "company",
            "site",
            "title",
            "kind",
            "rome_code",
            "contract",
            "contract_months",
            "commune",
            "start_date",
            "required_skills",
            "driving_licence_required",
            "description",
        ]
        widgets = {"start_date": DATE, "description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"contract_months": "Obligatoire pour un CDD."}

    def __init__(self, *args, companies, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies.order_by("name")
        self.fields["company"].empty_label = "Choisir une entreprise"
        self.fields["site"].queryset = sites.select_related("company").order_by("company__name", "name")
        self.fields["site"].empty_label = "Aucun site en particulier"
        self.fields["site"].label_from_instance = lambda site: f"{site.company.name} — {site.name}"
        self.fields["contract"].choices = [("", "Non précisé"), *ContractType.choices]
        skills = offer_skills(companies.values("pk"))
        if self.instance.pk:
            skills = skills | Skill.objects.filter(pk__in=self.instance.required_skills.values("pk"))
        skills = skills.select_related("framework__trade", "block").order_by(
            "framework__trade__name", "block__position", "position", "pk"
        )
        field = self.fields["required_skills"]
        field.queryset = skills
        field.choices = field.grouped(skills)

    def skill_groups(self):
        """[(group, checkboxes)] by block; a group says how many of its skills are checked."""
        by_value = {str(choice.data["value"]): choice for choice in self["required_skills"]}
        groups = []
        for label, options in self.fields["required_skills"].choices:
            choices = [by_value[str(pk)] for pk, _label in options]
            checked = sum(1 for choice in choices if choice.data["selected"])
            groups.append((SimpleNamespace(label=label, checked=checked), choices))
        return groups

    def clean_rome_code(self):
        code = (self.cleaned_data.get("rome_code") or "").strip().upper()
        if code and not ROME_CODE.match(code):
            raise forms.ValidationError(
                "Le code ROME s'écrit avec une lettre de A à N suivie de quatre chiffres (par exemple F1605)."
            )
        return code

    def clean(self):
        data = super().clean()
        company, site = data.get("company"), data.get("site")
        if company and site and site.company_id != company.pk:
            self.add_error("site", f"Ce site n'est pas un site {de(company.name)}.")
        contract = data.get("contract")
        if contract == ContractType.CDD and not data.get("contract_months"):
            self.add_error("contract_months", "Un CDD a une durée : indiquez-la en mois.")
        if contract != ContractType.CDD and contract not in (
            ContractType.APPRENTICESHIP,
            ContractType.PROFESSIONALISATION,
        ):
            data["contract_months"] = None
        if company and data.get("required_skills"):
            allowed = set(offer_skills([company.pk]).values_list("pk", flat=True))
            allowed |= (
                set(self.instance.required_skills.values_list("pk", flat=True)) if self.instance.pk else set()
            )
            if any(skill.pk not in allowed for skill in data["required_skills"]):
                self.add_error(
                    "required_skills",
                    "Les compétences demandées viennent des référentiels des écoles partenaires de l'entreprise.",
                )
        return data


class OfferStatusForm(Form):
    status = forms.ChoiceField(label="Statut", choices=OfferStatus.choices)


class OfferFilterForm(Form):
    kind = forms.ChoiceField(label="Type", choices=[("", "Tous"), *OfferKind.choices], required=False)
    contract = forms.ChoiceField(
        label="Contrat", choices=[("", "Tous"), *ContractType.choices], required=False
    )
    status = forms.ChoiceField(
        label="Statut", choices=[("", "Tous"), *OfferStatus.choices], required=False, initial=OfferStatus.OPEN
    )
    company = forms.ModelChoiceField(
        label="Entreprise", queryset=Organisation.objects.none(), required=False, empty_label="Toutes"
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies.order_by("name")

    def filter(self, offers):
        if not self.is_bound:
            return offers
        if not self.is_valid():
            return offers.none()
        data = self.cleaned_data
        for name in ("kind", "contract", "status", "company"):
            if data[name]:
                offers = offers.filter(**{name: data[name]})
        return offers


class ApplicationCreateForm(Form):
    enrolment = forms.ModelChoiceField(
        label="Jeune à proposer", queryset=None, empty_label="Choisir un ou une jeune"
    )
    note = forms.CharField(
        label="Note de l'équipe",
        help_text="Jamais montrée au ou à la jeune ni au prescripteur.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    shared_note = forms.CharField(
        label="Message au ou à la jeune",
        help_text="Lu par le ou la jeune et son prescripteur.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["enrolment"]
        field.queryset = enrolments
        field.label_from_instance = lambda e: (
            f"{e.learner.first_name} {e.learner.last_name} ({e.cohort.name})"
        )


class ApplicationTransitionForm(Form):
    """One of the moves of an application; a hire has its date."""

    status = forms.ChoiceField(
        label="Nouveau statut",
        choices=[(s, ApplicationStatus(s).label) for s in ApplicationStatus.values if s != "propose"],
    )
    hired_on = forms.DateField(label="Date d'embauche", required=False, widget=DATE)
    note = forms.CharField(
        label="Note de l'équipe",
        help_text="Jamais montrée au ou à la jeune ni au prescripteur.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    shared_note = forms.CharField(
        label="Message au ou à la jeune",
        help_text="Lu par le ou la jeune et son prescripteur.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == ApplicationStatus.HIRED and not data.get("hired_on"):
            self.add_error("hired_on", "Indiquez la date d'embauche.")
        if data.get("status") == ApplicationStatus.NOT_HIRED and not (data.get("note") or "").strip():
            self.add_error("note", "Indiquez pourquoi la candidature n'est pas retenue.")
        return data


class ApplicationFilterForm(Form):
    status = forms.ChoiceField(
        label="Statut", choices=[("", "Tous"), *ApplicationStatus.choices], required=False
    )
    offer = forms.ModelChoiceField(
        label="Offre", queryset=Offer.objects.none(), required=False, empty_label="Toutes"
    )
    cohort = forms.ModelChoiceField(
        label="Promotion", queryset=Cohort.objects.none(), required=False, empty_label="Toutes"
    )

    def __init__(self, *args, offers, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers
        self.fields["offer"].label_from_instance = lambda o: f"{o.title} — {o.company.name}"
        self.fields["cohort"].queryset = cohorts

    def filter(self, applications):
        if not self.is_bound:
            return applications
        if not self.is_valid():
            return applications.none()
        data = self.cleaned_data
        if data["status"]:
            applications = applications.filter(status=data["status"])
        if data["offer"]:
            applications = applications.filter(offer=data["offer"])
        if data["cohort"]:
            applications = applications.filter(enrolment__cohort=data["cohort"])
        return applications
