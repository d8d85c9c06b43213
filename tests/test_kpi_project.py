"""kpi_project on the hand-made data set (tests/kpi_data.py), every column, as of two dates.

Every expected number is worked out by hand below from kpis.md; the arithmetic is in the
comments and in the expressions themselves.

Calendars (holiday: Fri 2026-03-06)
  Mon-Fri (P1, P3, P4): working day k counted from Mon 03-02:
     1=03-02 2=03-03 3=03-04 4=03-05 | 5=03-09 6=03-10 7=03-11 8=03-12 9=03-13 |
     10=03-16 .. 14=03-20 | 15=03-23 16=03-24 17=03-25 18=03-26 19=03-27 | 20=03-30 21=03-31 22=04-01
  Mon-Sat (P2): 1=03-02 2=03-03 3=03-04 4=03-05 5=03-07(Sat) 6=03-09 7=03-10 8=03-11 9=03-12
     10=03-13 11=03-14 | 12..17 = 03-16..03-21 | 18=03-23
"""

from tests.kpi_data import assert_row, handmade_results, keyed

D1, D2 = "2026-03-11", "2026-03-23"


def projects(as_of):
    return keyed(handmade_results()[as_of]["kpi_project"], "project_id")


def test_projects_present_are_those_started():
    # P4 starts 03-16: not yet a project on 03-11
    assert set(projects(D1)) == {"P1", "P2", "P3", "P5"}
    assert set(projects(D2)) == {"P1", "P2", "P3", "P4", "P5"}


def test_p1_alpha_as_of_d1():
    # In scope on 03-11: T1 T2 T3 T6 (T4 is cancelled, T5 is created on 03-16).
    # T2 has no planned_cost, so w = planned_hours: W = 32 + 40 + 20 + 4 = 96 and one weight unit
    # is worth BAC / W = 10800 / 96 = 112.5.
    # Planned fraction: T1 wd(03-02, 03-06) = 4 of 4 -> 1; T2 wd(03-09, 03-11) = 3 of 5 -> 0.6;
    #   T3 starts 03-16 -> 0; T6 (Sat 03-14..Sun 03-15) has no working day and D < 03-15 -> 0.
    #   sum w * pf = 32 + 40 * 0.6 = 56 -> PV = 56 * 112.5 = 6300
    # Earned fraction: T1 done 03-05 -> 1; T2 latest report on or before D is 50% (03-10; the 80%
    #   of 03-12 is after D); T3 starts 03-17 -> 0; T6 -> 0.
    #   sum w * ef = 32 + 40 * 0.5 = 52 -> EV = 52 * 112.5 = 5850
    # AC: E1 (100/h) on T1 8+8+8+8 + 2 on the holiday = 34 h -> 3400, on T2 8+8+8 = 24 h -> 2400;
    #   E3 (80/h) on the cancelled T4: 4 + 2 during leave = 6 h -> 480; labour 6280;
    #   expenses 500 - 200 (refund) = 300 (the 1000 of 03-18 is after D): AC = 6580
    pv, ev, ac, bac = 6300.0, 5850.0, 6580.0, 10800.0
    cpi, spi = ev / ac, ev / pv  # 0.8891, 0.9286
    eac = bac / cpi  # 10800 * 6580 / 5850 = 12147.69
    # Earned schedule. PV(k) in weight units: T1 adds 32/4 = 8 on k = 1..4, T2 40/5 = 8 on k = 5..9:
    #   PV(6) = 48, PV(7) = 56. AT = wd(03-02, 03-11) = 7. EV = 52 < PV(7) = 56: C = 6 (48 <= 52),
    #   ES = 6 + (52 - 48) / (56 - 48) = 6.5. PD = wd(03-02, 03-20) = 14.
    #   EAC(t) = 14 / (6.5 / 7) = 15.08 -> working day 16 = 03-24.
    assert_row(projects(D1)["P1"], {
        "project_id": "P1", "project_name": "Alpha", "department": "Build", "pmo_type": "external",
        "status": "active", "as_of": D1,
        "bac": bac, "pv": pv, "ev": ev, "ac": ac,
        "cv": 5850 - 6580, "sv": 5850 - 6300,
        "cpi": 5850 / 6580, "spi": 5850 / 6300, "csi": (5850 / 6580) * (5850 / 6300),
        "eac": 10800 * 6580 / 5850, "etc": eac - 6580, "vac": 10800 - eac,
        "eac_atypical": 6580 + (10800 - 5850),  # 11530
        "eac_composite": 6580 + (10800 - 5850) / (cpi * spi),
        "tcpi": (10800 - 5850) / (10800 - 6580),  # 4950 / 4220
        "es": 6.5, "at": 7, "spi_t": 6.5 / 7, "sv_t": 6.5 - 7,
        "forecast_end_date": "2026-03-24",
        # hours: planned 32 + 40 + 20 + 4; to date 32 + 40 * 0.6; earned 32 + 40 * 0.5;
        # actual 34 (T1) + 24 (T2) + 6 (T4, cancelled but worked)
        "planned_hours": 96.0, "planned_hours_to_date": 56.0, "earned_hours": 52.0,
        "actual_hours": 64.0, "hours_efficiency": 52 / 64,
        # done on 03-11: T1 only; planned 32 h, worked 34 h
        "planned_hours_done": 32.0, "actual_hours_done": 34.0, "estimate_ratio": 34 / 32,
        # overdue: none of T2 (ends 03-13), T3, T6 (03-15) ended before 03-11;
        # T1 done 03-05 <= planned end 03-06; BEI: 1 done / 1 due (T1)
        "tasks_total": 4, "tasks_done": 1, "pct_tasks_done": 1 / 4, "tasks_overdue": 0,
        "tasks_done_on_time": 1, "bei": 1 / 1,
        "planned_end_date": "2026-03-20", "actual_end_date": None, "on_time": None,
        "delay_days": None, "roi": None,
        "expected_roi": (15000 - eac) / eac,
        # unfinished: worse of CPI 0.889 and SPI 0.929 is below 0.90
        "health": "red",
    })


