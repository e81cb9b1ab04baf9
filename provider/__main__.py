"""Entry point of the component package: the engine starts it as a plugin (PulumiPlugin.yaml).

The components are imported from this checkout (../components), the same code the program and
the Python package run; requirements.txt installs only their dependencies.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "components"))

from gitpod_refarch.provider import main  # after the path is set

main()
