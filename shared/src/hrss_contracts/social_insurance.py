"""Contracts of ``hrss.social-insurance``: the events the social-insurance service publishes.

Its domain (enrolment, contributions, benefits, cards) declares its contracts here as it is built.
"""
