"""The database root CAs the program ships (`gitpod_refarch.dbtls`): what the files hold, checked by parsing them.

A failure here after a vendor change says what to refresh; the steps are in the module's docstring
and docs/security.md ("Refreshing the shipped CAs").
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from gitpod_refarch import dbtls

REFRESH = "refresh components/gitpod_refarch/dbtls/ (docs/security.md, 'Refreshing the shipped CAs')"

#: The regions AWS's global bundle had roots for when it was shipped, plus its `Beta` and `Preview`
#: endpoints (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html).
RDS_REGIONS = [
    "af-south-1",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
]


def parse(pem: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(pem.encode())


def common_name(cert: x509.Certificate) -> str:
    return str(cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value)


@pytest.mark.parametrize("bundle", [dbtls.RDS, dbtls.FLEXIBLE_SERVER], ids=lambda b: b.file)
def test_each_shipped_file_is_certificates_only_and_each_one_a_self_signed_ca(bundle):
    pem = bundle.pem()
    certs = parse(pem)
    # Nothing but PEM blocks: Gitpod's clients read the whole text (DB_CA_CERT).
    assert re.sub(r"-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n", "", pem) == ""
    assert len(dbtls.certificates(pem)) == len(certs)
    for cert in certs:
        assert cert.issuer == cert.subject, common_name(cert)
        if not isinstance(cert.signature_hash_algorithm, hashes.SHA1):  # DigiCert Global Root CA (2006) is SHA-1 signed
            cert.verify_directly_issued_by(cert)
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca, common_name(cert)
    assert bundle.retrieved and bundle.vendor_url.startswith("https://")


@pytest.mark.parametrize("bundle", [dbtls.RDS, dbtls.FLEXIBLE_SERVER], ids=lambda b: b.file)
def test_no_shipped_root_has_expired(bundle):
    """Fails on the day a vendor root expires: the message says which, and how to refresh."""
    now = datetime.now(timezone.utc)
    expired = [f"{common_name(c)} (expired {c.not_valid_after_utc:%Y-%m-%d})" for c in parse(bundle.pem()) if c.not_valid_after_utc <= now]
    assert not expired, f"{bundle.file} holds expired roots {expired}: {REFRESH}"


def test_the_rds_bundle_has_the_three_g1_roots_of_every_region_and_nothing_else():
    names = sorted(common_name(c) for c in parse(dbtls.RDS.pem()))
    expected = sorted(
        dbtls.rds_root_name(region, kind)
        for region in [*RDS_REGIONS, "Beta us-east-1", "Preview us-east-2"]
        for kind in dbtls.RDS_ROOT_KINDS
    )
    assert names == expected


@pytest.mark.parametrize("region", RDS_REGIONS)
def test_a_region_gets_exactly_its_own_three_roots(region):
    roots = dbtls.rds_roots(region)
    assert roots is not None
    assert sorted(common_name(c) for c in parse(roots)) == sorted(dbtls.rds_root_name(region, k) for k in dbtls.RDS_ROOT_KINDS)
    # Small enough for the environment variable Gitpod passes it in (the whole bundle is not).
    assert len(f"{dbtls.CA_ENV_VAR}={roots}".encode()) < dbtls.MAX_ENV_STRING < len(dbtls.RDS.pem())


@pytest.mark.parametrize("region", ["us-gov-west-1", "cn-north-1", "ap-east-2", "east-1"])
def test_a_region_the_bundle_does_not_cover_gets_none(region):
    assert dbtls.rds_roots(region) is None


def test_the_flexible_server_roots_are_the_ones_microsoft_publishes():
    certs = parse(dbtls.flexible_server_roots())
    assert {common_name(c): c.fingerprint(hashes.SHA256()).hex().upper() for c in certs} == dbtls.FLEXIBLE_SERVER_FINGERPRINTS
