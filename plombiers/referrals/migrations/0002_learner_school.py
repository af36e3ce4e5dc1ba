"""Each school keeps its own record of a young person (issue 16, finding 1): the column, then the
records are split per school (0003), then the column becomes required (0004)."""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("network", "0003_organisation_nda"),
    ]

    operations = [
        migrations.AlterField(
            model_name="learner",
            name="identity_key",
            field=models.CharField(db_index=True, editable=False, max_length=250),
        ),
        migrations.AddField(
            model_name="learner",
            name="school",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="learners",
                to="network.school",
                verbose_name="école",
            ),
        ),
    ]
