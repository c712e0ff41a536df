"""Contracts of ``hrss.labour-relations``: the events the labour-relations service publishes.

Its domain (wage-arrears cases, project payroll, disputes, warnings) declares its contracts here as it is built.
"""
