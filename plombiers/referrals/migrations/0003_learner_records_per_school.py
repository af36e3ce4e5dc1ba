"""Each school keeps its own record of a young person (issue 16, finding 1).

Until now one Learner row was shared by every school that met the person: a prescriber who
referred a known person, or a second school that admitted them, read what the first school had
collected. The row now belongs to one school. Existing rows are given the school of their
earliest referral or enrolment; a row used by several schools is split, one copy per school, and
each school's referrals, enrolments, journal entries, barriers and consents move to its copy
(barriers and consents by the school of the person who wrote them, else they stay with the first
school). The copies keep the same `identity_key`, the link between records of one person.
"""

from django.db import migrations


def split_records(apps, schema_editor):
    Learner = apps.get_model("referrals", "Learner")
    Referral = apps.get_model("referrals", "Referral")
    Enrolment = apps.get_model("cohorts", "Enrolment")
    Barrier = apps.get_model("support", "Barrier")
    Consent = apps.get_model("support", "Consent")
    JournalEntry = apps.get_model("support", "JournalEntry")
    Membership = apps.get_model("accounts", "Membership")

    def schools_of(learner_id):
        """The schools that met the person, the earliest first."""
        met = [
            (r.referred_on, 0, r.pk, r.school_id)
            for r in Referral.objects.filter(learner_id=learner_id).only("referred_on", "school_id")
        ]
        met += [
            (e.entry_date, 1, e.pk, e.cohort.school_id)
            for e in Enrolment.objects.filter(learner_id=learner_id).select_related("cohort")
        ]
        ordered = []
        for *_, school_id in sorted(met):
            if school_id not in ordered:
                ordered.append(school_id)
        return ordered

    def writer_schools(user_id):
        if user_id is None:
            return set()
        return set(Membership.objects.filter(user_id=user_id, school__isnull=False).values_list("school", flat=True))

    for learner in Learner.objects.filter(school__isnull=True).iterator():
        schools = schools_of(learner.pk)
        if not schools:
            membership = (
                Membership.objects.filter(user_id=learner.user_id, school__isnull=False).first()
                if learner.user_id
                else None
            )
            if membership is None:
                # Nobody could reach this row (no referral, no enrolment, no account): nothing to keep.
                learner.delete()
                continue
            schools = [membership.school_id]
        first, others = schools[0], schools[1:]
        learner.school_id = first
        learner.save(update_fields=["school"])
        for school_id in others:
            original_pk = learner.pk
            copy = Learner.objects.get(pk=original_pk)
            copy.pk = None
            copy.school_id = school_id
            copy.user_id = None
            copy.save()
            Referral.objects.filter(learner_id=original_pk, school_id=school_id).update(learner_id=copy.pk)
            Enrolment.objects.filter(learner_id=original_pk, cohort__school_id=school_id).update(
                learner_id=copy.pk
            )
            JournalEntry.objects.filter(learner_id=original_pk, school_id=school_id).update(learner_id=copy.pk)
            for barrier in Barrier.objects.filter(learner_id=original_pk):
                if school_id in writer_schools(barrier.created_by_id):
                    Barrier.objects.filter(pk=barrier.pk).update(learner_id=copy.pk)
            for consent in Consent.objects.filter(learner_id=original_pk):
                if school_id in writer_schools(consent.recorded_by_id):
                    Consent.objects.filter(pk=consent.pk).update(learner_id=copy.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_learner_school"),
        ("cohorts", "0004_schedule_and_attendance"),
        ("support", "0002_default_categories"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(split_records, migrations.RunPython.noop)]
