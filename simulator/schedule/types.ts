/**
 * Shapes of a PagerDuty schedule as the simulator stores it (mirrors the v2 API's ScheduleLayer,
 * Restriction and Override objects). Times are ISO 8601 strings with offsets, as PagerDuty sends them.
 */
export interface SimRestriction {
  type: "daily_restriction" | "weekly_restriction";
  /** "HH:MM:SS" in the schedule's time zone */
  start_time_of_day: string;
  /** 1 = Monday … 7 = Sunday; weekly restrictions only */
  start_day_of_week?: number;
  duration_seconds: number;
}

export interface SimLayer {
  id: string;
  name: string;
  start: string;
  end: string | null;
  rotation_virtual_start: string;
  rotation_turn_length_seconds: number;
  /** user ids in rotation order */
  users: string[];
  restrictions: SimRestriction[];
}

export interface SimOverride {
  id: string;
  start: string;
  end: string;
  userId: string;
}

export interface SimSchedule {
  id: string;
  name: string;
  description: string | null;
  time_zone: string;
  /** In PagerDuty's API order (see render.ts for which layer wins). */
  layers: SimLayer[];
  overrides: SimOverride[];
  teamIds: string[];
}

/** One rendered span: `userId` is on call in [start, end). */
export interface ScheduleEntry {
  start: Date;
  end: Date;
  userId: string;
}
