#!/usr/bin/env bash
# Installs what the ann benchmark reads (never committed to the repository):
#   dataset-fashion-mnist  - ann-benchmarks' fashion-mnist-784 data (60K train + 10K test images)
#   python3-hnswlib, python3-faiss, python3-numpy - the C++ peers, driven by bench/peers/ann_peers.py
# Debian packages only; needs root (or sudo). Does nothing when everything is installed.
set -euo pipefail

packages=(dataset-fashion-mnist python3-hnswlib python3-faiss python3-numpy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "all installed: ${packages[*]}"
else
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y "${missing[@]}"
fi
# The Java bench looks here by default (AnnDataset.DEBIAN_FASHION_MNIST); --fashion-dir overrides.
dpkg -L dataset-fashion-mnist | grep 'images-idx3-ubyte.gz$'
