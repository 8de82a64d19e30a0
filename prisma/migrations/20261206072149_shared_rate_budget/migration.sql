-- CreateTable
CREATE TABLE "PagerDutyRateBudget" (
    "fingerprint" TEXT NOT NULL,
    "limit" INTEGER NOT NULL,
    "windowMs" INTEGER NOT NULL,
    "holdMs" INTEGER NOT NULL,
    "grantedAt" TIMESTAMPTZ(3)[],
    "grantedCount" INTEGER[],
    "pausedUntil" TIMESTAMPTZ(3),
    "serverRemaining" INTEGER,
    "serverResetAt" TIMESTAMPTZ(3),
    "granted" BIGINT NOT NULL DEFAULT 0,
    "reservations" BIGINT NOT NULL DEFAULT 0,
    "rateLimited" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PagerDutyRateBudget_pkey" PRIMARY KEY ("fingerprint")
);

-- The shared budget is changed only through these two functions. Each is one statement for the caller (one
-- round trip) and serialises on the credential's row: the row lock is taken first, and every later statement
-- of the function sees what earlier holders committed (READ COMMITTED takes a new snapshot per statement).
-- Times are the database's clock, so processes on machines with skewed clocks agree.

-- Reserve up to p_want tokens. A batch stays counted for holdMs after its grant (the window, plus the time a
-- process may keep unused tokens, plus a margin for latency), so no window can see more than `limit` requests
-- from all processes together. Returns how many were granted, the batch's grant time (to give unused tokens
-- back on the next call), and how long to wait before asking again when fewer than p_want were granted.
-- p_obs_*: the caller's latest ratelimit-* answer (remaining, reset, how long ago, its requests then in flight);
-- the server's count can only lower what is handed out.
CREATE FUNCTION pd_rate_budget_reserve(
  p_fingerprint text, p_want integer, p_limit integer, p_window_ms integer, p_hold_ms integer,
  p_give_back integer, p_give_back_at timestamptz,
  p_obs_limit integer, p_obs_remaining integer, p_obs_reset_ms integer, p_obs_age_ms integer, p_obs_in_flight integer)
RETURNS TABLE (granted integer, batch_at timestamptz, wait_ms integer, budget_limit integer)
LANGUAGE plpgsql AS $$
DECLARE
  b "PagerDutyRateBudget"%ROWTYPE;
  t timestamptz;
  hold interval;
  margin interval;
  keep_at timestamptz[] := '{}';
  keep_n integer[] := '{}';
  used integer := 0;
  recent integer := 0;
  avail integer;
  n integer := 0;
  wait interval := interval '0';
  obs_at timestamptz;
  obs_reset timestamptz;
  candidate integer;
  gave boolean := false;
  c integer;
  i integer;
