import datetime as dt

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError

from plombiers.internships import services as svc
from plombiers.internships.enums import (
    ContractType,
    EvaluationOutcome,
    InternshipKind,
    InternshipStatus,
    Party,
    Rating,
    TutorAttendance,
)
from plombiers.internships.models import ConventionSignature, Internship, TutorEvaluation
from plombiers.skills.enums import Context, Level
from plombiers.skills.models import Observation

NOW = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def create(placement, by, **overrides):
    fields = {
        "enrolment": placement.enrolment,
        "site": placement.site,
        "tutor": placement.tutor,
        "start_date": dt.date(2026, 11, 16),
        "end_date": dt.date(2026, 11, 27),
        "objectives": placement.skills,
    }
    fields.update(overrides)
    return svc.internship_create(by=by, **fields)


def token_of(signature):
    return signing.dumps({"s": signature.pk, "n": signature.nonce}, salt=svc.SIGNING_SALT)


def sign_all(internship):
    for signature in internship.signatures.all():
        svc.convention_sign(token=token_of(signature), name=signature.name, ip="192.0.2.1", user_agent="test")


def test_a_convention_signed_by_the_three_parties_lets_the_internship_start(cast, placement, frozen):
    internship = create(placement, cast.trainer_a)
    assert internship.status == InternshipStatus.DRAFT and set(internship.objectives.all()) == set(
        placement.skills
    )
    with pytest.raises(ValidationError, match="ne peut pas passer"):
        svc.internship_transition(internship=internship, to=InternshipStatus.ONGOING, by=cast.trainer_a)
    svc.internship_transition(internship=internship, to=InternshipStatus.TO_SIGN, by=cast.trainer_a)
    parties = set(internship.signatures.values_list("party", flat=True))
    assert parties == {Party.LEARNER, Party.COMPANY, Party.SCHOOL}
    signatures = list(internship.signatures.order_by("pk"))
    for signature in signatures[:2]:
        svc.convention_sign(
            token=token_of(signature), name="Prénom Nom", ip="192.0.2.1", user_agent="Firefox"
        )
    internship.refresh_from_db()
    assert internship.status == InternshipStatus.TO_SIGN, "not before the last party"
    svc.convention_sign(token=token_of(signatures[2]), name="Karim Boulay", ip="192.0.2.7")
    internship.refresh_from_db()
    assert internship.status == InternshipStatus.SIGNED
    signed = ConventionSignature.objects.get(pk=signatures[2].pk)
    assert (signed.signed_name, signed.ip_address) == (
        "Karim Boulay",
        "192.0.2.7",
    ) and signed.signed_at == NOW
    with pytest.raises(ValidationError, match="commence le 16/11/2026"):
        svc.internship_transition(internship=internship, to=InternshipStatus.ONGOING, by=cast.trainer_a)
    frozen.move_to(dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC))
    svc.internship_transition(internship=internship, to=InternshipStatus.ONGOING, by=cast.trainer_a)
    assert Internship.objects.get().status == InternshipStatus.ONGOING


def test_a_pmsmp_has_a_fourth_party_the_prescriber(cast, placement):
    with pytest.raises(ValidationError, match="structure prescriptrice"):
        create(placement, cast.trainer_a, kind=InternshipKind.PMSMP)
    internship = create(
        placement, cast.trainer_a, kind=InternshipKind.PMSMP, prescriber_organisation=placement.mission_locale
    )
    svc.internship_transition(internship=internship, to=InternshipStatus.TO_SIGN, by=cast.trainer_a)
    assert internship.signatures.get(party=Party.PRESCRIBER).name == "Mission Locale de Chelles"


@pytest.mark.parametrize("case", ["forged", "tampered", "expired", "reused", "withdrawn"])
def test_a_bad_signing_link_is_refused_and_changes_nothing(cast, placement, frozen, case):
    internship = create(placement, cast.trainer_a)
    svc.internship_transition(internship=internship, to=InternshipStatus.TO_SIGN, by=cast.trainer_a)
    signature = internship.signatures.get(party=Party.COMPANY)
    token = token_of(signature)
    messages = {
        "forged": "pas valable",
        "tampered": "pas valable",
        "expired": "expiré",
        "reused": "déjà été signée",
        "withdrawn": "pas valable",  # the links of a convention sent again are new ones
    }
    if case == "forged":
        token = signing.dumps({"s": signature.pk, "n": "0" * 32}, salt=svc.SIGNING_SALT)
    elif case == "tampered":
        token = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    elif case == "expired":
        frozen.shift(dt.timedelta(days=15))
    elif case == "reused":
        svc.convention_sign(token=token, name="Marc Tuteur")
    elif case == "withdrawn":
        svc.internship_transition(internship=internship, to=InternshipStatus.DRAFT, by=cast.trainer_a)
        svc.internship_transition(internship=internship, to=InternshipStatus.TO_SIGN, by=cast.trainer_a)
    before = list(ConventionSignature.objects.values_list("pk", "signed_at", "signed_name"))
    with pytest.raises(ValidationError, match=messages[case]):
        svc.convention_sign(token=token, name="Marc Tuteur")
    assert list(ConventionSignature.objects.values_list("pk", "signed_at", "signed_name")) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_date": dt.date(2026, 9, 1), "end_date": dt.date(2026, 9, 11)}, "pendant la promotion"),
        ({"start_date": dt.date(2027, 1, 11), "end_date": dt.date(2027, 1, 29)}, "pendant la promotion"),
        ({"end_date": dt.date(2026, 11, 13)}, "doit suivre"),
        ({"kind": "pmsmp", "end_date": dt.date(2026, 12, 18)}, "un mois au plus"),
    ],
)
def test_dates_out_of_the_cohort_are_refused(cast, placement, overrides, message):
    if overrides.get("kind") == "pmsmp":
        overrides["prescriber_organisation"] = placement.mission_locale
    with pytest.raises(ValidationError, match=message):
        create(placement, cast.trainer_a, **overrides)
    assert not Internship.objects.exists()


