#!/usr/bin/env bash
# Install the Debian packages the project needs, when missing and when running as root.
# Usage: scripts/install-system-deps.sh [postgis] [browser]
#   postgis  PostgreSQL 15 + PostGIS 3 (skipped when DATABASE_URL is set)
#   browser  Chromium and CJK fonts for the UI tests and screenshots
# Python's venv module is always checked (Debian ships it separately).
set -euo pipefail

PYTHON=${PYTHON:-python3.11}
packages=()

if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    packages+=(python3-venv)
fi
for want in "$@"; do
    case "$want" in
        postgis)
            if [ -z "${DATABASE_URL:-}" ] && ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
                packages+=(postgresql-15 postgresql-15-postgis-3 postgresql-contrib)
            fi ;;
        browser)
            command -v chromium >/dev/null 2>&1 || packages+=(chromium)
            dpkg -s fonts-noto-cjk >/dev/null 2>&1 || packages+=(fonts-noto-cjk) ;;
        *) echo "unknown component: $want" >&2; exit 2 ;;
    esac
done

[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${packages[*]}" >&2
    echo "install them with: sudo apt-get install -y ${packages[*]}" >&2
    exit 1
fi
echo "installing Debian packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