def test_p1_alpha_as_of_d2():
    # In scope on 03-23: T1 T2 T3 T5 T6; W = 32 + 40 + 20 + 12 + 4 = 108 (still by hours),
    # one weight unit = 10800 / 108 = 100.
    # Every planned window has ended (T6's on 03-15 <= D): PV = 108 * 100 = 10800.
    # Earned: T1 1, T2 done 03-16 -> 1, T3 started 03-17 without report -> started_credit 0.5,
    #   T5 and T6 not started -> 0: 32 + 40 + 20 * 0.5 = 82 -> EV = 8200.
    # AC: labour 6280 (to 03-11) + E1 on T2 8 + 4 + 4 = 16 h -> 1600 + E2 (50/h) on T3
    #   4 + 4 + 4 = 12 h -> 600 (the 4 h of 03-24 are after D) = 8480; expenses 300 + 1000 = 1300
    #   -> AC = 9780 (E1's 4 h of admin on 03-13 have no task).
    pv, ev, ac, bac = 10800.0, 8200.0, 9780.0, 10800.0
    cpi, spi = ev / ac, ev / pv
    eac = bac / cpi  # 10800 * 9780 / 8200 = 12880.98
    # Earned schedule on the current plan: T1 +8 on k 1..4, T2 +8 on k 5..9, T3 +4 on k 10..14,
    #   T5 (03-16..03-18) +4 on k 10..12, T6 +4 at k 10 (first working day after 03-15).
    #   PV(9) = 72, PV(10) = 72 + 4 + 4 + 4 = 84. AT = 15, PV(15) = 108 > EV 82.
    #   C = 9: ES = 9 + (82 - 72) / (84 - 72) = 9.8333. EAC(t) = 14 / (9.8333 / 15) = 21.36
    #   -> working day 22 = 04-01.
    es = 9 + (82 - 72) / (84 - 72)
    assert_row(projects(D2)["P1"], {
        "project_id": "P1", "project_name": "Alpha", "department": "Build", "pmo_type": "external",
        "status": "active", "as_of": D2,
        "bac": bac, "pv": pv, "ev": ev, "ac": ac,
        "cv": 8200 - 9780, "sv": 8200 - 10800,
        "cpi": 8200 / 9780, "spi": 8200 / 10800, "csi": cpi * spi,
        "eac": 10800 * 9780 / 8200, "etc": eac - 9780, "vac": 10800 - eac,
        "eac_atypical": 9780 + (10800 - 8200),  # 12380
        "eac_composite": 9780 + (10800 - 8200) / (cpi * spi),
        "tcpi": (10800 - 8200) / (10800 - 9780),  # 2600 / 1020
        "es": es, "at": 15, "spi_t": es / 15, "sv_t": es - 15,
        "forecast_end_date": "2026-04-01",
        # hours: planned 108, all to date; earned 82; actual 34 (T1) + 40 (T2) + 12 (T3) + 6 (T4)
        "planned_hours": 108.0, "planned_hours_to_date": 108.0, "earned_hours": 82.0,
        "actual_hours": 92.0, "hours_efficiency": 82 / 92,
        # done: T1 and T2, planned 32 + 40, worked 34 + 40
        "planned_hours_done": 72.0, "actual_hours_done": 74.0, "estimate_ratio": 74 / 72,
        # overdue (not done, planned end before 03-23): T3 (03-20), T5 (03-18), T6 (03-15);
        # on time: T1; T2 done 03-16 after its planned end 03-13. BEI: 2 done / 5 due
        "tasks_total": 5, "tasks_done": 2, "pct_tasks_done": 2 / 5, "tasks_overdue": 3,
        "tasks_done_on_time": 1, "bei": 2 / 5,
        "planned_end_date": "2026-03-20", "actual_end_date": None, "on_time": None,
        "delay_days": None, "roi": None,
        "expected_roi": (15000 - eac) / eac,
        "health": "red",  # SPI 0.76
    })


