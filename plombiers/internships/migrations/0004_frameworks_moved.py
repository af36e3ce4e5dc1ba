# The skills moved to the frameworks app (frameworks.0001): the objectives and the required skills
# point there. Same tables, same columns: state only.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('internships', '0003_encrypt_free_texts'),
        ('frameworks', '0001_initial'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='internship',
            name='objectives',
            field=models.ManyToManyField(blank=True, related_name='internships', to='frameworks.skill', verbose_name='compétences visées'),
        ),
        migrations.AlterField(
            model_name='offer',
            name='required_skills',
            field=models.ManyToManyField(blank=True, related_name='offers', to='frameworks.skill', verbose_name='compétences demandées'),
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
