# The frameworks move from `skills` to their own app, below `cohorts` (issue 19). The tables stay
# where they are (db_table keeps their names): these operations change the migration state only,
# and `skills.0002` removes the models from the state of `skills`.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('network', '0002_trades'),
        ('skills', '0001_initial'),
    ]

    state_operations = [
        migrations.CreateModel(
            name='Framework',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.CharField(max_length=20, verbose_name='version')),
                ('title', models.CharField(max_length=200, verbose_name='intitulé')),
                ('description', models.TextField(blank=True)),
                ('rome_codes', models.JSONField(default=list, verbose_name='codes ROME')),
                ('source', models.CharField(blank=True, max_length=200, verbose_name='fichier source')),
                ('checksum', models.CharField(editable=False, max_length=64)),
                ('published_at', models.DateTimeField(auto_now_add=True, verbose_name='publié le')),
                ('trade', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='frameworks', to='network.trade', verbose_name='métier')),
            ],
            options={
                'verbose_name': 'référentiel de compétences',
                'verbose_name_plural': 'référentiels de compétences',
                'db_table': 'skills_framework',
                'ordering': ['trade__name', '-published_at'],
                'constraints': [models.UniqueConstraint(fields=('trade', 'version'), name='framework_unique_version')],
            },
        ),
        migrations.CreateModel(
            name='Block',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=20, verbose_name='code')),
                ('title', models.CharField(max_length=200, verbose_name='intitulé')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('framework', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='blocks', to='frameworks.framework')),
            ],
            options={
                'verbose_name': 'bloc de compétences',
                'verbose_name_plural': 'blocs de compétences',
                'db_table': 'skills_block',
                'ordering': ['framework', 'position', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('framework', 'code'), name='block_unique_code')],
            },
        ),
        migrations.CreateModel(
            name='Skill',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=20, verbose_name='code')),
                ('title', models.CharField(max_length=250, verbose_name='intitulé')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('criteria', models.JSONField(default=list, verbose_name='critères observables')),
                ('rome_codes', models.JSONField(default=list, verbose_name='codes ROME')),
                ('safety_critical', models.BooleanField(default=False, verbose_name='geste de sécurité')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('block', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='skills', to='frameworks.block', verbose_name='bloc')),
                ('framework', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='skills', to='frameworks.framework')),
            ],
            options={
                'verbose_name': 'compétence',
                'db_table': 'skills_skill',
                'ordering': ['block__position', 'position', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('framework', 'code'), name='skill_unique_code')],
            },
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
