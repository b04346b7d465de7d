"""Prometheus metrics for operations: /metrics (vipdesk/metrics/views.py).

Request latency and responses per view come from django-prometheus's middleware.
Everything else is read when Prometheus scrapes (vipdesk/metrics/collector.py):
the intake backlog and recent SLA breaches from PostgreSQL, and per-job runs,
durations, failures and last success from Redis, where every RQ worker records
them (vipdesk/metrics/workers.py) — so the figures hold across processes and hosts.
"""
