#!/usr/bin/env bash
# Tools the tests use that npm cannot bring on offline machines, from Debian when missing and we may (root
# with apt-get): Chromium for Playwright (it cannot download its own browsers offline), and poppler-utils'
# pdftotext, which reads the evidence pack's PDF back as text.
set -euo pipefail
missing=()
if [ ! -x /usr/bin/chromium ] && [ ! -x /usr/bin/chromium-browser ]; then missing+=(chromium); fi
if ! command -v pdftotext >/dev/null 2>&1; then missing+=(poppler-utils); fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} from Debian for the tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Missing ${missing[*]}: install them (Debian: apt-get install ${missing[*]}); without Chromium Playwright uses its own browser (npx playwright install chromium)." >&2
fi
