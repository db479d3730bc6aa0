"""The spine: decision bodies and votes, the agreement core, determination traces; application
statuses as the workflow declares them; instruments named by the registry."""


import django.db.models.deletion
import django.utils.timezone
import django_fsm
import playbook.programs.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('organizations', '0001_initial'),
        ('programs', '0003_sqlite_lifecycle_log_allows_flush'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Agreement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('instrument', models.CharField(max_length=30)),
                ('title', models.CharField(max_length=200)),
                ('status', django_fsm.FSMField(choices=[('drafted', 'Drafted'), ('signed', 'Signed by the office, awaiting countersignature'), ('executed', 'Executed (countersigned)'), ('active', 'Active'), ('monitored', 'Monitored'), ('probation', 'On probation'), ('renewed', 'Renewed'), ('revoked', 'Revoked'), ('expired', 'Expired'), ('closed', 'Closed'), ('cancelled', 'Cancelled')], db_index=True, default='drafted', max_length=12, protected=True)),
                ('start_date', models.DateField()),
                ('end_date', models.DateField()),
                ('next_review_date', models.DateField(blank=True, null=True)),
                ('conditions', models.TextField(blank=True)),
                ('terms', models.TextField(blank=True)),
                ('signed_at', models.DateTimeField(blank=True, null=True)),
                ('countersigned_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
            bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.CreateModel(
            name='AgreementAmendment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField()),
                ('summary', models.TextField()),
                ('changes', models.JSONField(default=dict, help_text='field -> [before, after]')),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['agreement', 'number'],
            },
        ),
        migrations.CreateModel(
            name='AgreementCommitment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('measure', models.CharField(max_length=200)),
                ('unit', models.CharField(blank=True, help_text='e.g. percent, students', max_length=40)),
                ('baseline', models.DecimalField(decimal_places=2, max_digits=12)),
                ('target', models.DecimalField(decimal_places=2, max_digits=12)),
                ('due_date', models.DateField()),
                ('evidence_source', models.CharField(choices=[('self_reported', 'Reported by the party'), ('report_card', 'Published report card'), ('growth_run', 'Published growth results')], default='self_reported', max_length=20)),
                ('evidence_ref', models.JSONField(blank=True, default=dict, help_text="Where published evidence is read: e.g. {'framework': ..., 'metric': ...}.")),
            ],
            options={
                'ordering': ['agreement', 'due_date', 'id'],
            },
        ),
        migrations.CreateModel(
            name='AgreementDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('file', models.FileField(max_length=300, storage=playbook.programs.models.uploads_storage, upload_to=playbook.programs.models.agreement_document_path)),
                ('original_name', models.CharField(max_length=200)),
                ('size', models.PositiveIntegerField()),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['agreement', 'uploaded_at'],
            },
        ),
        migrations.CreateModel(
            name='AgreementParty',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('state', 'State agency'), ('party', 'Party (countersigns)'), ('partner', 'Partner')], max_length=10)),
            ],
            options={
                'ordering': ['agreement', 'role', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Ballot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tier', models.PositiveSmallIntegerField(default=1)),
                ('acts', models.CharField(help_text='recommends or decides', max_length=12)),
                ('quorum', models.PositiveSmallIntegerField()),
                ('majority', models.CharField(max_length=12)),
                ('terms', models.JSONField(blank=True, default=dict, help_text='The terms the vote is on (e.g. the amount of a grant).')),
                ('status', models.CharField(choices=[('open', 'Voting open'), ('closed', 'Vote closed')], default='open', max_length=10)),
                ('outcome', models.CharField(blank=True, choices=[('approved', 'Approved'), ('conditional', 'Approved with conditions'), ('denied', 'Denied'), ('recommended', 'Recommended to the next tier'), ('not_recommended', 'Not recommended')], max_length=20)),
                ('conditions', models.TextField(blank=True)),
                ('tally', models.JSONField(blank=True, default=dict)),
                ('opened_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['application', 'tier', 'opened_at'],
            },
        ),
        migrations.CreateModel(
            name='CommitmentValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.DecimalField(decimal_places=2, max_digits=12)),
                ('note', models.CharField(blank=True, max_length=500)),
            ],
        ),
        migrations.CreateModel(
            name='DecisionBody',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=60, unique=True)),
                ('name', models.CharField(max_length=200)),
                ('description', models.TextField(blank=True)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='DecisionBodyMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('active', models.BooleanField(default=True)),
                ('chair', models.BooleanField(default=False)),
                ('joined_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['body', 'user__last_name', 'user__username'],
            },
        ),
        migrations.CreateModel(
            name='DeterminationTrace',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField()),
                ('kind', models.CharField(help_text='e.g. eligibility, funding_line', max_length=40)),
                ('result', models.CharField(max_length=300)),
                ('steps', models.JSONField(default=list, help_text='[{rule, version, values, result, applicant}]; applicant: shown to them.')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='MonitoringReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period_end', models.DateField()),
                ('narrative', models.TextField()),
                ('status', django_fsm.FSMField(choices=[('submitted', 'Submitted'), ('accepted', 'Accepted'), ('revision_requested', 'Revision requested')], default='submitted', max_length=20, protected=True)),
                ('submitted_at', models.DateTimeField(auto_now_add=True)),
                ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                ('review_note', models.TextField(blank=True)),
            ],
            options={
                'ordering': ['agreement', 'period_end'],
            },
            bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.CreateModel(
            name='Vote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('choice', models.CharField(choices=[('approve', 'Approve'), ('conditional', 'Approve with conditions'), ('deny', 'Deny'), ('abstain', 'Abstain'), ('recuse', 'Recuse (conflict of interest)')], max_length=12)),
                ('conditions', models.TextField(blank=True)),
                ('reason', models.TextField(blank=True)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['ballot', 'at', 'id'],
            },
        ),
        migrations.AlterField(
            model_name='application',
            name='status',
            field=django_fsm.FSMField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('info_requested', 'More information requested'), ('screened', 'Screened eligible'), ('ineligible', 'Ineligible'), ('in_review', 'In review'), ('recommended', 'Recommended to the decision body'), ('approved', 'Approved'), ('conditional', 'Approved with conditions'), ('denied', 'Denied'), ('withdrawn', 'Withdrawn'), ('appealed', 'Appealed')], db_index=True, default='draft', max_length=20, protected=True),
        ),
        migrations.AlterField(
            model_name='program',
            name='instrument',
            field=models.CharField(help_text='The registered instrument (programs.registry) it runs on.', max_length=30),
        ),
        migrations.AddField(
            model_name='agreement',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agreements', to='programs.application'),
        ),
        migrations.AddField(
            model_name='agreement',
            name='countersigned_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='agreement',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='agreement',
            name='signed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='agreementamendment',
            name='agreement',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='amendments', to='programs.agreement'),
        ),
        migrations.AddField(
            model_name='agreementamendment',
            name='by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='agreementcommitment',
            name='agreement',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='commitments', to='programs.agreement'),
        ),
        migrations.AddField(
            model_name='agreementdocument',
            name='agreement',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='programs.agreement'),
        ),
        migrations.AddField(
            model_name='agreementdocument',
            name='uploaded_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='agreementparty',
            name='agreement',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='parties', to='programs.agreement'),
        ),
        migrations.AddField(
            model_name='agreementparty',
            name='organization',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agreement_parties', to='organizations.organization'),
        ),
        migrations.AddField(
            model_name='ballot',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ballots', to='programs.application'),
        ),
        migrations.AddField(
            model_name='ballot',
            name='closed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='ballot',
            name='opened_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='commitmentvalue',
            name='commitment',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='values', to='programs.agreementcommitment'),
        ),
        migrations.AddField(
            model_name='ballot',
            name='body',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ballots', to='programs.decisionbody'),
        ),
        migrations.AddField(
            model_name='decisionbodymember',
            name='body',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='programs.decisionbody'),
        ),
        migrations.AddField(
            model_name='decisionbodymember',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='decision_body_memberships', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='decisionbody',
            name='members',
            field=models.ManyToManyField(related_name='decision_bodies', through='programs.DecisionBodyMember', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='determinationtrace',
            name='content_type',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.AddField(
            model_name='monitoringreport',
            name='agreement',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='programs.agreement'),
        ),
        migrations.AddField(
            model_name='monitoringreport',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='monitoringreport',
            name='submitted_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='commitmentvalue',
            name='report',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='values', to='programs.monitoringreport'),
        ),
        migrations.AddField(
            model_name='vote',
            name='ballot',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='votes', to='programs.ballot'),
        ),
        migrations.AddField(
            model_name='vote',
            name='member',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='votes', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='agreement',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'cancelled'), _negated=True), fields=('application',), name='one_live_agreement_per_application'),
        ),
        migrations.AddConstraint(
            model_name='agreement',
            constraint=models.CheckConstraint(condition=models.Q(('end_date__gt', models.F('start_date'))), name='agreement_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='agreement',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['drafted', 'cancelled']), ('signed_at__isnull', False), _connector='OR'), name='signed_agreement_has_signature'),
        ),
        migrations.AddConstraint(
            model_name='agreement',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['drafted', 'signed', 'cancelled']), ('countersigned_at__isnull', False), _connector='OR'), name='executed_agreement_is_countersigned'),
        ),
        migrations.AddConstraint(
            model_name='agreementamendment',
            constraint=models.UniqueConstraint(fields=('agreement', 'number'), name='one_amendment_number'),
        ),
        migrations.AddConstraint(
            model_name='agreementcommitment',
            constraint=models.CheckConstraint(condition=models.Q(('target', models.F('baseline')), _negated=True), name='agreement_commitment_target_differs'),
        ),
        migrations.AddConstraint(
            model_name='agreementparty',
            constraint=models.UniqueConstraint(fields=('agreement', 'organization'), name='one_role_per_party'),
        ),
        migrations.AddConstraint(
            model_name='ballot',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('application',), name='one_open_ballot_per_application'),
        ),
        migrations.AddConstraint(
            model_name='ballot',
            constraint=models.CheckConstraint(condition=models.Q(('quorum__gte', 1)), name='ballot_quorum_positive'),
        ),
        migrations.AddConstraint(
            model_name='ballot',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('outcome', ''), ('status', 'open')), models.Q(('status', 'closed'), models.Q(('outcome', ''), _negated=True)), _connector='OR'), name='closed_ballot_has_outcome'),
        ),
        migrations.AddConstraint(
            model_name='decisionbodymember',
            constraint=models.UniqueConstraint(fields=('body', 'user'), name='one_membership_per_body'),
        ),
        migrations.AddIndex(
            model_name='determinationtrace',
            index=models.Index(fields=['content_type', 'object_id', 'kind'], name='programs_de_content_2c19aa_idx'),
        ),
        migrations.AddConstraint(
            model_name='monitoringreport',
            constraint=models.UniqueConstraint(fields=('agreement', 'period_end'), name='one_agreement_report_per_period'),
        ),
        migrations.AddConstraint(
            model_name='commitmentvalue',
            constraint=models.UniqueConstraint(fields=('report', 'commitment'), name='one_value_per_agreement_commitment'),
        ),
        migrations.AddConstraint(
            model_name='vote',
            constraint=models.UniqueConstraint(fields=('ballot', 'member'), name='one_vote_per_member'),
        ),
        migrations.AddConstraint(
            model_name='vote',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('choice', 'conditional'), _negated=True), models.Q(('conditions', ''), _negated=True), _connector='OR'), name='conditional_vote_states_conditions'),
        ),
    ]
