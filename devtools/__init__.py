"""Tools for developing and measuring the platform, not part of the product (not in its wheel):
the synthetic data generator, the benchmark, the root-cause recovery check, notebook execution
and screenshots. `pmo generate|bench|recovery` load them lazily from a checkout."""
