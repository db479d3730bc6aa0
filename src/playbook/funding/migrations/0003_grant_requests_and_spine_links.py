"""A grant's request and budget lines, spending on monitoring reports, and each award's link to
its spine agreement (filled by 0004)."""


from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('funding', '0002_initial'),
        ('programs', '0004_spine'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BudgetLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('category', models.CharField(max_length=80)),
                ('description', models.CharField(max_length=300)),
                ('state_amount', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, verbose_name='state funds')),
                ('match_cash', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, verbose_name='match (cash)')),
                ('match_in_kind', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, verbose_name='match (in kind)')),
                ('position', models.PositiveSmallIntegerField(default=0)),
            ],
            options={
                'ordering': ['application', 'position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='GrantRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount_requested', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('match_cash', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                ('match_in_kind', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
            ],
        ),
        migrations.CreateModel(
            name='ReportSpending',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('spent_to_date', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
            ],
        ),
        migrations.AddField(
            model_name='award',
            name='agreement',
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='award', to='programs.agreement'),
        ),
        migrations.AddField(
            model_name='budgetline',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grant_budget_lines', to='programs.application'),
        ),
        migrations.AddField(
            model_name='grantrequest',
            name='application',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='grant', to='programs.application'),
        ),
        migrations.AddField(
            model_name='reportspending',
            name='report',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='spending', to='programs.monitoringreport'),
        ),
        migrations.AddConstraint(
            model_name='budgetline',
            constraint=models.CheckConstraint(condition=models.Q(('state_amount__gte', 0), ('match_cash__gte', 0), ('match_in_kind__gte', 0)), name='grant_budget_line_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='budgetline',
            constraint=models.CheckConstraint(condition=models.Q(('state_amount__gt', 0), ('match_cash__gt', 0), ('match_in_kind__gt', 0), _connector='OR'), name='grant_budget_line_not_empty'),
        ),
        migrations.AddConstraint(
            model_name='grantrequest',
            constraint=models.CheckConstraint(condition=models.Q(('amount_requested__gte', 0), ('match_cash__gte', 0), ('match_in_kind__gte', 0)), name='grant_request_amounts_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='reportspending',
            constraint=models.CheckConstraint(condition=models.Q(('spent_to_date__gte', 0)), name='report_spending_not_negative'),
        ),
    ]
