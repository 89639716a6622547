#!/usr/bin/env bash
# Prints this machine's Terraform platform name (linux_amd64, darwin_arm64, ...); used by the
# release and install scripts.
set -euo pipefail
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) echo linux_amd64 ;;
  Linux/aarch64) echo linux_arm64 ;;
  Darwin/arm64) echo darwin_arm64 ;;
  Darwin/x86_64) echo darwin_amd64 ;;
  *) echo "unsupported platform $(uname -s)/$(uname -m)" >&2; exit 1 ;;
esac
