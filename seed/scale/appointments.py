"""Appointments: contacts over the time on ECM, attendance only once they have happened and
engagement only when attended."""

from datetime import datetime, timedelta

from cases import rules
from cases.models import Attendance
from seed.demo.vocabulary import OUTCOMES, PURPOSES
from seed.scale.vocabulary import KIND_CHOICES, MISSED_OUTCOMES, NOT_ATTENDED_CHOICES, TIMES


def appointment_rows(generator, rows, rng, person, practitioner, start, end, days_on):
    """Contacts spread over the time on ECM, plus the next one or two for open cases."""
    count = max(1, round(days_on * generator.rate * rng.uniform(0.7, 1.3)))
    attends = rng.uniform(0.55, 0.9)
    engagement = rng.randint(rules.ENGAGEMENT_MIN, rules.ENGAGEMENT_MIN + 2)  # starts low
    kinds = rng.choices(*KIND_CHOICES, k=count)
    purposes = rng.choices(PURPOSES, k=count)
    times = rng.choices(TIMES, k=count)
    now, tz, out = generator.now, generator.tz, rows["appointment"]
    hour = timedelta(hours=1)
    step = days_on / count
    for index in range(count):
        day = start + timedelta(days=int((index + rng.random()) * step))
        starts_at = datetime.combine(day, times[index], tzinfo=tz)
        recorded_at = starts_at + hour
        if rules.attendance_before_start(starts_at, Attendance.ATTENDED, now=now):
            # Not begun yet: planned, with no attendance to record.
            attendance, rating, outcome, recorded_at = "", None, ("", ""), now
        elif rng.random() < attends:
            attendance = Attendance.ATTENDED
            progress = index / count
            drift = engagement + int(progress * 2.5) + rng.choice((-1, 0, 0, 1))
            rating = min(rules.ENGAGEMENT_MAX, max(rules.ENGAGEMENT_MIN, drift))
            outcome = rng.choice(OUTCOMES)
            recorded_at = min(recorded_at, now)
        else:
            attendance = rng.choices(*NOT_ATTENDED_CHOICES)[0]
            rating, outcome = None, ("not_applicable", MISSED_OUTCOMES[attendance])
            recorded_at = min(recorded_at, now)
        purpose_code, detail = purposes[index]
        out.append(
            (
                person,
                starts_at,
                kinds[index],
                generator.purpose_ids[purpose_code],
                detail,
                rules.default_duration(kinds[index]),
                attendance,
                rating,
                *outcome,
                practitioner,
                practitioner,
                recorded_at,
            )
        )
    if end is None:  # the next appointments, not yet held
        for ahead in sorted(rng.sample(range(1, 15), k=rng.randint(1, 2))):
            day = generator.today + timedelta(days=ahead)
            purpose_code, detail = rng.choice(PURPOSES)
            out.append(
                (
                    person,
                    datetime.combine(day, rng.choice(TIMES), tzinfo=tz),
                    "one_to_one",
                    generator.purpose_ids[purpose_code],
                    detail,
                    rules.default_duration("one_to_one"),
                    "",
                    None,
                    "",
                    "",
                    practitioner,
                    practitioner,
                    now,
                )
            )
            count += 1
    generator.appointments += count
