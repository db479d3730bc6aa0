"""The shared core: what every app needs once (HackSoft's ``common``).

- ``access``: the ``(allowed, reason)`` decision type and ``require``.
- ``money``: money fields, cents, the rounding rule and the check for dollar amounts.
- ``append_only``: a model mixin that refuses updates and deletes, and the migration operation
  that installs the matching database trigger.
- ``jobs``: the runner for background evidence jobs with progress (growth, report cards, and
  the runs instruments add).
- ``forms``: putting a service's error on a form or on the page.
- ``pages``: a long list a page at a time, with the query string its links keep (the links are
  ``ui/_pagination.html``; a job's progress bar is ``ui/_job_progress.html``).

It imports no other app of the project.
"""
