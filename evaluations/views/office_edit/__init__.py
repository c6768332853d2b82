"""The reform office's edit pages of its own plan (/office/plans/<slug>/…), a module per subject:
the plan, its notes, pillars and narratives, initiatives, the schedule grid, analysis clusters.

The plan comes through evaluations.access.plan_for_manager (another city's plan or department
staff: 404; an office member without the permission: 403), every object inside it is looked up
within the plan (404 otherwise), and every change goes through evaluations.services.plan_edits.
Forms post normally and redirect (POST/redirect/GET); with htmx the form fragment is swapped in
place (422 refused input, 409 somebody saved first) and a success sends the browser on. The
door and that one shape of a POST are in evaluations.office_responses (only URLconfs import
views, so the modules here import none of each other).
"""
