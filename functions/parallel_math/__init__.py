"""Parallel math (seeds 001/003): four arithmetic steps in parallel; the BatchResult decides success."""
