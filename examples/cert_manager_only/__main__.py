"""Only the cert-manager component, on a cluster you already have.

Installs the pinned cert-manager chart and issues a certificate for `<domain>`, `*.<domain>` and
`*.ws.<domain>` from a self-signed CA, into a namespace this program creates. Run it as its own
Pulumi project (`pulumi up`), or under mocks as the tests do.
"""

import pulumi
import pulumi_kubernetes as k8s

from gitpod_refarch import CertManager

config = pulumi.Config()
domain = config.get("domain") or "gitpod.example.com"

provider = k8s.Provider("cluster", context=config.get("context"))
namespace = k8s.core.v1.Namespace("gitpod", metadata={"name": "gitpod"}, opts=pulumi.ResourceOptions(provider=provider))

certs = CertManager(
    "certs",
    {"domain": domain, "issuer": "selfsigned", "certificate_namespace": namespace.metadata.name, "version": "v1.21.1"},
    opts=pulumi.ResourceOptions(providers=[provider]),
)

pulumi.export("certificateSecret", certs.secret_name)
pulumi.export("caSecret", certs.ca_secret_name)
