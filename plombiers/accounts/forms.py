from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from plombiers.forms import Form

from . import throttle
from .enums import TokenScope


class ThrottledCodeMixin:
    """A second-factor code under the login throttle: a wrong code counts as a failure of the account
    from this address, and a locked pair is refused before the code is checked."""

    def clean_code(self):
        request = context.request
        throttle.check(request, login=self.user.email)
        try:
            return super().clean_code()
        except ValidationError:
            throttle.record_failure(request, login=self.user.email, channel="mfa")
            raise


class MFAAuthenticateForm(ThrottledCodeMixin, AuthenticateForm):
    """allauth's second-factor step of the login."""


class MFAReauthenticateForm(ThrottledCodeMixin, ReauthenticateForm):
    """allauth's confirmation by code before a sensitive change (a new token, turning MFA off)."""


def _day_choices():
    choices = [(d, f"{d} jours") for d in (7, 30, 90, 180, 365) if d <= settings.PLOMBIERS_API_TOKEN_MAX_DAYS]
    if settings.PLOMBIERS_API_TOKEN_DAYS not in dict(choices):
        choices.append((settings.PLOMBIERS_API_TOKEN_DAYS, f"{settings.PLOMBIERS_API_TOKEN_DAYS} jours"))
    return sorted(choices)


class ApiTokenForm(Form):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Pour le reconnaître : le script ou l'outil qui l'utilisera.",
    )
    scope = forms.ChoiceField(
        label="Portée",
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        help_text="Un jeton en lecture seule ne peut rien créer, modifier ni supprimer.",
    )
    days = forms.TypedChoiceField(label="Durée de validité", coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].choices = _day_choices()
        self.fields["days"].initial = settings.PLOMBIERS_API_TOKEN_DAYS
