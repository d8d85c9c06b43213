-- kpi_capacity: capacity against demand in the weeks ahead of D (docs/kpis.md, Capacity), at two
-- grains told apart by `grain`:
--   'employee': one row per employee and week in which the employee is employed on at least one
--     horizon day or has demand; demand = the open tasks assigned to the employee.
--   'department_skill': one row per department, skill and week with capacity or demand; capacity
--     = the employees of the department whose skills (stg_skills, assessed on or before D) include
--     the skill (a person with several skills counts in full under each), demand = the open tasks
--     of the department's projects that require it. Skill '(any)': tasks without a required
--     skill, against the capacity of every employee of the department.
-- Weeks: the rest of the week of D (days after D; is_partial_week) when D is not a Sunday, then
-- the horizon_weeks ISO weeks starting after D. gap_hours = capacity - demand; over_capacity =
-- demand > capacity.
with employee_capacity as (
    select
        employee_id,
        any_value(department) as department,
        week_start,
        sum(capacity_hours) as capacity_hours,
        count(*) filter (where is_available) as available_days
    from intermediate.int_capacity_employee_days
    group by employee_id, week_start
),

employee_demand as (
    select assignee_id as employee_id, week_start, sum(demand_hours) as demand_hours
    from intermediate.int_demand_task_days
    where assignee_id is not null
    group by assignee_id, week_start
),

employee_rows as (
    select
        'employee' as grain,
        week_start,
        coalesce(employee_capacity.department, employees.department) as department,
        null::varchar as skill,
        employee_id,
        coalesce(employee_capacity.capacity_hours, 0.0) as capacity_hours,
        coalesce(employee_demand.demand_hours, 0.0) as demand_hours,
        coalesce(employee_capacity.available_days, 0) as available_days,
        null::bigint as employees
    from employee_capacity
    full join employee_demand using (employee_id, week_start)
    left join staging.stg_employees as employees using (employee_id)
),

skills as (
    select skills.employee_id, skills.skill
    from staging.stg_skills as skills
    cross join intermediate.int_date_bounds as bounds
    where skills.assessed_on is null or skills.assessed_on <= bounds.as_of
    union
    -- anyone can take work that requires no particular skill
    select employee_id, '(any)' as skill
    from staging.stg_employees
),

skill_capacity as (
    select
        employee_capacity.department,
        skills.skill,
        employee_capacity.week_start,
        sum(employee_capacity.capacity_hours) as capacity_hours,
        count(*) filter (where employee_capacity.capacity_hours > 0) as employees
    from employee_capacity
    inner join skills using (employee_id)
    group by employee_capacity.department, skills.skill, employee_capacity.week_start
),

skill_demand as (
    select department, skill, week_start, sum(demand_hours) as demand_hours
    from intermediate.int_demand_task_days
    group by department, skill, week_start
),

skill_rows as (
    select
        'department_skill' as grain,
        week_start,
        department,
        skill,
        null::varchar as employee_id,
        coalesce(skill_capacity.capacity_hours, 0.0) as capacity_hours,
        coalesce(skill_demand.demand_hours, 0.0) as demand_hours,
        null::bigint as available_days,
        coalesce(skill_capacity.employees, 0) as employees
    from skill_capacity
    full join skill_demand using (department, skill, week_start)
),

all_rows as (
    select * from employee_rows
    union all
    select * from skill_rows
)

select
    all_rows.grain,
    all_rows.week_start,
    all_rows.department,
    all_rows.skill,
    all_rows.employee_id,
    all_rows.capacity_hours,
    all_rows.demand_hours,
    all_rows.capacity_hours - all_rows.demand_hours as gap_hours,
    all_rows.demand_hours > all_rows.capacity_hours as over_capacity,
    bounds.as_of,
    all_rows.week_start <= bounds.as_of as is_partial_week,
    greatest(all_rows.week_start, bounds.as_of + 1) as first_day,
    all_rows.available_days,
    all_rows.employees
from all_rows
cross join intermediate.int_date_bounds as bounds