def test_right_after_the_cohort_is_allowed_and_overlaps_are_refused(cast, placement):
    create(placement, cast.trainer_a, start_date=dt.date(2026, 12, 21), end_date=dt.date(2027, 1, 15))
    with pytest.raises(ValidationError, match="chevauchent un autre stage"):
        create(placement, cast.trainer_a, start_date=dt.date(2027, 1, 11), end_date=dt.date(2027, 1, 15))
    assert Internship.objects.count() == 1


def test_an_interrupted_internship_frees_its_dates(cast, placement):
    first = create(placement, cast.trainer_a)
    with pytest.raises(ValidationError, match="motif"):
        svc.internship_transition(internship=first, to=InternshipStatus.INTERRUPTED, by=cast.trainer_a)
    svc.internship_transition(
        internship=first, to=InternshipStatus.INTERRUPTED, by=cast.trainer_a, reason="Entreprise fermée"
    )
    create(placement, cast.trainer_a)
    assert Internship.objects.count() == 2


def test_a_pmsmp_is_renewed_once(cast, placement):
    pmsmp = {"kind": InternshipKind.PMSMP, "prescriber_organisation": placement.mission_locale}
    first = create(
        placement, cast.trainer_a, start_date=dt.date(2026, 10, 5), end_date=dt.date(2026, 10, 30), **pmsmp
    )
    second = create(
        placement,
        cast.trainer_a,
        start_date=dt.date(2026, 11, 2),
        end_date=dt.date(2026, 11, 27),
        renewal_of=first,
        **pmsmp,
    )
    with pytest.raises(ValidationError, match="qu'une fois"):
        create(
            placement,
            cast.trainer_a,
            start_date=dt.date(2026, 11, 30),
            end_date=dt.date(2026, 12, 18),
            renewal_of=second,
            **pmsmp,
        )


def test_the_company_must_be_a_partner_and_the_tutor_one_of_its_people(cast, placement):
    from plombiers.internships.tests.factories import CompanySiteFactory, ContactFactory

    other_site = CompanySiteFactory(company=cast.company_b, commune=cast.school_b.commune)
    with pytest.raises(ValidationError, match="pas partenaire"):
        create(placement, cast.trainer_a, site=other_site, tutor=ContactFactory(organisation=cast.company_b))
    with pytest.raises(ValidationError, match="travailler dans l'entreprise"):
        create(placement, cast.trainer_a, tutor=ContactFactory(organisation=cast.company_b))


def test_only_the_school_team_prepares_internships(cast, placement):
    for user in (cast.trainer_b, cast.social_worker_a, cast.prescriber, cast.learner_a):
        with pytest.raises(PermissionDenied):
            create(placement, user)
    assert not Internship.objects.exists()


def answers(placement, **overrides):
    values = {
        "tutor_name": "Marc Tuteur",
        "attendance": TutorAttendance.REGULAR,
        "soft_skills": dict.fromkeys(
            ["ponctualite", "securite", "equipe", "communication", "autonomie"], Rating.GOOD
        ),
        "outcome": EvaluationOutcome.COMPLETED,
        "wants_to_hire": True,
        "hired_contract": ContractType.CDI,
        "skills": {placement.skills[0].pk: Level.ACQUIRED, placement.skills[1].pk: Level.IN_PROGRESS},
    }
    values.update(overrides)
    return svc.EvaluationAnswers(**values)


def started(cast, placement, frozen):
    internship = create(placement, cast.trainer_a)
    svc.internship_transition(internship=internship, to=InternshipStatus.TO_SIGN, by=cast.trainer_a)
    sign_all(internship)
    frozen.move_to(dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC))
    return svc.internship_transition(internship=internship, to=InternshipStatus.ONGOING, by=cast.trainer_a)


def eval_token(evaluation):
    return signing.dumps({"s": evaluation.pk, "n": evaluation.nonce}, salt=svc.EVALUATION_SALT)


