"""Gitpod Self-Hosted reference architecture: `pulumi up --stack <name>` runs this."""

from gitpod_refarch.program import main

main()
