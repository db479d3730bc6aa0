"""Writes of the programs app: ``setup`` (programs, cycles, rules), ``applications`` (drafts,
budget, attachments) and ``lifecycle`` (every status change)."""
