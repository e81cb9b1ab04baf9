"""`python -m gitpod_refarch plan --stack NAME` (see `cli`)."""

import sys

from .cli import main

sys.exit(main())
