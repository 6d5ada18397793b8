"""Chinese working days: chinese_calendar, or Mon–Fri for years it has no data for."""

from __future__ import annotations

import datetime as dt

import chinese_calendar


def is_workday(day: dt.date) -> tuple[bool, bool]:
    """``(working day, guessed)``: the official calendar (holidays and make-up
    working days), or Mon–Fri for a year ``chinese_calendar`` has no data for."""
    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        return day.weekday() < 5, True


def working_days_after(start: dt.date, end: dt.date) -> tuple[int, set[int]]:
    """Working days in ``(start, end]`` and the years counted Mon–Fri."""
    count, guessed = 0, set()
    day = start + dt.timedelta(days=1)
    while day <= end:
        work, guess = is_workday(day)
        count += work
        if guess:
            guessed.add(day.year)
        day += dt.timedelta(days=1)
    return count, guessed


def nth_working_day_after(start: dt.date, n: int) -> tuple[dt.date, set[int]]:
    """The day on which ``n`` working days after ``start`` have passed."""
    day, left, guessed = start, n, set()
    while left > 0:
        day += dt.timedelta(days=1)
        work, guess = is_workday(day)
        left -= work
        if guess:
            guessed.add(day.year)
    return day, guessed


def calendar_note(guessed: set[int]) -> str:
    if not guessed:
        return "按国家法定节假日和调休上班日计算（chinese_calendar）"
    years = "、".join(str(y) for y in sorted(guessed))
    return f"chinese_calendar 无{years}年节假日数据，该年按周一至周五计算工作日"
