"""Landing folder -> raw layer: find the files, read them (canonical files or tool exports),
type them and load them into `raw.<entity>` with their provenance."""
