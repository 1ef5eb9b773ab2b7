"""Parallel math: four arithmetic steps in parallel; the BatchResult decides success."""
