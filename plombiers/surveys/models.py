from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.models import school_staff_q, scoped
from plombiers.privacy.crypto import EncryptedTextField

from .enums import Audience

TOKEN_SALT = "plombiers.surveys.invitation"  # noqa: S105 — a namespace for the signer, not a secret


class SurveyInvitationQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team and the network staff: who follows the answers of a cohort."""
        return self.filter(school_staff_q(user))

    def answered(self):
        return self.filter(answered_at__isnull=False)

    def for_token(self, token: str):
        """The invitation a signed link names; none when the link was forged or tampered with."""
        try:
            value = signing.Signer(salt=TOKEN_SALT).unsign(token)
            pk, nonce = value.split(".", 1)
            pk = int(pk)
        except (signing.BadSignature, ValueError):
            return self.none()
        return self.filter(pk=pk, nonce=nonce)

    def with_list_related_data(self):
        return self.select_related("enrolment__learner", "organisation")


class SurveyInvitation(models.Model):
    """One person asked to answer one questionnaire about one cohort, through a signed link.

    The link carries the invitation's id and a random nonce, signed with the secret key: it can
    be shown again (QR code on the last day) without storing it, and nobody can forge one.
    """

    school = models.ForeignKey(
        "network.School", on_delete=models.PROTECT, related_name="survey_invitations", verbose_name="école"
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        on_delete=models.PROTECT,
        related_name="survey_invitations",
        verbose_name="promotion",
    )
    audience = models.CharField("public", max_length=10, choices=Audience.choices)
    questionnaire_version = models.PositiveSmallIntegerField("version du questionnaire")
    enrolment = models.ForeignKey(
        "cohorts.Enrolment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_invitations",
        verbose_name="inscription",
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_invitations",
        verbose_name="financeur",
    )
    # The only name the answer page shows: a first name, or the organisation's name.
    addressee = models.CharField("appellation", max_length=200)
    # A tutor has no account: their name and e-mail are all we keep.
    respondent_name = models.CharField("nom", max_length=200, blank=True)
    email = models.EmailField("e-mail", blank=True)
    nonce = models.CharField(max_length=16)
    created_at = models.DateTimeField("invité·e le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField("lien valable jusqu'au")
    sent_at = models.DateTimeField("e-mail envoyé le", null=True, blank=True)
    answered_at = models.DateTimeField("répondu le", null=True, blank=True)

    objects = SurveyInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation à une enquête"
        verbose_name_plural = "invitations aux enquêtes"
        ordering = ["cohort", "audience", "addressee", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "enrolment"],
                condition=Q(enrolment__isnull=False),
                name="survey_once_per_enrolment",
            ),
            models.UniqueConstraint(
                fields=["cohort", "organisation"],
                condition=Q(organisation__isnull=False),
                name="survey_once_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["cohort", "email"], condition=Q(audience=Audience.TUTOR), name="survey_once_per_tutor"
            ),
            models.CheckConstraint(
                name="survey_respondent_matches_audience",
                condition=(
                    Q(audience=Audience.LEARNER, enrolment__isnull=False, organisation__isnull=True)
                    | Q(audience=Audience.FUNDER, organisation__isnull=False, enrolment__isnull=True)
                    | (
                        Q(audience=Audience.TUTOR, organisation__isnull=True, enrolment__isnull=True)
                        & ~Q(respondent_name="")
                        & ~Q(email="")
                    )
                ),
            ),
            models.CheckConstraint(
                name="survey_expires_after_creation", condition=Q(expires_at__gt=models.F("created_at"))
            ),
        ]
        indexes = [
            models.Index(fields=["school", "audience", "answered_at"]),
            models.Index(fields=["cohort", "audience"]),
        ]

    def __str__(self):
        return f"{self.get_audience_display()} — {self.addressee} ({self.cohort_id})"

    @property
    def token(self) -> str:
        return signing.Signer(salt=TOKEN_SALT).sign(f"{self.pk}.{self.nonce}")

    def get_answer_url(self) -> str:
        return reverse("surveys:answer", args=[self.token])

    def get_absolute_answer_url(self) -> str:
        return settings.SITE_URL + self.get_answer_url()

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    @property
    def display_name(self) -> str:
        """For the school team's list: the learner, the tutor or the organisation."""
        if self.enrolment_id:
            return str(self.enrolment.learner)
        if self.organisation_id:
            return self.organisation.name
        return self.respondent_name


class SurveyAnswer(models.Model):
    """The answer to one question: a value of the scale (1–4) or yes (1) / no (0), or a text."""

    invitation = models.ForeignKey(SurveyInvitation, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField("question", max_length=40)
    value = models.PositiveSmallIntegerField("réponse", null=True, blank=True)
    text = EncryptedTextField("réponse libre", blank=True)

    class Meta:
        verbose_name = "réponse"
        ordering = ["invitation", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "question"], name="survey_answer_once_per_question"
            ),
            models.CheckConstraint(
                name="survey_answer_value_or_text",
                condition=(
                    Q(value__isnull=False, value__lte=4, text="") | (Q(value__isnull=True) & ~Q(text=""))
                ),
            ),
        ]
        indexes = [models.Index(fields=["question", "value"])]

    def __str__(self):
        return f"{self.question} = {self.value if self.value is not None else self.text[:30]}"
