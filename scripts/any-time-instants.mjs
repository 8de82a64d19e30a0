// The instants scripts/test-any-time.sh runs the suite at, one "name|ISO instant|TZ" line each: the next of each
// kind after now. They lie ahead of the machine's clock because Chromium keeps that clock (it hangs under
// libfaketime), and a cookie the faked portal sets must not already have expired for the real browser.
const HOUR = 3_600_000;
const MINUTE = 60_000;
const now = Date.now();

/** The next instant after now at weekday `day` (0 = Sunday), hh:mm UTC. */
function nextWeekday(day, hh, mm) {
  const d = new Date(now);
  d.setUTCHours(hh, mm, 0, 0);
  d.setUTCDate(d.getUTCDate() + ((day - d.getUTCDay() + 7) % 7));
  if (d.getTime() <= now) d.setUTCDate(d.getUTCDate() + 7);
  return d.getTime();
}

/** The zone's UTC offset at t, as Intl spells it ("GMT+01:00"). */
function offsetAt(zone, t) {
  return new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(t).find((p) => p.type === "timeZoneName").value;
}

/** The first instant after now at which the zone's offset changes (a daylight-saving change), to the minute. */
function nextTransition(zone) {
  let t = Math.ceil(now / HOUR) * HOUR;
  const first = offsetAt(zone, t);
  while (offsetAt(zone, t + HOUR) === first) {
    t += HOUR;
    if (t - now > 400 * 24 * HOUR) throw new Error(`${zone} has no daylight-saving change within 400 days`);
  }
  for (let m = t; m <= t + HOUR; m += MINUTE) if (offsetAt(zone, m) !== first) return m;
  throw new Error(`could not place ${zone}'s change to the minute`);
}

function nextYearEnd() {
  const year = new Date(now).getUTCFullYear();
  const t = Date.UTC(year, 11, 31, 23, 59);
  return t > now ? t : Date.UTC(year + 1, 11, 31, 23, 59);
}

const iso = (t) => new Date(t).toISOString().replace(/\.000Z$/, "Z");
const instants = [
  ["saturday-night", nextWeekday(6, 0, 30), "UTC"],
  ["sunday-morning", nextWeekday(0, 6, 19), "UTC"],
  // Two minutes before the change, so it happens while the tests run.
  ["dst-berlin", nextTransition("Europe/Berlin") - 2 * MINUTE, "Europe/Berlin"],
  ["dst-new-york", nextTransition("America/New_York") - 2 * MINUTE, "America/New_York"],
  ["year-end", nextYearEnd(), "UTC"],
];
for (const [name, t, zone] of instants) console.log(`${name}|${iso(t)}|${zone}`);
