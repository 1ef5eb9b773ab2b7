"""Helpers shared by every workload: settings, observability and money."""
