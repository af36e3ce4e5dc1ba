# The frameworks left `skills` for their own app (frameworks.0001): an observation's skill points
# there, and the three models leave the state of `skills`. Their tables stay (the frameworks app
# names them): state only, no row copied.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('skills', '0001_initial'),
        ('frameworks', '0001_initial'),
        ('cohorts', '0007_frameworks_moved'),
        ('internships', '0004_frameworks_moved'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='observation',
            name='skill',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='observations', to='frameworks.skill'),
        ),
        migrations.DeleteModel(name='Skill'),
        migrations.DeleteModel(name='Block'),
        migrations.DeleteModel(name='Framework'),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
