"""`python -m gitpod_refarch plan --stack NAME` (see `cli`)."""

import gc
import sys

# A plan is a short-lived process that imports tens of thousands of generated SDK classes and exits.
# The cyclic collector would re-scan that growing heap over and over while the cloud SDK loads
# (about a third of a GCP plan's time) and frees nothing: peak memory is the same without it.
gc.disable()

from .cli import main  # noqa: E402  (after gc.disable, so the imports run without collections)

sys.exit(main())
