"""Report assembly from rollup cells: periods, buckets, sums, conversion, pool sizes, money."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.analytics import (
    MAX_DAYS,
    Interval,
    Period,
    avg_duration_days,
    bucket_start,
    conversion,
    money,
    pool_series,
    prefixed,
    recent_sums,
    resolve_period,
    series,
    total,
    window,
)
from chalicelib.domain.dashboard import DEFAULT_LAYOUT, Placement, Widget, check_layout, normalise
from chalicelib.domain.errors import ValidationError

TODAY = date(2026, 3, 11)  # a Wednesday


def test_the_default_period_is_the_last_30_days_today_included() -> None:
    assert resolve_period(None, None, TODAY) == (date(2026, 2, 10), TODAY)
    assert resolve_period(None, date(2026, 1, 31), TODAY) == (date(2026, 1, 2), date(2026, 1, 31))
    assert resolve_period(date(2026, 3, 1), None, TODAY) == (date(2026, 3, 1), TODAY)


def test_from_after_to_or_a_range_over_three_years_names_the_field() -> None:
    with pytest.raises(ValidationError) as bad:
        resolve_period(date(2026, 3, 5), date(2026, 3, 4), TODAY)
    assert bad.value.field == "to"
    with pytest.raises(ValidationError) as bad:
        resolve_period(date(2026, 4, 1), None, TODAY)
    assert bad.value.field == "from"
    with pytest.raises(ValidationError) as bad:
        resolve_period(TODAY - timedelta(days=MAX_DAYS), TODAY, TODAY)
    assert bad.value.field == "to"
    assert resolve_period(TODAY - timedelta(days=MAX_DAYS - 1), TODAY, TODAY)[0] == TODAY - timedelta(days=MAX_DAYS - 1)


def test_buckets_start_on_the_week_start_or_the_first_of_the_month() -> None:
    assert bucket_start(TODAY, Interval.DAY) == TODAY
    assert bucket_start(TODAY, Interval.WEEK) == date(2026, 3, 9)
    assert bucket_start(TODAY, Interval.WEEK, "sunday") == date(2026, 3, 8)
    assert bucket_start(date(2026, 3, 8), Interval.WEEK, "sunday") == date(2026, 3, 8)
    assert bucket_start(TODAY, Interval.MONTH) == date(2026, 3, 1)
    period = Period(date(2026, 1, 30), date(2026, 3, 2), Interval.MONTH)
    assert period.buckets() == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    weeks = Period(date(2026, 3, 4), date(2026, 3, 16), Interval.WEEK, "monday").buckets()
    assert weeks == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]


def test_series_sums_each_bucket_within_the_period_and_keeps_empty_buckets() -> None:
    days = {
        date(2026, 3, 1): {"won": 5},  # before the period: not counted
        date(2026, 3, 3): {"won": 1, "created": 2},
        date(2026, 3, 8): {"won": 2},
        date(2026, 3, 20): {"created": 7},
    }
    period = Period(date(2026, 3, 2), date(2026, 3, 22), Interval.WEEK)
    assert series(period, days, "created", "won") == [
        (date(2026, 3, 2), {"created": 2, "won": 3}),
        (date(2026, 3, 9), {"created": 0, "won": 0}),
        (date(2026, 3, 16), {"created": 7, "won": 0}),
    ]
    assert total(days, "won", "missing") == {"won": 8, "missing": 0}


def test_conversion_and_average_duration() -> None:
    assert conversion(2, 1) == pytest.approx(2 / 3)
    assert conversion(0, 0) == 0.0
    assert avg_duration_days(2 * 86400 * 3, 2) == 3.0
    assert avg_duration_days(0, 0) is None


def test_money_is_the_base_currencys_decimal_string() -> None:
    assert money(123450, "EUR") == "1234.50"
    assert money(0, "EUR") == "0.00"
    assert money(500, "JPY") == "500"
    assert money(-5, "USD") == "-0.05"
    assert money(1234, "KWD") == "1.234"


def test_the_pool_size_at_the_end_of_each_bucket_counts_back_from_now() -> None:
    # Now 10 in the pool; +3 on Mar 9, -1 on Mar 10, +2 today (Mar 11).
    deltas = {date(2026, 3, 9): {"pool": 3}, date(2026, 3, 10): {"pool": -1}, date(2026, 3, 11): {"pool": 2}}
    period = Period(date(2026, 3, 8), date(2026, 3, 12), Interval.DAY)
    assert pool_series(period, 10, deltas, "pool") == [6, 9, 8, 10, 10]
    weekly = Period(date(2026, 3, 2), date(2026, 3, 11), Interval.WEEK)
    assert pool_series(weekly, 10, deltas, "pool") == [6, 10]


def test_prefixed_metrics() -> None:
    assert prefixed(
        {"leads_created": 3, "leads_created.form": 2, "leads_created.manual": 1, "x": 1}, "leads_created."
    ) == {
        "form": 2,
        "manual": 1,
    }


def test_the_dashboard_window_is_the_callers_day_and_week() -> None:
    paris = ZoneInfo("Europe/Paris")
    now = datetime(2026, 3, 11, 23, 30, tzinfo=UTC)  # Thursday 00:30 in Paris
    w = window(now, paris, "monday")
    assert w.today_start == datetime(2026, 3, 12, tzinfo=paris)
    assert w.week_start == datetime(2026, 3, 9, tzinfo=paris)
    assert w.week_end == datetime(2026, 3, 16, tzinfo=paris)
    sunday = window(now, paris, "sunday")
    assert sunday.week_start == datetime(2026, 3, 8, tzinfo=paris)
    cells = {
        datetime(2026, 3, 11, 22, 45, tzinfo=UTC): {"x": 1},  # Wed 23:45 Paris: this week, not today
        datetime(2026, 3, 11, 23, 0, tzinfo=UTC): {"x": 2},  # Thu 00:00 Paris: today
    }
    assert recent_sums(cells, w.today_start, w.today_end, ["x"]) == {"x": 2}
    assert recent_sums(cells, w.week_start, w.week_end, ["x"]) == {"x": 3}


def test_a_layout_names_each_known_widget_once_at_distinct_positions() -> None:
    layout = check_layout([("new_leads", True, 5), ("clients", False, 9)])
    assert [(p.id.value, p.visible, p.position) for p in layout[:3]] == [
        ("new_leads", True, 0),
        ("clients", False, 1),
        ("my_leads", True, 2),
    ]
    assert len(layout) == len(Widget)
    for widgets, field in (
        ([("weather", True, 0)], "widgets[0].id"),
        ([("clients", True, 0), ("clients", True, 1)], "widgets[1].id"),
        ([("clients", True, 0), ("my_leads", True, 0)], "widgets[1].position"),
        ([("clients", True, -1)], "widgets[0].position"),
    ):
        with pytest.raises(ValidationError) as bad:
            check_layout(widgets)
        assert bad.value.field == field


def test_a_stored_layout_gains_widgets_added_later() -> None:
    assert normalise([Placement(Widget.MY_CALLS, False, 3)])[0] == Placement(Widget.MY_CALLS, False, 0)
    assert [p.id for p in normalise([])] == [p.id for p in DEFAULT_LAYOUT]
