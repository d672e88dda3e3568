"""`python -m annotator` runs the same command line as `annotator`."""

from annotator.cli import main

raise SystemExit(main())
