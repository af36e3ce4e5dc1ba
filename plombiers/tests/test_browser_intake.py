"""The intake done-when of issue 3, end to end in a real browser: a prescriber refers a young
person, the school admits them to a cohort, the prescriber sees the decision (and gets the e-mail).
axe-core reports no violation on any page visited."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.cohorts.tests.factories import CohortFactory
from plombiers.conftest import assert_accessible, login
from plombiers.referrals.enums import ReferralStatus

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


def test_a_prescriber_refers_the_school_admits_into_a_cohort_the_prescriber_sees_it(
    new_page, cast, mailoutbox
):
    start = timezone.localdate() + dt.timedelta(days=21)
    cohort = CohortFactory(
        school=cast.school_a,
        name="Promotion printemps",
        start_date=start,
        end_date=start + dt.timedelta(weeks=15),
    )

    # Thomas, the Mission Locale counsellor, refers Yanis from his phone.
    phone = new_page(**PHONE)
    login(phone, cast.prescriber.email)
    phone.goto("/prescriptions/nouvelle/")
    phone.get_by_label(re.compile("^École")).select_option(label="École A Chelles")
    phone.get_by_label(re.compile("^Prénom")).fill("Yanis")
    phone.get_by_label(re.compile("^Nom")).fill("Belkacem")
    phone.get_by_label(re.compile("^Date de naissance")).fill("2006-05-02")
    phone.get_by_label(re.compile("^Diplôme le plus élevé")).select_option(label="Niveau 3 : CAP, BEP")
    phone.get_by_label("Motivation et situation").fill("CAP électricien, cherche un métier technique.")
    assert_accessible(phone, "e2e-prescription-formulaire")
    phone.get_by_role("button", name="Envoyer la prescription").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Yanis Belkacem")
    assert_accessible(phone, "e2e-prescription-envoyee")

    # Karim, the school manager, admits him from the candidate file on a tablet.
    tablet = new_page(**TABLET)
    login(tablet, cast.manager_a.email)
    tablet.get_by_role("link", name="Prescriptions").click()
    assert_accessible(tablet, "e2e-prescriptions-recues")
    tablet.get_by_role("link", name="Yanis Belkacem").click()
    assert_accessible(tablet, "e2e-fiche-candidat")
    tablet.get_by_role("link", name="Admettre dans une promotion").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Admettre Yanis Belkacem")
    assert_accessible(tablet, "e2e-admission")
    tablet.get_by_label(re.compile("Promotion printemps")).check()
    tablet.get_by_role("button", name="Admettre").click()
    expect(tablet.get_by_role("status")).to_contain_text("Promotion printemps")
    assert_accessible(tablet, "e2e-apres-admission")
    tablet.goto(cohort.get_absolute_url())
    expect(tablet.get_by_role("main")).to_contain_text("Yanis Belkacem")
    assert_accessible(tablet, "e2e-promotion")

    enrolment = Enrolment.objects.select_related("referral").get(cohort=cohort)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.referral.status == ReferralStatus.ADMITTED

    # Thomas sees the decision, in his list and on the referral, and got the e-mail.
    phone.goto("/prescriptions/")
    expect(phone.get_by_role("main")).to_contain_text("Admise")
    assert_accessible(phone, "e2e-prescripteur-liste")
    phone.get_by_role("link", name="Yanis Belkacem").click()
    expect(phone.get_by_role("main")).to_contain_text("Admis·e")
    assert_accessible(phone, "e2e-prescripteur-decision")
    [mail] = mailoutbox
    assert mail.to == [cast.prescriber.email]
    assert "Admise" in mail.body and "Yanis" in mail.body
