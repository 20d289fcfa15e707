"""`make bench`: speed and quality figures on this machine. Each measurement runs in its own
process so that its peak memory is its own."""
