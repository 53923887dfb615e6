"""Typed application keys of the planner, QA and complaint pages."""

from __future__ import annotations

from aiohttp import web

from web.roster_jobs import RosterJobs

ROSTER_JOBS = web.AppKey("roster_jobs", RosterJobs)