def test_p2_beta_finished_on_a_six_day_calendar():
    # Mon-Sat calendar. Tasks carry planned_cost (1200 + 800 = W = BAC = 2000: one unit = 1).
    # U1 03-02..03-07: wd = 5 (02, 03, 04, 05, Sat 07), U2 03-09..03-12: wd = 4.
    # On 03-11: pf U1 1, U2 3/4 -> PV = 1200 + 800 * 0.75 = 1800; both done (U2 on 03-11) -> EV 2000.
    # AC: E3 (80/h) 8 + 8 + 4 on U1 and 4 on U2 = 24 h -> 1920; no expenses.
    # ES: AT = wd(03-02, 03-11) = 8, PV(8) = 1200 + 3 * 200 = 1800 < EV: C = first k > 8 with
    #   PV >= 2000 = 9, ES = 9 - (2000 - 2000) / (2000 - 1800) = 9 = PD (wd(03-02, 03-12)).
    # Finished 03-11 (on D): on time (planned 03-12), delay -1 day; forecast = actual end.
    # ROI: benefit = realized 2500: (2500 - 1920) / 1920; expected ROI (3000 - EAC) / EAC, EAC = 1920.
    common = {
        "project_id": "P2", "project_name": "Beta", "department": "Run", "pmo_type": "internal",
        "status": "completed", "bac": 2000.0, "ev": 2000.0, "ac": 1920.0, "cv": 80.0,
        "cpi": 2000 / 1920, "eac": 1920.0, "etc": 0.0, "vac": 80.0,
        "eac_atypical": 1920 + 0.0, "eac_composite": 1920 + 0 / 1.0, "tcpi": 0 / 80,
        "es": 9.0, "forecast_end_date": "2026-03-11",
        "planned_hours": 30.0, "earned_hours": 30.0, "actual_hours": 24.0,
        "hours_efficiency": 30 / 24, "planned_hours_done": 30.0, "actual_hours_done": 24.0,
        "estimate_ratio": 24 / 30, "tasks_total": 2, "tasks_done": 2, "pct_tasks_done": 1.0,
        "tasks_overdue": 0, "tasks_done_on_time": 2,  # 03-07 <= 03-07, 03-11 <= 03-12
        "planned_end_date": "2026-03-12", "actual_end_date": "2026-03-11", "on_time": True,
        "delay_days": -1, "roi": (2500 - 1920) / 1920, "expected_roi": (3000 - 1920) / 1920,
        "health": "green",  # on time, CPI 1.04
    }
    assert_row(projects(D1)["P2"], {
        **common, "as_of": D1, "pv": 1800.0, "sv": 200.0, "spi": 2000 / 1800,
        "csi": (2000 / 1920) * (2000 / 1800), "at": 8, "spi_t": 9 / 8, "sv_t": 9 - 8,
        "planned_hours_to_date": 20 + 10 * 0.75,
        "bei": 2 / 1,  # U2 was done a day early: 2 done, only U1 due
    })
    # On 03-23 the whole plan is due: PV = EV = 2000. The project finished on 03-11, so its
    # clock stopped there: AT = wd(03-02, 03-11) = 8 still (not 18, the Mon-Sat days to 03-23),
    # and ES = 9 as on 03-11: SPI(t) = 9 / 8 and SV(t) = +1 stay what they were at the finish.
    assert_row(projects(D2)["P2"], {
        **common, "as_of": D2, "pv": 2000.0, "sv": 0.0, "spi": 1.0,
        "csi": 2000 / 1920 * 1.0, "at": 8, "spi_t": 9 / 8, "sv_t": 9 - 8,
        "planned_hours_to_date": 30.0, "bei": 2 / 2,
    })


