-- int_task_gaps: one row per task (of a known project); its skill gap and training gap as of D
-- (docs/kpis.md, People), with the task facts the root-cause and people models need.
-- Skill gap: the assignee's level in required_skill (latest assessment known at D: assessed_on
-- null or <= D; 0 when absent) is below required_skill_level; with no required level, a gap
-- means the assignee has no assessment of the skill at all.
-- Training gap: tool is set and the assignee completed no training whose skill is that tool
-- on or before the reference date coalesce(actual_start, planned_start) (an actual_start after
-- D is not known yet, so planned_start is used then; trainings after D do not exist yet).
-- A task without a required skill, a tool or an assignee has no gap of that kind.
with tasks as (
    select *
    from intermediate.int_task_fractions
),

assessments as (
    -- stg_skills holds one row per employee and skill: the latest assessment delivered
    select
        skills.employee_id,
        skills.skill,
        skills.level,
        skills.assessed_on
    from staging.stg_skills as skills
    cross join intermediate.int_date_bounds as bounds
    where skills.assessed_on is null or skills.assessed_on <= bounds.as_of
),

with_reference as (
    select
        tasks.*,
        case when tasks.actual_start <= tasks.as_of then tasks.actual_start else tasks.planned_start end
            as training_reference_date
    from tasks
),

tool_trainings as (
    -- the assignee's latest training in the task's tool on or before the reference date
    select
        with_reference.task_id,
        max(trainings.completed_on) as tool_trained_on
    from with_reference
    inner join staging.stg_trainings as trainings
        on trainings.employee_id = with_reference.assignee_id
        and trainings.skill = with_reference.tool
        and trainings.completed_on <= least(with_reference.training_reference_date, with_reference.as_of)
    group by with_reference.task_id
)

select
    with_reference.task_id,
    with_reference.project_id,
    with_reference.task_name,
    with_reference.assignee_id,
    with_reference.status,
    with_reference.created_on,
    with_reference.planned_start,
    with_reference.planned_end,
    with_reference.actual_start,
    with_reference.completed_on,
    with_reference.planned_hours,
    with_reference.as_of,
    with_reference.in_scope,
    with_reference.is_done,
    with_reference.is_done_in_scope,
    with_reference.required_skill,
    with_reference.required_skill_level,
    assessments.employee_id is not null as assignee_has_skill,
    coalesce(assessments.level, 0) as assignee_skill_level,
    assessments.assessed_on as assignee_skill_assessed_on,
    coalesce(
        with_reference.required_skill is not null
        and with_reference.assignee_id is not null
        and case
            when with_reference.required_skill_level is not null
                then coalesce(assessments.level, 0) < with_reference.required_skill_level
            else assessments.employee_id is null
        end,
        false
    ) as skill_gap,
    with_reference.tool,
    with_reference.training_reference_date,
    tool_trainings.tool_trained_on,
    with_reference.tool is not null
        and with_reference.assignee_id is not null
        and tool_trainings.tool_trained_on is null as training_gap
from with_reference
left join assessments
    on assessments.employee_id = with_reference.assignee_id
    and assessments.skill = with_reference.required_skill
left join tool_trainings using (task_id)
