"""The reform office's edit pages of its own plan (/office/plans/<slug>/…), a module per subject:
the plan, its notes, pillars and narratives, initiatives, the schedule grid, analysis clusters.

The plan comes through evaluations.access.plan_for_manager (another city's plan or department
staff: 404; an office member without the permission: 403), every object inside it is looked up
within the plan (404 otherwise), and every change goes through evaluations.services.plan_edits.
Forms post normally and redirect (POST/redirect/GET); with htmx the form fragment is swapped in
place (422 refused input, 409 somebody saved first) and a success sends the browser on. The
door and that one shape of a POST are in ``_common``.
"""

from evaluations.views.office_edit.cluster import (
    cluster_delete,
    cluster_edit,
    cluster_move,
    clusters,
)
from evaluations.views.office_edit.initiative import (
    initiative_delete,
    initiative_edit,
    initiative_move,
    initiative_reinstate,
    initiative_renumber,
    initiative_retire,
    initiatives,
)
from evaluations.views.office_edit.note import note_delete, note_edit, note_move, notes
from evaluations.views.office_edit.pillar import (
    narrative_edit,
    pillar_add,
    pillar_delete,
    pillar_edit,
)
from evaluations.views.office_edit.plan import plan_edit, plan_index, plan_period
from evaluations.views.office_edit.schedule import (
    activity_delete,
    activity_edit,
    lane_delete,
    lane_edit,
    schedule_delete,
    schedule_detail,
    schedule_edit,
    schedules,
)

__all__ = [
    "activity_delete",
    "activity_edit",
    "cluster_delete",
    "cluster_edit",
    "cluster_move",
    "clusters",
    "initiative_delete",
    "initiative_edit",
    "initiative_move",
    "initiative_reinstate",
    "initiative_renumber",
    "initiative_retire",
    "initiatives",
    "lane_delete",
    "lane_edit",
    "narrative_edit",
    "note_delete",
    "note_edit",
    "note_move",
    "notes",
    "pillar_add",
    "pillar_delete",
    "pillar_edit",
    "plan_edit",
    "plan_index",
    "plan_period",
    "schedule_delete",
    "schedule_detail",
    "schedule_edit",
    "schedules",
]