def test_p3_gamma_has_no_tasks_and_no_cost():
    # No task: W = 0, PV and EV null, so every ratio and ES are null; AC = 0 so EAC = BAC.
    # AT: Mon 03-09..Wed 03-11 = 3, then to Mon 03-23 = 11. Health: CPI and SPI null.
    common = {
        "project_id": "P3", "project_name": "Gamma", "department": "Build", "pmo_type": "internal",
        "status": "planned", "bac": 5000.0, "pv": None, "ev": None, "ac": 0.0, "cv": None,
        "sv": None, "cpi": None, "spi": None, "csi": None, "eac": 5000.0, "etc": 5000.0,
        "vac": 0.0, "eac_atypical": None, "eac_composite": None, "tcpi": None, "es": None,
        "spi_t": None, "sv_t": None, "forecast_end_date": None, "planned_hours": 0.0,
        "planned_hours_to_date": 0.0, "earned_hours": 0.0, "actual_hours": 0.0,
        "hours_efficiency": None, "planned_hours_done": 0.0, "actual_hours_done": 0.0,
        "estimate_ratio": None, "tasks_total": 0, "tasks_done": 0, "pct_tasks_done": None,
        "tasks_overdue": 0, "tasks_done_on_time": 0, "bei": None,
        "planned_end_date": "2026-03-31", "actual_end_date": None, "on_time": None,
        "delay_days": None, "roi": None, "expected_roi": None, "health": "unknown",
    }
    assert_row(projects(D1)["P3"], {**common, "as_of": D1, "at": 3})
    assert_row(projects(D2)["P3"], {**common, "as_of": D2, "at": 11})


def test_p4_delta_cancelled_with_all_tasks_cancelled():
    # Its one task is cancelled: no task in scope, PV/EV null. AC = the 250 expense, so
    # EAC = BAC / CPI with CPI null: null, and so are ETC, VAC and expected ROI.
    # AT = wd(03-16, 03-23) = 6.
    assert_row(projects(D2)["P4"], {
        "project_id": "P4", "project_name": "Delta", "department": "Run", "pmo_type": "internal",
        "status": "cancelled", "as_of": D2, "bac": 1000.0, "pv": None, "ev": None, "ac": 250.0,
        "cv": None, "sv": None, "cpi": None, "spi": None, "csi": None, "eac": None, "etc": None,
        "vac": None, "eac_atypical": None, "eac_composite": None, "tcpi": None, "es": None,
        "at": 6, "spi_t": None, "sv_t": None, "forecast_end_date": None, "planned_hours": 0.0,
        "planned_hours_to_date": 0.0, "earned_hours": 0.0, "actual_hours": 0.0,
        "hours_efficiency": None, "planned_hours_done": 0.0, "actual_hours_done": 0.0,
        "estimate_ratio": None, "tasks_total": 0, "tasks_done": 0, "pct_tasks_done": None,
        "tasks_overdue": 0, "tasks_done_on_time": 0, "bei": None,
        "planned_end_date": "2026-03-27", "actual_end_date": None, "on_time": None,
        "delay_days": None, "roi": None, "expected_roi": None, "health": "cancelled",
    })


def test_p5_epsilon_finished_late_last_year():
    # Finished 2025-12-19, planned 2025-12-12: late by 7 calendar days -> red.
    # No task; AC = the 800 expense; benefit = expected 2000 (no realized): ROI (2000 - 800) / 800.
    # AT: the clock stopped at the finish: wd(Mon 2025-12-01, Fri 2025-12-19) = 3 weeks = 15
    #   on both days (running to D it would read 72 on 03-11 and 80 on 03-23).
    common = {
        "project_id": "P5", "project_name": "Epsilon", "department": "Run", "pmo_type": "internal",
        "status": "completed", "bac": 1000.0, "pv": None, "ev": None, "ac": 800.0, "cv": None,
        "sv": None, "cpi": None, "spi": None, "csi": None, "eac": None, "etc": None, "vac": None,
        "eac_atypical": None, "eac_composite": None, "tcpi": None, "es": None, "spi_t": None,
        "sv_t": None, "forecast_end_date": "2025-12-19", "planned_hours": 0.0,
        "planned_hours_to_date": 0.0, "earned_hours": 0.0, "actual_hours": 0.0,
        "hours_efficiency": None, "planned_hours_done": 0.0, "actual_hours_done": 0.0,
        "estimate_ratio": None, "tasks_total": 0, "tasks_done": 0, "pct_tasks_done": None,
        "tasks_overdue": 0, "tasks_done_on_time": 0, "bei": None,
        "planned_end_date": "2025-12-12", "actual_end_date": "2025-12-19", "on_time": False,
        "delay_days": 7, "roi": (2000 - 800) / 800, "expected_roi": None, "health": "red",
    }
    assert_row(projects(D1)["P5"], {**common, "as_of": D1, "at": 15})
    assert_row(projects(D2)["P5"], {**common, "as_of": D2, "at": 15})
