from django.apps import AppConfig


class StudentDataConfig(AppConfig):
    name = "playbook.studentdata"
    label = "studentdata"
    verbose_name = "Student data"
