"""The process's structured logger and EMF metrics (Powertools), configured by environment.

POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE and
POWERTOOLS_METRICS_DISABLED are set by CDK, the local stack and the tests.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics(namespace="CRM")
