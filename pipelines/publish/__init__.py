"""marts -> a published release: the KPI tables for BI tools and notebooks, switched in atomically."""
