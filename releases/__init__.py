"""Canary releases of durable functions: judge a new version by its own executions, then promote or withdraw it.

``judge.py`` is the decision (pure), ``controller.py`` the Lambda, SSM and CloudWatch calls around it (plain boto3, the
same on AWS and on the local endpoint), ``report.py`` what a decision leaves behind, ``__main__.py`` the command
line behind ``make canary``, ``make promote`` and ``make abort``. docs/releases.md explains the design.
"""
