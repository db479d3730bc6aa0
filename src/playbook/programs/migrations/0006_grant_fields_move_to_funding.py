"""The innovation fund's request amounts and budget lines now live in ``funding``
(``GrantRequest``, ``funding.BudgetLine``); the rows were copied by funding 0004."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0005_rules_documents_and_decision_bodies'),
        ('funding', '0004_move_to_the_spine'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='budgetline',
            name='application',
        ),
        migrations.RemoveConstraint(
            model_name='application',
            name='application_amounts_not_negative',
        ),
        migrations.RemoveField(
            model_name='application',
            name='amount_requested',
        ),
        migrations.RemoveField(
            model_name='application',
            name='match_cash',
        ),
        migrations.RemoveField(
            model_name='application',
            name='match_in_kind',
        ),
        migrations.DeleteModel(
            name='BudgetLine',
        ),
    ]
