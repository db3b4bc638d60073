"""Results folders (one run or a sweep) to a tidy table, policy rankings with confidence intervals, and figures."""
