"""The operator's command line: `glo-act --help` (or `python -m operations --help`)."""
