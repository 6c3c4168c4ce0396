"""Facts derived from the records.

timelines, standing, favours, introductions, relations, mentions.
"""
