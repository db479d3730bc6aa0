"""Playbook: the state office of innovation's system for scaling personalized learning."""

__version__ = "0.1.0"
