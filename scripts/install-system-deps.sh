#!/usr/bin/env bash
# Install the Debian packages the project needs, when missing and when running as root.
# Usage: scripts/install-system-deps.sh [postgis] [proxy] [browser] [gdal]
#   postgis  PostgreSQL 15 + PostGIS 3 (skipped when DATABASE_URL is set)
#   proxy    nginx, the reverse proxy `python -m dashboard` starts in front of gunicorn
#   browser  Chromium and CJK fonts for the UI tests and screenshots
#   gdal     GDAL's command-line tools, the real client of the OGC API tests (ogrinfo, ogr2ogr)
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
        proxy)
            if [ ! -x /usr/sbin/nginx ] && [ "$(id -u)" -eq 0 ]; then
                packages+=(nginx)
            elif [ ! -x /usr/sbin/nginx ]; then  # optional: the dashboard then serves gunicorn directly
                echo "nginx is missing: the dashboard will serve without its proxy (sudo apt-get install -y nginx)" >&2
            fi ;;
        browser)
            command -v chromium >/dev/null 2>&1 || packages+=(chromium)
            dpkg -s fonts-noto-cjk >/dev/null 2>&1 || packages+=(fonts-noto-cjk) ;;
        gdal)
            command -v ogrinfo >/dev/null 2>&1 || packages+=(gdal-bin) ;;
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
# The project starts nginx itself (dashboard/proxy.py); the package's own service, which the
# installation starts on port 80 where systemd runs, is not wanted.
if [[ " ${packages[*]} " == *" nginx "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
fi
