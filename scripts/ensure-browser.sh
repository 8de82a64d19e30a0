#!/usr/bin/env bash
# Playwright cannot download its own browsers on offline machines: use Debian's Chromium.
# Installs it when missing and we may (root with apt-get); otherwise Playwright's own browser is used.
set -euo pipefail
if [ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium from Debian for the end-to-end tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "No system Chromium found: Playwright will use its own browser (npx playwright install chromium)." >&2
fi
