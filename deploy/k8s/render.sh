#!/usr/bin/env bash
# Renders each overlay into deploy/k8s/rendered/<overlay>.yaml (committed, so the manifest tests validate the rendered
# objects on machines without kubectl; KubernetesManifestTests checks the files are current wherever kubectl exists).
set -euo pipefail
cd "$(dirname "$0")"
for overlay in overlays/*/; do
  name=$(basename "$overlay")
  kubectl kustomize "$overlay" > "rendered/$name.yaml"
done
