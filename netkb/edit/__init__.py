"""Changing the user's files.

byte-preserving edits under the KB lock, new files, merge, set, triage.
"""
