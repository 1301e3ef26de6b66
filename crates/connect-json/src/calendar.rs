//! Dates as Java's `GregorianCalendar` numbers them, which every date Kafka prints or parses
//! goes through (`SimpleDateFormat`, `Date.toString()`, Connect's `Values`).
//!
//! Java's calendar is not the proleptic Gregorian calendar: it is Julian before the
//! Gregorian reform and Gregorian from it, the day after Thursday 4 October 1582 (Julian)
//! being Friday 15 October 1582 (Gregorian). An instant before the reform gets the Julian
//! day, month and year: `-62135596800000` ms, which proleptic Gregorian calls 0001-01-01,
//! is 0001-01-03 to Java. The days between 5 and 14 October 1582 do not exist; a date
//! there is read leniently as the Julian date it names (10 October is the 20th). Years
//! count astronomically here (0 is 1 BC); callers print the year of the era.
//!
//! Days are counted from 1970-01-01 (Unix epoch), in UTC, as in Kafka.

/// 1582-10-15, the first Gregorian day, in days since 1970-01-01.
pub const GREGORIAN_CUTOVER_DAYS: i64 = -141_427;

/// The Java calendar date `(year, month 1-12, day 1-31)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    if days >= GREGORIAN_CUTOVER_DAYS {
        gregorian_from_days(days)
    } else {
        julian_from_days(days)
    }
}

/// The day count since 1970-01-01 of a Java calendar date; a month or day out of range
/// rolls over as Java's lenient calendar does. `None` on overflow.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    let month0 = month.checked_sub(1)?;
    let year = year.checked_add(month0.div_euclid(12))?;
    let month = month0.rem_euclid(12) + 1;
    let gregorian = days_from_gregorian(year, month)?.checked_add(day.checked_sub(1)?)?;
    if gregorian >= GREGORIAN_CUTOVER_DAYS {
        Some(gregorian)
    } else {
        days_from_julian(year, month)?.checked_add(day - 1)
    }
}

/// Days since 1970-01-01 of the first of a proleptic Gregorian month (Howard Hinnant's
/// algorithm).
fn days_from_gregorian(year: i64, month: i64) -> Option<i64> {
    let y = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era.checked_mul(146_097)?.checked_add(doe - 719_468)
}

fn gregorian_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

/// Days since 1970-01-01 of the first of a proleptic Julian month, through the Julian
/// day number (day 2440588 is 1970-01-01).
fn days_from_julian(year: i64, month: i64) -> Option<i64> {
    let a = (14 - month) / 12;
    let y = year.checked_add(4800 - a)?;
    let m = month + 12 * a - 3;
    let jdn = 1 + (153 * m + 2) / 5 + y.checked_mul(365)? + y.div_euclid(4) - 32_083;
    jdn.checked_sub(2_440_588)
}

fn julian_from_days(days: i64) -> (i64, u32, u32) {
    let c = days.saturating_add(2_440_588 + 32_082);
    let d = (4 * c + 3).div_euclid(1461);
    let e = c - (1461 * d).div_euclid(4);
    let m = (5 * e + 2) / 153;
    let day = e - (153 * m + 2) / 5 + 1;
    let month = m + 3 - 12 * (m / 10);
    let year = d - 4800 + m / 10;
    (year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reform_is_where_java_has_it() {
        // Java: new Date(-12219292800000L) is Fri Oct 15 1582, one millisecond before it
        // Thu Oct 04 1582.
        assert_eq!(civil_from_days(GREGORIAN_CUTOVER_DAYS), (1582, 10, 15));
        assert_eq!(civil_from_days(GREGORIAN_CUTOVER_DAYS - 1), (1582, 10, 4));
        assert_eq!(days_from_civil(1582, 10, 15), Some(GREGORIAN_CUTOVER_DAYS));
        assert_eq!(
            days_from_civil(1582, 10, 4),
            Some(GREGORIAN_CUTOVER_DAYS - 1)
        );
        // Inside the gap: read as the Julian date.
        assert_eq!(
            days_from_civil(1582, 10, 10),
            Some(GREGORIAN_CUTOVER_DAYS + 5)
        );
    }

    #[test]
    fn dates_before_the_reform_are_julian() {
        // Java formats -62135596800000 ms as 0001-01-03, -30000000000000 as 1019-04-28
        // and -1000000000000000 as 29720-11-16 BC (year -29719).
        assert_eq!(civil_from_days(-62_135_596_800_000 / 86_400_000), (1, 1, 3));
        assert_eq!(
            civil_from_days((-30_000_000_000_000_i64).div_euclid(86_400_000)),
            (1019, 4, 28)
        );
        assert_eq!(
            civil_from_days((-1_000_000_000_000_000_i64).div_euclid(86_400_000)),
            (-29_719, 11, 16)
        );
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn day_counts_round_trip() {
        for days in [
            -800_000,
            -141_428,
            -141_427,
            -1,
            0,
            59,
            11_016,
            2_932_896,
            -10_000_000,
        ] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(
                days_from_civil(y, i64::from(m), i64::from(d)),
                Some(days),
                "{days}"
            );
        }
    }
}
