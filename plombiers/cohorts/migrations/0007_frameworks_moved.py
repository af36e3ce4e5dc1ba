# The frameworks moved to their own app (frameworks.0001): the foreign keys point there. The
# tables did not move, so the database is left as it is (state only).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cohorts', '0006_encrypt_drop_out_detail'),
        ('frameworks', '0001_initial'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='cohort',
            name='framework',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cohorts', to='frameworks.framework', verbose_name='référentiel de compétences'),
        ),
        migrations.AlterField(
            model_name='trainingsession',
            name='block',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sessions', to='frameworks.block', verbose_name='bloc de compétences travaillé'),
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
