"""The gateway's one consumer group: every part that follows the domain topics, merged.

The read models (person and employer documents), the plan indicators' facts and the 政策监管 alerts are its parts;
each declares its handlers, hooks and the read-model tables it fills. They run as one group (one parse of each
event, one transaction per batch; see :func:`hrss_shared.app.merge_consumers`), and ``TABLES`` is exactly what
``python -m gateway rebuild`` empties and refills from the topics. The gateway's own tables (API clients, the audit
log, staff actions such as alert acknowledgements) are not listed: a rebuild leaves them untouched.
"""

from __future__ import annotations

from gateway import alerts, indicators, readmodel
from hrss_shared.app import merge_consumers

GROUP = readmodel.GROUP
CONSUMER = merge_consumers(GROUP, readmodel.CONSUMER, indicators.CONSUMER, alerts.CONSUMER)
TABLES: list[str] = [*readmodel.TABLES, *indicators.TABLES, *alerts.TABLES]
