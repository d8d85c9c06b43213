"""Budgets, planned costs, expenses and benefits. The budget is the planned cost of the original plan
(labour at the planned assignee's rate, fixed costs, running expenses), so earned value and actual
cost agree on healthy projects and scope added later is unfunded."""
from __future__ import annotations

import numpy as np
import polars as pl

from .calendar import Calendar
from .people import Staff
from .plan import Portfolio

RUNNING_CATEGORIES = ["travel", "cloud services", "subcontractor", "equipment rental", "workshops"]
FIXED_CATEGORIES = ["software licences", "hardware", "vendor services"]


def plan_costs(rng, pf: Portfolio, staff: Staff, t: dict) -> dict:
    """Per task planned_cost (NaN = none) and per project budget and running-expense rate per hour."""
    labour = t["hours"] * staff.cost[t["plan_emp"]]
    base = ~t["fixed"] & ~t["late"]
    labour_plan = np.bincount(t["proj"], weights=labour * base, minlength=pf.n)
    n_fixed = np.bincount(t["proj"], weights=t["fixed"], minlength=pf.n)
    fixed_amount = np.round(labour_plan[t["proj"]] * rng.uniform(0.03, 0.1, len(labour)) / np.maximum(n_fixed[t["proj"]], 1), -1)
    cost = np.where(t["fixed"], fixed_amount, np.round(labour, 2))
    cost = np.where(pf.costed[t["proj"]], cost, np.nan)
    hours_plan = np.bincount(t["proj"], weights=t["hours"] * base, minlength=pf.n)
    rate = staff.cost.mean() * rng.uniform(0.0, 0.12, pf.n)  # running expenses per planned hour
    fixed_plan = np.bincount(t["proj"], weights=np.where(t["fixed"], fixed_amount, 0), minlength=pf.n)
    margin = np.where(pf.cause >= 0, rng.uniform(0.98, 1.02, pf.n), rng.uniform(0.97, 1.04, pf.n))
    budget = np.round((labour_plan + fixed_plan + rate * hours_plan) * margin, -2)
    return dict(task_cost=cost, fixed_amount=fixed_amount, budget=budget, exp_rate=rate)


def expenses(rng, cal: Calendar, pf: Portfolio, t: dict, money: dict, rows: dict) -> pl.DataFrame:
    """Monthly running costs in proportion to the hours worked, fixed costs on their task's day, and a
    few refunds."""
    m = rows["task"] >= 0
    month = cal.to_datetime64(rows["day"][m]).astype("datetime64[M]").astype(np.int64)
    df = (pl.DataFrame({"proj": t["proj"][rows["task"][m]], "day": rows["day"][m], "hours": rows["hours"][m],
                        "month": month})
          .group_by("proj", "month").agg(pl.col("hours").sum(), pl.col("day").min().alias("lo"),
                                         pl.col("day").max().alias("hi"))
          .sort("proj", "month"))
    proj = df["proj"].to_numpy()
    lo, hi = df["lo"].to_numpy(), df["hi"].to_numpy()
    amount = np.round(df["hours"].to_numpy() * money["exp_rate"][proj] * rng.uniform(0.8, 1.2, len(proj)), 2)
    day = lo + (rng.random(len(proj)) * (hi - lo + 1)).astype(int)
    cat = np.array(RUNNING_CATEGORIES)[rng.integers(len(RUNNING_CATEGORIES), size=pf.n)][proj]
    keep = amount >= 20
    proj, day, amount, cat = proj[keep], day[keep], amount[keep], cat[keep]

    done = t["fixed"] & (t["a1"] >= 0) & (t["a1"] <= cal.d_end)
    f_proj, f_day = t["proj"][done], t["a1"][done]
    f_amount = np.round(money["fixed_amount"][done] * rng.uniform(0.97, 1.03, done.sum()), 2)
    f_cat = np.array(FIXED_CATEGORIES)[rng.integers(len(FIXED_CATEGORIES), size=done.sum())]

    refund = rng.random(len(proj)) < 0.02
    r_day = np.minimum(day[refund] + rng.integers(5, 40, refund.sum()), cal.d_end)
    r_amount = -np.round(amount[refund] * rng.uniform(0.1, 0.5, refund.sum()), 2)

    out = pl.DataFrame({
        "proj": np.r_[proj, f_proj, proj[refund]],
        "day": np.r_[day, f_day, r_day],
        "category": np.r_[cat, f_cat, cat[refund]],
        "amount": np.r_[amount, f_amount, r_amount],
    })
    return out.sort("day", "proj", "amount")


def benefits(rng, pf: Portfolio, budget: np.ndarray, finished: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Business-case benefit for most projects; measured benefit once finished (lower when it failed)."""
    expected = np.where(rng.random(pf.n) < 0.88, np.round(budget * rng.uniform(1.15, 2.4, pf.n), -3), np.nan)
    factor = np.where(pf.cause >= 0, rng.uniform(0.45, 0.95, pf.n), rng.uniform(0.85, 1.25, pf.n))
    realized = np.where(finished, np.round(expected * factor, -3), np.nan)
    return expected, realized
