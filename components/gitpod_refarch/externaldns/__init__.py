"""external-dns: publishes Gitpod's names for the `proxy` Service into the stack's DNS zone.

Why external-dns rather than records Pulumi reads from the Service: the `proxy` Service is created
by the Gitpod installer, not by this program, so Pulumi could only read it after the installer has
run (and not at all with `installer.deploy: false`); its load balancer address changes whenever the
Service is recreated, which a Pulumi-managed record would only follow at the next `pulumi up`; and
on AWS the address is an ELB host name, which needs an alias record at the zone apex. external-dns
watches the Service and handles all three, as Gitpod's own Terraform did
(gitpod-io/gitpod@2022.11.3 `install/infra/modules/tools/external-dns/main.tf`).

The installer already says which names to publish: it annotates the `proxy` Service (type
LoadBalancer) with `external-dns.alpha.kubernetes.io/hostname: <domain>,*.<domain>,*.ws.<domain>`
(gitpod-io/gitpod@2022.11.3 `install/installer/pkg/components/proxy/service.go`, and the rendered
Service in `install/installer/cmd/testdata/render/minimal/output.golden`), with the labels
`app: gitpod`, `component: proxy`.

This module imports nothing, so settings and docs can read the pins cheaply.
"""

#: kubernetes-sigs' chart repository and the chart version pinned (chart 1.21.1 = external-dns
#: v0.21.0; kubernetes-sigs/external-dns tag `external-dns-helm-chart-1.21.1`, charts/external-dns/Chart.yaml,
#: released 2026-04-30; checked 2026-11).
REPOSITORY = "https://kubernetes-sigs.github.io/external-dns/"
CHART = "external-dns"
VERSION = "1.21.1"
#: Its own namespace: it keeps running (and cleaning up its records) while Gitpod's namespace goes.
NAMESPACE = "external-dns"
#: The chart's service account; workload-identity bindings name it before the chart exists.
SERVICE_ACCOUNT = "external-dns"
#: The proxy Service's labels (gitpod-io/gitpod@2022.11.3 `install/installer/pkg/common/common.go`,
#: `DefaultLabels`): external-dns publishes that Service only, even if others carry the annotation.
PROXY_LABELS = "app=gitpod,component=proxy"
#: TXT ownership records as `gpdns-<type>.<name>`: without a prefix ending in a dot, external-dns
#: (v0.18+) names the owner record of `<domain>` `a-<domain>`, outside a zone that *is* the domain
#: (docs/registry/txt.md at v0.21.0: "ensure when using --txt-prefix that you specify the record
#: type substitution and that it ends in a period"). Never change it: existing records would be orphaned.
TXT_PREFIX = "gpdns-%{record_type}."
#: Replaces the `*` of wildcard names in TXT owner records, which providers reject otherwise
#: (docs/registry/txt.md at v0.21.0, "Wildcard Replacement").
TXT_WILDCARD_REPLACEMENT = "wildcard"
