"""The access table: who may see and do what, read by every access test (`test_access_*.py`, the
apps' own access tests and `test_access_urls.py`).

It is data, not code: the cast's roles (`plombiers.conftest.cast`), and for each rule of DESIGN.md
which of the two schools' objects each role reaches. « a » is school A (Chelles: the prescriber,
the funder, the learner and the outsider are on its side), « b » is school B (Roubaix). A role not
named in a table reaches nothing: an object it may not see answers 404, as one that does not exist.
`staff_other`, the network staff of another network on the same instance, is named in no table:
the whole cast's network is another network's to them, so every access test runs across networks
(and `test_access_networks.py` probes every page and API operation as them).

`URLS` gives, for every named URL of the project, the rule that opens it, and `PUBLIC` and
`EXCLUDED` the URLs that need no rule; `test_access_urls.py` walks every URL pattern and fails on a
name in none of them.
"""

#: Every member of the cast, once each (`outsider`: an account without any membership;
#: `staff_other`: the network staff of another network).
ROLES = [
    "staff",
    "manager_a",
    "trainer_a",
    "social_worker_a",
    "learner_a",
    "manager_b",
    "trainer_b",
    "prescriber",
    "funder",
    "outsider",
    "staff_other",
]

#: The roles that hold the network staff's role. `staff_other` opens the pages of that role (lists,
#: creation forms, their own network's dashboard) and finds nothing of the cast's network there.
NETWORK_STAFF = {"staff", "staff_other"}

# --- who reaches which school's objects -----------------------------------------------------------

#: The school's team (manager, trainer, social worker) and the network staff: cohorts, sessions,
#: referrals, information sessions, the impact of a school.
SCHOOL_TEAM = {
    "staff": {"a", "b"},
    "manager_a": {"a"},
    "trainer_a": {"a"},
    "social_worker_a": {"a"},
    "manager_b": {"b"},
    "trainer_b": {"b"},
}
#: The team, and the young person for what is theirs (their attendance, their calendar).
TEAM_AND_LEARNER = {**SCHOOL_TEAM, "learner_a": {"a"}}
#: A young person's file: the team, the young person, and the prescriber who referred them.
LEARNER_FILE = {**TEAM_AND_LEARNER, "prescriber": {"a"}}
#: The school's manager and the network staff: what commits the school (admissions, cohorts'
#: settings, attestations, budgets, OPCO claims).
MANAGERS = {"staff": {"a", "b"}, "manager_a": {"a"}, "manager_b": {"b"}}
#: Those who run the training (attendance sheets, internships): not the social worker.
TRAINING_TEAM = {**MANAGERS, "trainer_a": {"a"}, "trainer_b": {"b"}}
#: Those who record an exit (the manager, the social worker, the network staff).
EXIT_RECORDERS = {**MANAGERS, "social_worker_a": {"a"}}
#: Those who answer a follow-up (and the young person, through their link or the API).
FOLLOW_UP_REPORTERS = {**EXIT_RECORDERS, "prescriber": {"a"}}
#: A grant: the managers and the funder who gives it (the cast's funder gives school A's grant).
GRANT_READERS = {**MANAGERS, "funder": {"a"}}
#: The impact dashboards each role opens.
IMPACT_DASHBOARDS = {
    "staff": {"network", "school_a", "school_b", "cohort_a", "cohort_b", "funder"},
    "manager_a": {"school_a", "cohort_a"},
    "trainer_a": {"school_a", "cohort_a"},
    "social_worker_a": {"school_a", "cohort_a"},
    "manager_b": {"school_b", "cohort_b"},
    "trainer_b": {"school_b", "cohort_b"},
    "funder": {"school_a", "funder"},
}

#: The roles of each school's team, and everyone on the school side.
TEAM_ROLES = {"a": {"manager_a", "trainer_a", "social_worker_a"}, "b": {"manager_b", "trainer_b"}}
SCHOOL_SIDE = {"staff"} | TEAM_ROLES["a"] | TEAM_ROLES["b"]
#: Who moves applications and proposes offers (`can_manage_internships`): not the social worker.
OFFER_MOVERS = {"a": {"manager_a", "trainer_a"}, "b": {"manager_b", "trainer_b"}}