BEGIN
  INSERT INTO "PagerDutyRateBudget" ("fingerprint", "limit", "windowMs", "holdMs", "grantedAt", "grantedCount")
  VALUES (p_fingerprint, p_limit, p_window_ms, p_hold_ms, '{}', '{}')
  ON CONFLICT ("fingerprint") DO NOTHING;
  SELECT * INTO b FROM "PagerDutyRateBudget" WHERE "fingerprint" = p_fingerprint FOR UPDATE;
  t := date_trunc('milliseconds', clock_timestamp());
  b."windowMs" := greatest(b."windowMs", p_window_ms);
  b."holdMs" := greatest(b."holdMs", p_hold_ms);
  hold := make_interval(secs => b."holdMs" / 1000.0);
  margin := make_interval(secs => (b."holdMs" - b."windowMs") / 1000.0);
  b."limit" := CASE WHEN p_obs_limit > 0 THEN p_obs_limit ELSE least(b."limit", p_limit) END;

  FOR i IN 1 .. coalesce(array_length(b."grantedAt", 1), 0) LOOP
    CONTINUE WHEN b."grantedAt"[i] + hold <= t;
    c := b."grantedCount"[i];
    IF NOT gave AND p_give_back > 0 AND b."grantedAt"[i] = p_give_back_at AND c >= p_give_back THEN
      c := c - p_give_back;
      gave := true;
    END IF;
    CONTINUE WHEN c <= 0;
    keep_at := keep_at || b."grantedAt"[i];
    keep_n := keep_n || c;
    used := used + c;
  END LOOP;

  -- Given-back tokens never reached PagerDuty: they return to the server's count too, when they were taken
  -- from it (granted within its current window). Without this, every dropped batch would lower it for good
  -- and stall the budget until PagerDuty's reset.
  IF gave AND b."serverResetAt" > t AND p_give_back_at > b."serverResetAt" - make_interval(secs => b."windowMs" / 1000.0) THEN
    b."serverRemaining" := b."serverRemaining" + p_give_back;
  END IF;

  IF p_obs_remaining IS NOT NULL AND p_obs_reset_ms IS NOT NULL THEN
    obs_at := t - make_interval(secs => greatest(p_obs_age_ms, 0) / 1000.0);
    obs_reset := obs_at + make_interval(secs => greatest(p_obs_reset_ms, 0) / 1000.0);
    -- Tokens granted after the answer were not counted in it (nor the observer's requests then in flight).
    -- Earlier grants are taken as counted: subtracting them too would count most of a burst twice and stall
    -- the budget until PagerDuty's reset; the sliding window above already bounds the portal's own requests.
    FOR i IN 1 .. coalesce(array_length(keep_at, 1), 0) LOOP
      IF keep_at[i] > obs_at THEN recent := recent + keep_n[i]; END IF;
    END LOOP;
    candidate := greatest(0, p_obs_remaining - coalesce(p_obs_in_flight, 0) - recent);
    IF obs_reset > t THEN
      IF b."serverResetAt" IS NULL OR b."serverResetAt" <= t OR obs_reset > b."serverResetAt" + interval '1 second' THEN
        b."serverRemaining" := candidate;
        b."serverResetAt" := obs_reset;
      ELSE
        b."serverRemaining" := least(b."serverRemaining", candidate);
      END IF;
    END IF;
  END IF;
  IF b."serverResetAt" IS NOT NULL AND b."serverResetAt" <= t THEN
    b."serverRemaining" := NULL;
    b."serverResetAt" := NULL;
  END IF;

  IF b."pausedUntil" IS NOT NULL AND b."pausedUntil" > t THEN
    wait := b."pausedUntil" - t;
  ELSE
    avail := b."limit" - used;
    IF b."serverResetAt" IS NOT NULL THEN avail := least(avail, b."serverRemaining"); END IF;
    n := greatest(0, least(p_want, avail));
    IF n < p_want THEN
      IF b."serverResetAt" IS NOT NULL AND b."serverRemaining" - n <= 0 THEN
        wait := b."serverResetAt" + margin - t;
      ELSIF array_length(keep_at, 1) > 0 THEN
        wait := keep_at[1] + hold - t;
      ELSE
        wait := margin;
      END IF;
    END IF;
  END IF;

  IF n > 0 THEN
    keep_at := keep_at || t;
    keep_n := keep_n || n;
    IF b."serverResetAt" IS NOT NULL THEN b."serverRemaining" := b."serverRemaining" - n; END IF;
  END IF;
  UPDATE "PagerDutyRateBudget" SET
    "limit" = b."limit", "windowMs" = b."windowMs", "holdMs" = b."holdMs",
    "grantedAt" = keep_at, "grantedCount" = keep_n,
    "serverRemaining" = b."serverRemaining", "serverResetAt" = b."serverResetAt",
    "granted" = b."granted" + n - CASE WHEN gave THEN p_give_back ELSE 0 END,
    "reservations" = b."reservations" + 1, "updatedAt" = t
  WHERE "fingerprint" = p_fingerprint;
  RETURN QUERY SELECT n, CASE WHEN n > 0 THEN t END, greatest(1, ceil(extract(epoch FROM wait) * 1000))::integer, b."limit";
END $$;

-- A 429 seen by any process pauses every process using the credential until PagerDuty's reset.
CREATE FUNCTION pd_rate_budget_pause(p_fingerprint text, p_pause_ms integer, p_limit integer, p_window_ms integer, p_hold_ms integer)
RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
  t timestamptz := date_trunc('milliseconds', clock_timestamp());
  pause_until timestamptz := t + make_interval(secs => greatest(p_pause_ms, 0) / 1000.0);
  result timestamptz;
BEGIN
  INSERT INTO "PagerDutyRateBudget" AS b ("fingerprint", "limit", "windowMs", "holdMs", "grantedAt", "grantedCount", "pausedUntil", "serverRemaining", "serverResetAt", "rateLimited")
  VALUES (p_fingerprint, p_limit, p_window_ms, p_hold_ms, '{}', '{}', pause_until, 0, pause_until, 1)
  ON CONFLICT ("fingerprint") DO UPDATE SET
    "pausedUntil" = greatest(coalesce(b."pausedUntil", pause_until), pause_until),
    "serverRemaining" = 0,
    "serverResetAt" = greatest(coalesce(b."serverResetAt", pause_until), pause_until),
    "rateLimited" = b."rateLimited" + 1,
    "updatedAt" = t
  RETURNING b."pausedUntil" INTO result;
  RETURN result;
END $$;
