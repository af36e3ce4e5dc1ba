from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from plombiers.accounts.enums import Role
from plombiers.forms import Form
from plombiers.network.models import School

from .enums import INVITABLE_ROLES


class InvitationForm(Form):
    email = forms.EmailField(label="Adresse e-mail")
    role = forms.ChoiceField(label="Rôle")
    school = forms.ModelChoiceField(
        label="École",
        queryset=School.objects.none(),
        required=False,
        empty_label="— (tête de réseau)",
        help_text="Obligatoire, sauf pour une personne de la tête de réseau.",
    )

    def __init__(self, *args, schools, roles=INVITABLE_ROLES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        labels = dict(Role.choices)
        self.fields["role"].choices = [(role.value, labels[role]) for role in roles]

    def clean(self):
        data = super().clean()
        if data.get("role") and data["role"] != Role.NETWORK_STAFF and not data.get("school"):
            self.add_error("school", "Choisissez l'école de la personne invitée.")
        return data


class AcceptForm(Form):
    """The invited person's account: their name and their password (Django's validators)."""

    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif one:
            try:
                password_validation.validate_password(one, self.user)
            except ValidationError as error:
                self.add_error("password1", error)
        return data
