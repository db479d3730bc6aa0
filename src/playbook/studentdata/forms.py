from django import forms

from .schemas import STUDENT_KEY_PATTERN


class StudentLookupForm(forms.Form):
    student_key = forms.RegexField(
        label="Pseudonymous student key", regex=rf"^{STUDENT_KEY_PATTERN}$", max_length=64,
        error_messages={"invalid": "A student key is 6-64 letters, digits, - or _."},
    )
    purpose = forms.CharField(
        label="Purpose of this read", max_length=300,
        help_text="Written to the access log with your name, the key and the time.",
    )
