"""cert-manager: the chart, pluggable issuers and Gitpod's HTTPS Certificate.

The chart's identity and Gitpod's Secret name are written here once; the settings and the
component both take their defaults from these (this module imports nothing, so settings stay
cheap to import). The chart version is not defaulted by the component: it is the program's pin
(`gitpod:certManager.version`), checked against Gitpod's floor before anything is created.
"""

#: jetstack's chart, from its OCI registry (https://cert-manager.io/docs/installation/helm/).
CHART = "oci://quay.io/jetstack/charts/cert-manager"
#: The namespace the chart is installed into by convention.
NAMESPACE = "cert-manager"
#: The TLS Secret Gitpod's installer `certificate` points at, as in Gitpod's own guides.
SECRET_NAME = "https-certificates"
#: The issuer value meaning "sign with the Issuer or ClusterIssuer the user names" (`gitpod:certificate.issuerRef`).
ISSUER_REF = "issuerRef"
