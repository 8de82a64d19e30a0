#!/usr/bin/env bash
# Runs the tests whose outcome could depend on when they run (schedules, on-call shifts, expiries, due dates,
# reminders, recurrence, sync schedules) with the wall clock moved to instants that break such suites:
# Saturday 00:30 UTC, Sunday 06:19 UTC, the daylight-saving changes of Europe/Berlin and America/New_York
# (with TZ set to that zone, the run starting two minutes before the change), and 31 December 23:59 UTC.
#
# libfaketime (Debian's faketime package) is preloaded into every process the suite starts: Vitest and its
# workers, PGlite inside them, the simulators, the OpenID provider and the Next.js server. It moves
# CLOCK_REALTIME by one offset fixed here, so all of them agree on the time and it keeps running; monotonic
# clocks (timers, timeouts) are left alone. Chromium alone keeps the machine's clock (it hangs under
# libfaketime; playwright.config.ts starts it without the preload): the browser only measures intervals.
#
#   npm run test:any-time                       every instant: the time-sensitive Vitest files and e2e specs
#   npm run test:any-time -- dst-berlin         one instant (names below)
#   ANY_TIME_E2E="e2e/sync.spec.ts" npm run test:any-time -- sunday-morning   other e2e specs ("" for none)
#   ANY_TIME_VITEST=all npm run test:any-time                                 the whole Vitest suite (0: none)
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

# name|instant (UTC)|TZ of the processes: the next of each kind after now (scripts/any-time-instants.mjs says why)
mapfile -t INSTANTS < <(node scripts/any-time-instants.mjs)
E2E_SPECS=${ANY_TIME_E2E-"e2e/sync.spec.ts e2e/reviews.spec.ts"}
# Every Vitest file whose subject moves with the clock: rendered schedules and on-call shifts, sync horizons and
# schedules, token and session expiry, scheduled changes after a shift, review due dates, reminders,
# escalation and recurrence, job schedules, just-in-time access (expiries, timeouts, escalation, notices).
# ANY_TIME_VITEST=all runs the whole suite; 0 none.
TIME_SENSITIVE=(
  simulator/schedule/render.test.ts
  tests/simulator/oncalls.test.ts tests/simulator/schedules.test.ts tests/simulator/control.test.ts
  tests/simulator/escalation-policies.test.ts tests/simulator/audit.test.ts tests/simulator/auth.test.ts tests/simulator/seed.test.ts
  tests/sync/full-sync.test.ts tests/sync/drift-incremental.test.ts tests/sync/jobs.test.ts tests/sync/accounts.test.ts
  tests/pagerduty-data/views.test.ts tests/pagerduty/auth.test.ts tests/auth/adapter.test.ts tests/connections/connections.test.ts
  tests/changes/coverage.test.ts tests/changes/pipeline.test.ts tests/changes/rules.test.ts tests/changes/queries.test.ts
  tests/reviews/launch.test.ts tests/reviews/decisions.test.ts tests/reviews/schedule.test.ts tests/reviews/remediation.test.ts tests/reviews/queries.test.ts
  tests/jobs/queue.test.ts
  tests/access/lifecycle.test.ts tests/access/restoration.test.ts tests/access/durability.test.ts tests/access/notifications.test.ts
)
case "${ANY_TIME_VITEST:-time}" in
  all) VITEST_FILES=() ;;
  0) VITEST_FILES=(none) ;;
  *) VITEST_FILES=("${TIME_SENSITIVE[@]}") ;;
esac

lib=""
for candidate in /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 /usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1; do
  [ -f "$candidate" ] && lib=$candidate && break
done
if [ -z "$lib" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing faketime from Debian…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null
    lib=$(dpkg -L libfaketime | grep 'libfaketimeMT.so.1$' | head -n 1)
  fi
  [ -n "$lib" ] || { echo "libfaketime is missing: install Debian's faketime package (apt-get install faketime)." >&2; exit 1; }
fi
bash scripts/ensure-browser.sh

selected=("$@")
reports=()
mkdir -p test-results/any-time
# One production build for every instant (building does not depend on the time); each instant's portal
# then starts on a fresh embedded database.
[ "${E2E_SKIP_BUILD:-}" = "1" ] || [ -z "$E2E_SPECS" ] || npx next build >/dev/null

for entry in "${INSTANTS[@]}"; do
  IFS="|" read -r name instant zone <<<"$entry"
  if [ ${#selected[@]} -gt 0 ] && [[ ! " ${selected[*]} " =~ " ${name} " ]]; then continue; fi
  offset=$(( $(date -u -d "$instant" +%s) - $(date -u +%s) ))
  [ "$offset" -ge 0 ] && offset="+${offset}"
  echo "== ${name}: the clock at ${instant} (TZ=${zone}), offset ${offset}s"
  run() {
    env LD_PRELOAD="$lib" FAKETIME="${offset}" FAKETIME_DONT_FAKE_MONOTONIC=1 TZ="$zone" "$@"
  }
  run node -e 'console.log("   every process now reads " + new Date().toISOString())'
  status=0
  if [ "${VITEST_FILES[*]}" != "none" ]; then
    run npx vitest run "${VITEST_FILES[@]}" --reporter=default --reporter=json --outputFile.json="test-results/any-time/${name}-vitest.json" || status=1
    reports+=("test-results/any-time/${name}-vitest.json")
  fi
  if [ -n "$E2E_SPECS" ]; then
    # shellcheck disable=SC2086
    run env E2E_SKIP_BUILD=1 npx playwright test $E2E_SPECS || status=1
    cp test-results/e2e.json "test-results/any-time/${name}-e2e.json"
    reports+=("test-results/any-time/${name}-e2e.json")
  fi
  [ $status -eq 0 ] && echo "== ${name}: passed" || echo "== ${name}: FAILED"
done

node scripts/test-summary.mjs "${reports[@]}"
