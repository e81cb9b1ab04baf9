"""`python -m gitpod_refarch plan|urns ...`: the offline plan, from the separate tooling distribution.

The plan harness, its renderers and fakes are developer tooling, not part of the components other
programs install, so they live in `gitpod-refarch-tools` (`tooling/` in this repository;
`pip install -r requirements.txt` installs both). This shim keeps the command, its flags, formats
and exit codes as they were.
"""

import gc
import sys

# A plan is a short-lived process that imports tens of thousands of generated SDK classes and exits.
# The cyclic collector would re-scan that growing heap over and over while the cloud SDK loads
# (about a third of a GCP plan's time) and frees nothing: peak memory is the same without it.
gc.disable()

try:
    from gitpod_refarch_tools.cli import main
except ModuleNotFoundError as error:
    if (error.name or "").partition(".")[0] != "gitpod_refarch_tools":
        raise
    print(
        "python -m gitpod_refarch needs the tooling (gitpod-refarch-tools): pip install -r requirements.txt, or pip install -e ./tooling",
        file=sys.stderr,
    )
    sys.exit(2)

sys.exit(main())