#: A young person's support file (school A's): who opens it, who writes in it, and which kinds of
#: note each reads (confidential: the social worker only; health: and the manager).
SUPPORT_FILE = {"staff", "manager_a", "trainer_a", "social_worker_a", "prescriber"}
SUPPORT_WRITERS = {"manager_a", "social_worker_a"}
SUPPORT_READS = {
    "social_worker_a": {"confidential", "health", "housing", "team_note", "outcome"},
    "manager_a": {"health", "housing", "team_note", "outcome"},
    "trainer_a": {"housing", "team_note", "outcome"},
    "staff": {"housing", "team_note", "outcome"},
    "prescriber": set(),
}

#: Skills: the team of school A that sees the learner's observations, those who observe, and who
#: reads a learner's progress.
SKILLS_TEAM_A = {"staff", "manager_a", "trainer_a", "social_worker_a"}
SKILLS_OBSERVERS = {"staff", "manager_a", "trainer_a"}

# --- the network: schools and organisations -------------------------------------------------------

SEES_SCHOOLS = {
    "staff": {"school_a", "school_b"},
    "manager_a": {"school_a"},
    "trainer_a": {"school_a"},
    "social_worker_a": {"school_a"},
    "learner_a": {"school_a"},
    "manager_b": {"school_b"},
    "trainer_b": {"school_b"},
    "prescriber": {"school_a"},
    "funder": {"school_a"},
    "outsider": set(),
    "staff_other": set(),
}
EDITS_SCHOOLS = {"staff": {"school_a", "school_b"}, "manager_a": {"school_a"}, "manager_b": {"school_b"}}
SEES_ORGANISATIONS = {
    "staff": {"company_a", "company_b", "prescriber_org", "funder_org"},
    "manager_a": {"company_a", "prescriber_org", "funder_org"},
    "trainer_a": {"company_a", "prescriber_org", "funder_org"},
    "social_worker_a": {"company_a", "prescriber_org", "funder_org"},
    "learner_a": set(),
    "manager_b": {"company_b"},
    "trainer_b": {"company_b"},
    "prescriber": {"prescriber_org"},
    "funder": {"funder_org"},
    "outsider": set(),
    "staff_other": set(),
}
EDITS_ORGANISATIONS = {
    "staff": {"company_a", "company_b", "prescriber_org", "funder_org"},
    "manager_a": {"company_a", "prescriber_org", "funder_org"},
    "manager_b": {"company_b"},
}

# --- every URL ------------------------------------------------------------------------------------


def on_a(table: dict) -> set:
    """The roles that reach school A's objects in a table above."""
    return {role for role, schools in table.items() if "a" in schools}


#: URLs anyone opens, signed in or not: the health check, the verification of attestations and
#: their public files, and the pages reached by a signed link (no account behind them).
PUBLIC = {
    "healthz",
    "rights:retention",  # the retention table, as public as the information notice
    "credentials:verify_upload",
    "credentials:verify_page",
    "credentials:credential_json",
    "credentials:issuer",
    "credentials:network",
    "credentials:status_list",
    "internships:convention_sign",
    "internships:convention_read",
    "internships:evaluation",
    "outcomes:answer",
    "surveys:answer",
    # the training offer in LHEO, what a Carif-Oref collects: no person in it (offer/tests/test_lheo.py)
    "offer:all_lheo",
    "offer:school_lheo",
    "homes:manifest",  # the web app manifest: browsers fetch it without cookies; nothing personal
    "homes:service_worker",  # the service worker's script: code, nothing personal (homes/pwa.py)
    "calendars:feed",  # a calendar feed: the secret in its address is the key (calendars/tests)
    # The public catalogue: upcoming sessions and the schools' information sessions, no personal data
    # (catalogue/tests/test_views.py proves what it shows and that an anonymous visitor applies).
    "catalogue:cohort_list",
    "catalogue:cohort_detail",
    "catalogue:commune_suggestions",
    "catalogue:apply",
    "catalogue:applied",
    # an invitation's link: the signed token in its address is the key (invitations/tests)
    "invitations:accept",
}

#: URL names left out of the table, each for its reason.
EXCLUDED = {
    "admin:": "Django's admin: its own rule (is_staff), tested by Django; tests/security checks it",
    "account_": "allauth's account pages (login, password reset…): tests/security/test_authentication.py",
    "mfa_": "allauth's two-factor pages: tests/security/test_authentication.py",
    "api:": "the API's operations: each app's test_api.py and the access tests call them by path",
}


