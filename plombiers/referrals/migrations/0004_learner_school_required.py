from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_learner_records_per_school")]

    operations = [
        migrations.AlterField(
            model_name="learner",
            name="school",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="learners",
                to="network.school",
                verbose_name="école",
            ),
        ),
        migrations.AddConstraint(
            model_name="learner",
            constraint=models.UniqueConstraint(fields=("school", "identity_key"), name="learner_one_record_per_school"),
        ),
    ]