def test_the_tutor_evaluation_becomes_observations_at_work(cast, placement, frozen):
    internship = started(cast, placement, frozen)
    evaluation = svc.evaluation_request(internship=internship, by=cast.trainer_a)
    svc.evaluation_submit(token=eval_token(evaluation), answers=answers(placement), ip="198.51.100.4")
    evaluation.refresh_from_db()
    assert (
        evaluation.submitted_at and evaluation.wants_to_hire and evaluation.hired_contract == ContractType.CDI
    )
    observations = Observation.objects.filter(enrolment=placement.enrolment).order_by("skill_id")
    assert [(o.skill_id, o.level, o.context, o.observer_id) for o in observations] == [
        (placement.skills[0].pk, Level.ACQUIRED, Context.WORKSITE, None),
        (placement.skills[1].pk, Level.IN_PROGRESS, Context.WORKSITE, None),
    ]
    assert "Marc Tuteur" in observations[0].observer_name
    with pytest.raises(ValidationError, match="déjà été envoyée"):
        svc.evaluation_submit(token=eval_token(evaluation), answers=answers(placement))


def test_after_the_evaluation_the_tutor_gets_the_company_survey_once_and_it_counts_for_the_school(
    cast, placement, frozen, mailoutbox, django_capture_on_commit_callbacks
):
    from plombiers.surveys.enums import Audience
    from plombiers.surveys.models import SurveyInvitation
    from plombiers.surveys.results import survey_results

    internship = started(cast, placement, frozen)
    evaluation = svc.evaluation_request(internship=internship, by=cast.trainer_a)
    assert not SurveyInvitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        svc.evaluation_submit(token=eval_token(evaluation), answers=answers(placement))
    invitation = SurveyInvitation.objects.get()
    cohort = placement.enrolment.cohort
    assert (invitation.audience, invitation.cohort, invitation.school) == (
        Audience.TUTOR,
        cohort,
        cohort.school,
    )
    assert (invitation.email, invitation.respondent_name) == ("marc@fibre-a.example", "Marc Tuteur")
    assert [m.to for m in mailoutbox] == [["marc@fibre-a.example"]]  # the signed link, by e-mail
    # Another of his interns evaluated in the same cohort: no second invitation.
    from plombiers.surveys.services import Tutor, tutor_survey_invite

    assert tutor_survey_invite(cohort=cohort, tutor=Tutor("Marc Tuteur", "MARC@fibre-a.example")) is None
    assert SurveyInvitation.objects.count() == 1
    # The school's results count it among the tutors invited.
    (tutors,) = [
        r
        for r in survey_results(SurveyInvitation.objects.filter(school=cohort.school), with_comments=False)
        if r.questionnaire.audience == Audience.TUTOR
    ]
    assert tutors.invited == 1 and tutors.answered == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"attendance": ""}, "attendance"),
        ({"outcome": "bof"}, "outcome"),
        ({"soft_skills": {"ponctualite": Rating.GOOD}}, "soft_securite"),
        ({"wants_to_hire": False}, "hired_contract"),
        ({"skills": {999999: Level.ACQUIRED}}, "skills"),
        ({"tutor_name": " "}, "tutor_name"),
    ],
)
def test_a_bad_evaluation_writes_nothing(cast, placement, frozen, overrides, field):
    internship = started(cast, placement, frozen)
    evaluation = svc.evaluation_request(internship=internship, by=cast.trainer_a)
    with pytest.raises(ValidationError) as raised:
        svc.evaluation_submit(token=eval_token(evaluation), answers=answers(placement, **overrides))
    assert field in raised.value.message_dict
    assert TutorEvaluation.objects.get().submitted_at is None
    assert not Observation.objects.exists()


def test_an_expired_or_forged_evaluation_link_is_refused(cast, placement, frozen):
    internship = started(cast, placement, frozen)
    evaluation = svc.evaluation_request(internship=internship, by=cast.trainer_a)
    with pytest.raises(ValidationError, match="pas valable"):
        svc.evaluation_submit(token=eval_token(evaluation) + "x", answers=answers(placement))
    frozen.shift(dt.timedelta(days=15))
    with pytest.raises(ValidationError, match="expiré"):
        svc.evaluation_submit(token=eval_token(evaluation), answers=answers(placement))
    assert not Observation.objects.exists()


def test_an_offer_s_rome_code_is_checked_by_the_service_too(cast, placement):
    from plombiers.internships.models import Offer

    offer = Offer(
        company=cast.company_a, title="Monteur·se câbleur", rome_code="Z99", commune=cast.school_a.commune
    )
    with pytest.raises(ValidationError, match="code ROME"):
        svc.offer_save(by=cast.manager_a, offer=offer)
    assert not Offer.objects.exists()
    offer.rome_code = "F1605"
    svc.offer_save(by=cast.manager_a, offer=offer)
    assert Offer.objects.get().latitude == cast.school_a.commune.latitude
