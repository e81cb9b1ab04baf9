"""An existing cluster (K3s, kind, any conformant cluster) reached through a kubeconfig.

It builds nothing of its own beyond the cluster connection: every database, storage, registry
and DNS-01 mode it accepts is a generic one (`clouds.GENERIC`).
"""

from ..clouds import CloudOffer
from .settings import rules

OFFER: CloudOffer[None] = CloudOffer(name="existing", rules=rules)
