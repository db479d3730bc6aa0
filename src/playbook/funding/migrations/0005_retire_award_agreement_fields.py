"""Awards keep the money; their agreement's status, term, signatures, commitments and progress
reports live in the spine's agreement core now (copied by 0004)."""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ('funding', '0004_move_to_the_spine'),
        ('programs', '0006_grant_fields_move_to_funding'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='award',
            name='award_ends_after_start',
        ),
        migrations.RemoveConstraint(
            model_name='award',
            name='executed_award_is_signed',
        ),
        migrations.RemoveField(
            model_name='award',
            name='end_date',
        ),
        migrations.RemoveField(
            model_name='award',
            name='signed_at',
        ),
        migrations.RemoveField(
            model_name='award',
            name='signed_by',
        ),
        migrations.RemoveField(
            model_name='award',
            name='start_date',
        ),
        migrations.RemoveField(
            model_name='award',
            name='status',
        ),
        migrations.RemoveField(
            model_name='award',
            name='terms',
        ),
        migrations.DeleteModel(
            name='CommitmentProgress',
        ),
        migrations.DeleteModel(
            name='PerformanceCommitment',
        ),
        migrations.DeleteModel(
            name='ProgressReport',
        ),
            migrations.AlterField(
            model_name='award',
            name='agreement',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='award', to='programs.agreement'),
        ),
        migrations.AlterField(
            model_name='budgetline',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='budget_lines', to='programs.application'),
        ),
            migrations.AlterField(
            model_name='award',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='awards', to='programs.application'),
        ),
    ]
