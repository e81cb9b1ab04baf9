"""Developer tooling for the Gitpod reference architecture, apart from the reusable components.

The offline plan (the real program under the Pulumi SDK's mocks: `harness`, `stackfile`, `render`,
`markdown`, `diff`, `critical_path`, `urns`, the plan-only `fakes`), the dependency graph
(`graph.waits_for`), the one table of what a change does to each resource type (`effects`) and the
views of it that the plan, the URN snapshots and the policy pack share (`stateful`), the GKE quota
table of docs/gcp.md (`gcp_quota`), and the command line (`cli`, run as
`python -m gitpod_refarch plan|urns` or `gitpod-refarch`).

Importing this package imports nothing else: the policy pack reads `stateful` without the Pulumi SDK's
runtime or any cloud SDK.
"""