#: Every named page of the project (the API's operations aside) and the test module that proves its
#: rule for every role (`test_access_urls.py` checks that the module names it).
URLS = {
    "homes:learner": "homes/tests/test_views.py",
    "calendars:learner_feed": "calendars/tests/test_views.py",
    "calendars:learner_feed_create": "calendars/tests/test_views.py",
    "calendars:cohort_feed": "calendars/tests/test_views.py",
    "calendars:cohort_feed_create": "calendars/tests/test_views.py",
    "calendars:feed_revoke": "calendars/tests/test_views.py",
    "rights:learner_data": "rights/tests/test_export.py",
    "rights:learner_erasure": "privacy/tests/test_erasure.py",
    "rights:learner_export": "rights/tests/test_export.py",
    "rights:my_consent_withdraw": "rights/tests/test_consents.py",
    "rights:my_data": "rights/tests/test_export.py",
    "rights:my_export": "rights/tests/test_export.py",
    "rights:rectification_decide": "rights/tests/test_rectification.py",
    "rights:rectification_list": "rights/tests/test_rectification.py",
    "rights:register": "rights/tests/test_register.py",
    "rights:register_pdf": "rights/tests/test_register.py",
    "rights:retention_settings": "privacy/tests/test_retention.py",
    "accounts:mfa_setup": "tests/test_access_urls.py",
    "accounts:token_create": "tests/test_access_urls.py",
    "accounts:token_list": "tests/test_access_urls.py",
    "accounts:token_revoke": "tests/test_access_urls.py",
    "webhooks:subscription_list": "webhooks/tests/test_views.py",
    "webhooks:subscription_create": "webhooks/tests/test_views.py",
    "webhooks:subscription_detail": "webhooks/tests/test_views.py",
    "webhooks:subscription_delete": "webhooks/tests/test_views.py",
    "webhooks:delivery_redeliver": "webhooks/tests/test_views.py",
    "alerts:alert_acknowledge": "alerts/tests/test_views.py",
    "alerts:alert_badge": "alerts/tests/test_views.py",
    "alerts:alert_detail": "alerts/tests/test_views.py",
    "alerts:alert_list": "alerts/tests/test_views.py",
    "cohorts:attendance_amend": "tests/test_access_attendance.py",
    "cohorts:attendance_mark": "tests/test_access_attendance.py",
    "cohorts:attendance_proof": "tests/test_access_attendance.py",
    "cohorts:attendance_sign": "tests/test_access_attendance.py",
    "cohorts:cohort_calendar": "tests/test_access_attendance.py",
    "cohorts:cohort_create": "tests/test_access_cohorts.py",
    "cohorts:cohort_detail": "tests/test_access_cohorts.py",
    "cohorts:cohort_edit": "tests/test_access_cohorts.py",
    "cohorts:cohort_finish": "tests/test_access_cohorts.py",
    "cohorts:cohort_list": "tests/test_access_cohorts.py",
    "cohorts:enrolment_drop_out": "tests/test_access_cohorts.py",
    "cohorts:referral_admit": "tests/test_access_cohorts.py",
    "cohorts:schedule_generate": "tests/test_access_attendance.py",
    "cohorts:session_create": "tests/test_access_attendance.py",
    "cohorts:session_delete": "tests/test_access_attendance.py",
    "cohorts:session_detail": "tests/test_access_attendance.py",
    "cohorts:session_edit": "tests/test_access_attendance.py",
    "cohorts:sessions_today": "tests/test_access_attendance.py",
    "cohorts:sheet_lock": "tests/test_access_attendance.py",
    "cohorts:sign_with_code": "tests/test_access_attendance.py",
    "cohorts:signing_code_issue": "tests/test_access_attendance.py",
    "credentials:attestation_badge_png": "tests/test_access_credentials.py",
    "credentials:attestation_badge_svg": "tests/test_access_credentials.py",
    "credentials:attestation_detail": "tests/test_access_credentials.py",
    "credentials:attestation_issue": "tests/test_access_credentials.py",
    "credentials:attestation_list": "tests/test_access_credentials.py",
    "credentials:attestation_pdf": "tests/test_access_credentials.py",
    "credentials:attestation_revoke": "tests/test_access_credentials.py",
    "credentials:credential_json": "tests/test_access_credentials.py",
    "credentials:my_attestations": "tests/test_access_urls.py",
    "credentials:to_issue": "homes/tests/test_views.py",
    "credentials:verify_page": "tests/test_access_credentials.py",
    "documents:cohort_document": "documents/tests/test_views.py",
    "documents:cohort_documents": "documents/tests/test_views.py",
    "documents:enrolment_document": "documents/tests/test_views.py",
    "funding:agreement_download": "tests/test_access_funding.py",
    "funding:agreement_upload": "tests/test_access_funding.py",
    "funding:bpf": "tests/test_access_funding.py",
    "funding:bpf_export": "tests/test_access_funding.py",
    "funding:budget": "tests/test_access_funding.py",
    "funding:budget_create": "tests/test_access_funding.py",
    "funding:budget_import": "tests/test_access_funding.py",
    "funding:cohort_opco": "tests/test_access_cohorts.py",
    "funding:funder_space": "tests/test_access_funding.py",
    "funding:grant_create": "tests/test_access_funding.py",
    "funding:grant_decide": "tests/test_access_funding.py",
    "funding:grant_edit": "tests/test_access_funding.py",
    "funding:grant_detail": "tests/test_access_funding.py",
    "funding:invoice_bundle": "tests/test_access_funding.py",
    "funding:invoice_create": "tests/test_access_funding.py",
    "funding:invoice_transition": "tests/test_access_funding.py",
    "funding:invoices_to_issue": "homes/tests/test_views.py",
    "funding:opco_funding_create": "tests/test_access_funding.py",
    "funding:overview": "tests/test_access_funding.py",
    "funding:payment_create": "tests/test_access_funding.py",
    "funding:report_create": "tests/test_access_funding.py",
    "funding:report_done": "tests/test_access_funding.py",
    "funding:school_funding": "tests/test_access_funding.py",
    "home": "tests/test_access_matrix.py",
    "impact:cohort": "tests/test_access_cohorts.py",
    "impact:funder": "tests/test_access_cohorts.py",
    "impact:home": "tests/test_access_impact.py",
    "impact:learners": "tests/test_access_impact.py",
    "impact:method": "tests/test_access_impact.py",
    "impact:network": "tests/test_access_impact.py",
    "impact:network_detail": "tests/test_access_urls.py",
    "impact:opendata": "tests/test_access_impact.py",
    "impact:public_results": "surveys/tests/test_views.py",
    "impact:report": "tests/test_access_impact.py",
    "impact:rollup_refresh": "tests/test_access_urls.py",
    "impact:school": "tests/test_access_cohorts.py",
    "internships:application_create": "tests/test_access_offers.py",
    "internships:application_list": "tests/test_access_offers.py",
    "internships:application_transition": "tests/test_access_offers.py",
    "internships:company_detail": "tests/test_access_offers.py",
    "internships:convention_pdf": "tests/test_access_internships.py",
    "internships:convention_send": "tests/test_access_internships.py",
    "internships:evaluation_request": "tests/test_access_internships.py",
    "internships:evaluation_send": "tests/test_access_internships.py",
    "internships:internship_create": "tests/test_access_internships.py",
    "internships:internship_detail": "tests/test_access_internships.py",
    "internships:internship_edit": "tests/test_access_internships.py",
    "internships:internship_list": "tests/test_access_internships.py",
    "internships:internship_transition": "tests/test_access_internships.py",
    "internships:learner_offers": "tests/test_access_urls.py",
    "internships:match_propose": "tests/test_access_urls.py",
    "internships:offer_create": "tests/test_access_offers.py",
    "internships:offer_detail": "tests/test_access_urls.py",
    "internships:offer_edit": "tests/test_access_offers.py",
    "internships:offer_learners": "tests/test_access_urls.py",
    "internships:offer_list": "tests/test_access_offers.py",
    "internships:offer_status": "tests/test_access_offers.py",
    "internships:site_create": "tests/test_access_offers.py",
    "internships:site_edit": "tests/test_access_offers.py",
    "internships:tutor_create": "tests/test_access_offers.py",
    "internships:tutor_edit": "tests/test_access_offers.py",
    "invitations:invitation_list": "invitations/tests/test_invitations.py",
    "invitations:invitation_resend": "invitations/tests/test_invitations.py",
    "invitations:invitation_revoke": "invitations/tests/test_invitations.py",
    "openings:calendar": "openings/tests/test_openings.py",
    "openings:checklist": "openings/tests/test_openings.py",
    "openings:cohort": "openings/tests/test_openings.py",
    "openings:copy_settings": "openings/tests/test_openings.py",
    "openings:information": "openings/tests/test_openings.py",
    "openings:partners": "openings/tests/test_openings.py",
    "openings:publish": "openings/tests/test_openings.py",
    "openings:school_open": "openings/tests/test_openings.py",
    "network:commune_suggestions": "tests/test_access_urls.py",
    "network:organisation_create": "tests/test_access_matrix.py",
    "network:organisation_detail": "tests/test_access_matrix.py",
    "network:organisation_edit": "tests/test_access_matrix.py",
    "network:organisation_list": "tests/test_access_matrix.py",
    "network:school_create": "tests/test_access_matrix.py",
    "network:school_detail": "tests/test_access_matrix.py",
    "network:school_edit": "tests/test_access_matrix.py",
    "network:school_list": "tests/test_access_matrix.py",
    "outcomes:answer": "tests/test_access_outcomes.py",
    "outcomes:exit_create": "tests/test_access_outcomes.py",
    "outcomes:exit_detail": "tests/test_access_outcomes.py",
    "outcomes:exit_edit": "tests/test_access_outcomes.py",
    "outcomes:exit_list": "tests/test_access_outcomes.py",
    "imports:job_list": "tests/test_access_imports.py",
    "imports:job_detail": "tests/test_access_imports.py",
    "imports:job_check": "tests/test_access_imports.py",
    "imports:job_start": "tests/test_access_imports.py",
    "imports:job_progress": "tests/test_access_imports.py",
    "imports:job_undo": "tests/test_access_imports.py",
    "outcomes:follow_up_link_renew": "tests/security/test_signed_links.py",
    "outcomes:follow_up_list": "tests/test_access_outcomes.py",
    "outcomes:follow_up_record": "tests/test_access_outcomes.py",
    "outcomes:my_follow_up": "tests/test_access_outcomes.py",
    "outcomes:to_record_list": "tests/test_access_outcomes.py",
    "referrals:learner_detail": "tests/test_access_cohorts.py",
    "referrals:learner_list": "tests/test_access_referrals.py",
    "referrals:referral_create": "tests/test_access_referrals.py",
    "referrals:referral_detail": "tests/test_access_urls.py",
    "referrals:referral_list": "tests/test_access_referrals.py",
    "referrals:referral_transition": "tests/test_access_referrals.py",
    "referrals:session_attendance": "tests/test_access_referrals.py",
    "referrals:session_create": "tests/test_access_attendance.py",
    "referrals:session_detail": "tests/test_access_attendance.py",
    "referrals:session_invite": "tests/test_access_referrals.py",
    "referrals:session_list": "tests/test_access_referrals.py",
    "skills:cohort_matrix": "tests/test_access_skills.py",
    "skills:enrolment_progress": "tests/test_access_skills.py",
    "skills:evidence_file": "skills/tests/test_views.py",
    "skills:framework_detail": "tests/test_access_urls.py",
    "skills:framework_list": "tests/test_access_skills.py",
    "skills:observation_create": "tests/test_access_skills.py",
    "skills:observation_group": "tests/test_access_skills.py",
    "support:action_create": "tests/test_access_urls.py",
    "support:action_update": "tests/test_access_urls.py",
    "support:audit_list": "tests/test_access_support.py",
    "support:barrier_set": "tests/test_access_urls.py",
    "support:caseload": "tests/test_access_support.py",
    "support:consent_notice": "tests/test_access_urls.py",
    "support:consent_record": "tests/test_access_urls.py",
    "support:journal_add": "tests/test_access_urls.py",
    "support:learner_support": "tests/test_access_support.py",
    "surveys:answer": "surveys/tests/test_views.py",
    "surveys:cohort_invitations": "surveys/tests/test_views.py",
    "surveys:cohort_results": "surveys/tests/test_views.py",
    "surveys:index": "surveys/tests/test_views.py",
    "surveys:invitation_link": "surveys/tests/test_views.py",
    "surveys:school_results": "surveys/tests/test_views.py",
    "search:search": "search/tests/test_views.py",
}
