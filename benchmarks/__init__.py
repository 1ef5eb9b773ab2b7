"""`make bench`: latency ratios, durable-operation counts, package sizes and import times of the workloads.

Runs offline: the durable handlers run under AWS's durable testing runner with stand-in workers of known
latency; ``--apply`` additionally times ``make apply ENV=local`` against the local emulator.
"""
