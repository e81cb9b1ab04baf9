"""An existing cluster (K3s, kind, any conformant cluster) reached through a kubeconfig."""
