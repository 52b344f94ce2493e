"""Every route of the server, in one flat table."""

from __future__ import annotations

from aiohttp import web

from ..live import protocol
from . import sounds, stream
from .api import (
    appointments,
    auth,
    desks,
    followups,
    halls,
    layout,
    ops,
    overview,
    ratings,
    reports,
    settings,
    tickets,
    users,
    windows,
)
from .openapi import endpoint as openapi_doc
from .pages import booking as appointment_pages
from .pages import dashboard as dashboard_pages
from .pages import kiosk as kiosk_pages
from .pages import overview as overview_pages
from .pages import rating as rating_pages
from .pages import settings as admin_pages
from .pages import staff as staff_pages

HALL = "/api/v1/halls/{hall}"
TICKET = "/api/v1/tickets/{id}"
WINDOW = HALL + "/windows/{n:[0-9]{1,9}}"
FOLLOWUP = HALL + "/followups/{followup:[0-9]{1,18}}"


def setup_routes(app: web.Application) -> None:
    app.add_routes(
        [
            web.post("/api/v1/login", auth.login),
            web.post("/api/v1/logout", auth.logout),
            web.get("/api/v1/me", auth.me),
            web.get("/api/v1/openapi.json", openapi_doc.openapi),
            web.get("/api/v1/halls", halls.index),
            web.post("/api/v1/halls", halls.create),
            web.get(HALL, halls.snapshot),
            web.post(HALL + "/tickets", tickets.issue),
            web.get(HALL + "/tickets", halls.tickets_of_day),
            web.get(HALL + "/stats", halls.day_stats),
            web.get(HALL + "/audit", halls.audit_log),
            web.get(HALL + "/settings", settings.get_settings),
            web.patch(HALL + "/settings", settings.patch_settings),
            web.put(HALL + "/services/{code}", layout.put_service),
            web.delete(HALL + "/services/{code}", layout.delete_service),
            web.put(WINDOW, layout.put_window),
            web.delete(WINDOW, layout.delete_window),
            web.get(HALL + "/users", users.list_users),
            web.put(HALL + "/users/{username}", users.put_user),
            web.delete(HALL + "/users/{username}", users.delete_user),
            web.get(HALL + "/kiosks", settings.list_kiosks),
            web.get(HALL + "/kiosks/{kiosk}", settings.get_kiosk),
            web.put(HALL + "/kiosks/{kiosk}", settings.put_kiosk),
            web.delete(HALL + "/kiosks/{kiosk}", settings.delete_kiosk),
            web.post(HALL + "/kiosks/{kiosk}/key", settings.new_kiosk_key),
            web.post(WINDOW + "/call-next", windows.call_next),
            web.post(WINDOW + "/recall", windows.recall),
            web.post(WINDOW + "/finish", windows.finish),
            web.post(WINDOW + "/transfer", windows.transfer),
            web.post(WINDOW + "/requeue", windows.requeue),
            web.post(WINDOW + "/call", windows.call),
            web.post(WINDOW + "/pause", windows.pause),
            web.post(WINDOW + "/resume", windows.resume),
            web.post(WINDOW + "/take", desks.take),
            web.post(WINDOW + "/release", desks.release),
            web.get(WINDOW + "/desk", desks.desk),
            web.get(HALL + "/windows", desks.all_windows),
            web.get(HALL + "/guides", halls.guides),
            web.get(HALL + "/pending", desks.pending),
            web.get(TICKET, tickets.get),
            web.post(TICKET + "/cancel", tickets.cancel),
            web.post(TICKET + "/complete", tickets.complete),
            web.get(protocol.STREAM_V1, stream.display_stream),
            web.get(protocol.STREAM_V2, stream.public_stream),
            web.get(protocol.ANNOUNCE_PREFIX + "/{lang}/{name}", sounds.announce_wav),
            web.get("/halls/{hall}/kiosk", kiosk_pages.kiosk),
            web.get("/halls/{hall}/staff", staff_pages.staff_console),
            web.get("/halls/{hall}/dashboard", dashboard_pages.dashboard),
            web.get("/halls/{hall}/settings", admin_pages.settings_page),
            web.get("/t/{id}", kiosk_pages.ticket_page),
            web.get("/t/{id}/qr.svg", kiosk_pages.ticket_qr),
            # -- the manager's reports (issue 6) --
            web.get(HALL + "/report", reports.day_report),
            web.get(HALL + "/trend", reports.trend),
            web.get(HALL + "/export", reports.export),
            # -- end of the reports --
            # -- the region's overview (issue 24.5, docs/overview.md) --
            web.get("/api/v1/overview", overview.table),
            web.get("/api/v1/overview/trend", overview.trend),
            web.get("/api/v1/overview/export", overview.export),
            web.get("/overview", overview_pages.overview_page),
            # -- end of the overview --
            # -- ratings (issue 9, docs/ratings.md) --
            web.get("/api/v1/ratings/scale", ratings.scale),
            web.post(TICKET + "/rating", ratings.rate_ticket),
            web.get(TICKET + "/rating", ratings.ticket_rating),
            web.get(WINDOW + "/rateable", ratings.window_rateable),
            web.post(WINDOW + "/rating", ratings.rate_at_window),
            web.get(HALL + "/ratings", ratings.hall_ratings),
            web.get("/halls/{hall}/windows/{n:[0-9]{1,9}}/rate", rating_pages.rate_page),
            # -- follow-ups of dissatisfied ratings (issue 24.6, docs/ratings.md) --
            web.get(HALL + "/followups", followups.hall_followups),
            web.get(FOLLOWUP, followups.one_followup),
            web.post(FOLLOWUP + "/assign", followups.assign),
            web.post(FOLLOWUP + "/contacted", followups.contacted),
            web.post(FOLLOWUP + "/resolve", followups.resolve),
            web.post(FOLLOWUP + "/unreachable", followups.unreachable),
            # -- end of the ratings --
            # -- appointments (issue 9, docs/appointments.md) --
            web.get(HALL + "/booking", appointments.get_booking),
            web.patch(HALL + "/booking", appointments.patch_booking),
            web.put(HALL + "/services/{code}/booking", appointments.put_service_booking),
            web.get(HALL + "/slots", appointments.slots),
            web.post(HALL + "/appointments", appointments.book),
            web.get(HALL + "/appointments", appointments.day_list),
            web.post(HALL + "/checkin", appointments.checkin),
            web.get("/api/v1/appointments/{id}", appointments.get_appointment),
            web.post("/api/v1/appointments/{id}/cancel", appointments.cancel),
            # -- end of the appointments --
            # -- appointments' pages (issue 9, docs/appointments.md) --
            web.get("/halls/{hall}/book", appointment_pages.book_page),
            web.get("/a/{id}", appointment_pages.appointment_page),
            web.get("/a/{id}/qr.svg", appointment_pages.appointment_qr),
            # -- end of the appointments' pages --
            web.get("/healthz", ops.healthz),
            web.get("/metrics", ops.metrics),
        ]
    )
