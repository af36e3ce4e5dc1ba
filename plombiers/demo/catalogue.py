"""The public catalogue in the demo: the upcoming cohorts are the planned ones that `intake` builds
(one per school); two young people applied to Chelles' next cohort from the catalogue
(« candidature directe »), one last week, one yesterday, through the same service as the form."""

import datetime as dt

from django.utils import timezone
from faker import Faker

from plombiers.catalogue.selectors import catalogue_cohorts
from plombiers.catalogue.services import self_referral_create
from plombiers.referrals.enums import Diploma, ReferralSource
from plombiers.referrals.models import Referral, ReferralEvent

from .network import DemoNetwork

APPLICATIONS = [
    (
        6,
        Diploma.NONE,
        "Apprendre un métier concret, travailler avec mes mains ; je suis disponible tout de suite.",
    ),
    (1, Diploma.LEVEL_3, "J'ai un CAP vente mais je veux changer de voie. Est-ce qu'il y a des stages ?"),
]


class CatalogueBuilder:
    def __init__(self, seed: int = 2017):
        self.seed = seed
        self.fake = Faker("fr_FR")

    def build(self, demo: DemoNetwork) -> list[Referral]:
        """Once: a second run finds the applications and changes nothing."""
        chelles = demo.schools["chelles"]
        if Referral.objects.filter(school=chelles, source=ReferralSource.SELF_REFERRAL).exists():
            return []
        cohort = catalogue_cohorts().filter(school=chelles).first()
        if cohort is None:
            return []
        self.fake.seed_instance(f"{self.seed}:catalogue")
        now, made = timezone.now(), []
        for days_ago, diploma, expectations in APPLICATIONS:
            at = now - dt.timedelta(days=days_ago)
            born = timezone.localdate() - dt.timedelta(days=365 * 18 + self.fake.random_int(30, 2000))
            referral = self_referral_create(
                cohort=cohort,
                learner_data={
                    "first_name": self.fake.first_name(),
                    "last_name": self.fake.last_name(),
                    "birth_date": born,
                    "phone": self.fake.phone_number(),
                    "commune": chelles.commune,
                    "highest_diploma": diploma,
                },
                expectations=expectations,
                contact_consent=True,
            )
            if referral is None:
                continue
            Referral.objects.filter(pk=referral.pk).update(
                referred_on=at.date(), status_changed_at=at, contact_consent_at=at, created_at=at
            )
            ReferralEvent.objects.filter(referral=referral).update(at=at)
            made.append(referral)
        return made
