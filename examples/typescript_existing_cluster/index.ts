// Gitpod Self-Hosted on an existing K3s cluster, declared from TypeScript with the component
// package (docs/components.md). The args are the stack settings of docs/configuration.md,
// camelCase, as plain values; only credentials may be secrets or other Outputs.
import * as pulumi from "@pulumi/pulumi";
import * as gitpod from "@pulumi/gitpod";

const config = new pulumi.Config();

const architecture = new gitpod.GitpodReferenceArchitecture("gitpod", {
    domain: config.require("domain"),
    cloud: "existing",
    cluster: {
        distribution: "k3s",
        labelNodes: ["k3s-server-0"],
        kubernetesVersion: "1.24.17",
        kernelVersion: "5.15.0",
        nodeOs: "ubuntu-22.04",
    },
    database: { mode: "incluster" },
    storage: { mode: "incluster" },
    registry: { kind: "incluster" },
    certificate: { issuer: "selfsigned" },
    authProviders: [
        {
            type: "GitHub",
            clientId: config.require("githubClientId"),
            clientSecret: config.requireSecret("githubClientSecret"),
        },
    ],
});

export const installerConfig = architecture.installerConfig;
export const namespace = architecture.namespace;
export const certificateSecret = architecture.certificateSecret;
export const warnings = architecture.warnings;
export const oauthCallbackUrls = architecture.oauthCallbackUrls;
