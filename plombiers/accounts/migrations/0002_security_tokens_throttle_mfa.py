# Issue 16: API tokens that expire, carry a scope and die with the password or the memberships;
# the login throttle's table; the start of the two-factor grace period.

import datetime as dt
import hashlib

import django.utils.timezone
from django.db import migrations, models


def tokens_existing(apps, schema_editor):
    """The tokens issued before: an expiry 90 days from now, the password and memberships of their
    user now, and — for someone without an authenticator app — the two-factor grace period from now.
    Someone whose role needs no second factor loses nothing: the token stays valid without it."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    Membership = apps.get_model("accounts", "Membership")
    Authenticator = apps.get_model("mfa", "Authenticator")
    now = django.utils.timezone.now()
    required_roles = {"network_staff", "school_manager", "trainer", "social_worker", "prescriber"}
    for token in ApiToken.objects.select_related("user"):
        user = token.user
        memberships = list(Membership.objects.filter(user=user).order_by("pk").values_list("pk", "role"))
        required = user.is_superuser or user.is_staff or any(role in required_roles for _, role in memberships)
        has_mfa = Authenticator.objects.filter(user=user, type__in=["totp", "webauthn"]).exists()
        token.expires_at = now + dt.timedelta(days=90)
        token.password_fingerprint = hashlib.sha256(user.password.encode()).hexdigest()
        token.membership_ids = [pk for pk, _ in memberships]
        token.mfa_deadline = now + dt.timedelta(days=14) if required and not has_mfa else None
        token.save(update_fields=["expires_at", "password_fingerprint", "membership_ids", "mfa_deadline"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="mfa_grace_started_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="début du délai pour activer la double authentification"
            ),
        ),
        migrations.AlterModelOptions(
            name="apitoken",
            options={"ordering": ["-created_at", "-pk"], "verbose_name": "jeton d'API", "verbose_name_plural": "jetons d'API"},
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="créé le"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dernière utilisation"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="révoqué le"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Lecture seule"), ("read_write", "Lecture et écriture")],
                default="read_write",
                max_length=16,
                verbose_name="portée",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expire le"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="password_fingerprint",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="membership_ids",
            field=models.JSONField(default=list, verbose_name="rattachements à la création"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="mfa_deadline",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="valable sans double authentification jusqu'au"
            ),
        ),
        migrations.RunPython(tokens_existing, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expire le"),
        ),
        migrations.AddIndex(
            model_name="apitoken",
            index=models.Index(fields=["user", "-created_at"], name="apitoken_user_created"),
        ),
        migrations.CreateModel(
            name="LoginAttempt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("account_key", models.CharField(max_length=64)),
                ("address", models.CharField(max_length=45, verbose_name="adresse IP")),
                (
                    "outcome",
                    models.CharField(
                        choices=[("failure", "Échec"), ("success", "Réussite"), ("reset", "Mot de passe réinitialisé")],
                        max_length=8,
                        verbose_name="résultat",
                    ),
                ),
                ("channel", models.CharField(max_length=8, verbose_name="canal")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="le")),
            ],
            options={
                "verbose_name": "tentative de connexion",
                "verbose_name_plural": "tentatives de connexion",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["account_key", "created_at"], name="loginattempt_account"),
                    models.Index(fields=["address", "created_at"], name="loginattempt_address"),
                    models.Index(fields=["created_at"], name="loginattempt_created"),
                ],
            },
        ),
    ]
