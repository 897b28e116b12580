#!/usr/bin/env bash
# Runs every test. Installs what the tests need (Debian packages) when it is missing; the tests start their own
# servers (Redis, ...) on free loopback ports and stop them.
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs Debian packages (as root), without starting their services: the tests start their own.
install_packages() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "The tests need: $*. Install them (apt-get install -y $*) or run this as root." >&2
    exit 1
  fi
  echo "Installing $* ..."
  if [ -z "${apt_updated:-}" ]; then apt-get update -qq; apt_updated=1; fi
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  # Postfix asks which configuration to install: none (the tests start their own instances).
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
  if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
}

need_packages=()
command -v redis-server >/dev/null 2>&1 || need_packages+=(redis-server)
# A real SMTP server for the ARF escalation tests (aiosmtpd, run by Debian's python3).
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need_packages+=(python3-aiosmtpd)
# The Kubernetes manifests are linted and validated against the API's JSON schemas offline (KubernetesManifestTests).
command -v yamllint >/dev/null 2>&1 || need_packages+=(yamllint)
command -v node >/dev/null 2>&1 || need_packages+=(nodejs)
# A real Postfix asks the policy listener and the DNS blocklist; swaks speaks SMTP to it; dig queries the zones.
[ -x /usr/sbin/postfix ] || need_packages+=(postfix)
command -v swaks >/dev/null 2>&1 || need_packages+=(swaks)
command -v dig >/dev/null 2>&1 || need_packages+=(bind9-dnsutils)
if [ ${#need_packages[@]} -gt 0 ]; then install_packages "${need_packages[@]}"; fi
# npm only now: some Node.js packages (NodeSource's) bring their own npm and conflict with Debian's.
command -v npm >/dev/null 2>&1 || install_packages npm

# npm packages pinned by a package-lock.json, installed again when the lock file changes: the Kubernetes schema
# validator, and Azurite (Microsoft's Azure Storage emulator) for the tests of the AzureStorage profile.
for npm_dir in deploy/k8s/validate tests/azurite; do
  if [ ! -d "$npm_dir/node_modules" ] || [ "$npm_dir/package-lock.json" -nt "$npm_dir/node_modules" ]; then
    echo "Installing the npm packages of $npm_dir ..."
    (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
  fi
done

dotnet test Clearinghouse.sln -c Release --logger "console;verbosity=minimal" "$@"
