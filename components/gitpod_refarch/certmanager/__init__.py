"""cert-manager: the chart, pluggable issuers and Gitpod's HTTPS Certificate."""
