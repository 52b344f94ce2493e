"""The OpenAPI document's part for ratings (好差评, docs/ratings.md): operations and schemas,
with the limits taken from domain/rating.py."""

from __future__ import annotations

from ...domain import rating
from ...domain.model import Json
from ...domain.rating import Source
from .operations import HALL, MANAGERS, P_HALL, P_ID, P_N, Q_DATE, TICKET, WINDOW, operation
from .operations import param as p
from .primitives import DATE, TIME, enum, null_or, obj, ref, shut, text

COUNT: Json = {"type": "integer", "minimum": 0}
SCORE: Json = {"type": "integer", "minimum": 1, "maximum": 5}
REASONS: Json = {
    "type": ["array", "null"], "maxItems": rating.MAX_REASONS,
    "items": {"type": "string", "enum": list(rating.REASONS)},
    "description": "Reason codes of GET /api/v1/ratings/scale; `low` ones with scores 1–3, "
    "`high` ones with 3–5 (400 unknown_reason, reason_mismatch).",
}  # fmt: skip
COMMENT: Json = {**text(rating.MAX_COMMENT), "type": ["string", "null"]}
RATING_PROPS: Json = {
    "number": {"type": "string"}, "day": DATE, "service": {"type": "string"},
    "window": {"type": ["integer", "null"]}, "score": SCORE, "score_name": {"type": "string"},
    "score_name_en": {"type": "string"},
    "reasons": {"type": "array", "items": {"type": "string"}},
    "comment": {"type": ["string", "null"]}, "source": enum(Source), "at": TIME,
}  # fmt: skip
SATISFACTION = obj(
    ("n", "avg", "satisfied_rate", "dissatisfied", "by_score"),
    n=COUNT, avg={"type": ["number", "null"]},
    satisfied_rate={"type": ["number", "null"], "minimum": 0, "maximum": 1},
    dissatisfied=COUNT,
    by_score=obj([str(s) for s in sorted(rating.SCORES)],
                 **{str(s): COUNT for s in sorted(rating.SCORES)}),
)  # fmt: skip
STAFF_FIGURES = obj(("satisfaction",), satisfaction=ref("Satisfaction"))


def components() -> Json:
    named = {"code": {"type": "string"}, "name": {"type": "string"},
             "name_en": {"type": "string"}}  # fmt: skip
    return {
        "Satisfaction": SATISFACTION,
        "StaffFigures": STAFF_FIGURES,
        "Rating": obj(list(RATING_PROPS), **RATING_PROPS),
        "ManagerRating": obj([*RATING_PROPS, "staff"], **RATING_PROPS,
                             staff={"type": ["string", "null"]}),
        "RatingBody": shut(("score",), score=SCORE, reasons=REASONS, comment=COMMENT),
        "WindowRatingBody": shut(("number", "score"), number=text(16), score=SCORE,
                                 reasons=REASONS, comment=COMMENT),
        "Rateable": obj(("window", "rateable"), window={"type": "integer"},
                        rateable=null_or(obj(("number", "service", "finished_at", "until"),
                                             number={"type": "string"},
                                             service={"type": "string"},
                                             finished_at=TIME, until=TIME))),
        "Ratings": obj(("from", "to", "satisfaction", "ratings", "truncated"), to=DATE,
                       satisfaction=ref("Satisfaction"), truncated={"type": "boolean"},
                       ratings={"type": "array", "items": ref("ManagerRating")},
                       **{"from": DATE}),
        "RatingScale": obj(
            ("scores", "reasons", "comment_max", "window_rating_s"),
            scores={"type": "array", "items": obj(("score", "name", "name_en"), score=SCORE,
                                                  name={"type": "string"},
                                                  name_en={"type": "string"})},
            reasons={"type": "array", "items": obj(
                ("code", "name", "name_en", "for"), **named,
                **{"for": {"type": "string", "enum": [k.value for k in rating.ReasonKind]}})},
            comment_max=COUNT, window_rating_s=COUNT),
    }  # fmt: skip


def paths() -> Json:
    """The ratings' operations (built with operations.py's blocks)."""
    made = {"description": "The rating.", "content":
            {"application/json": {"schema": ref("Rating")}}}  # fmt: skip
    to = p("to", "query", DATE, "Last ticket day; default `date` (400 bad_range).")
    score = p("max_score", "query", SCORE, "Only scores up to this (400 bad_max_score).")
    service = p("service", "query", {"type": "string"}, "Only this service.")
    window = p("window", "query", {"type": "integer", "minimum": 1, "maximum": 9999},
               "Only this window (400 bad_window).")  # fmt: skip
    staff = p("staff", "query", {"type": "string"}, "Only the tickets this username finished.")
    return {
        "/api/v1/ratings/scale": {"get": operation(
            "The rating scale and its reasons (zh, en)", ref("RatingScale"))},
        TICKET + "/rating": {
            "post": operation("Rate a served ticket, once (the citizen)", made, params=(P_ID,),
                              body=ref("RatingBody"), errors=(404, 409, 429), status=201),
            "get": operation("The ticket's rating (404 not_rated)", ref("Rating"),
                             params=(P_ID,), errors=(404,)),
        },
        WINDOW + "/rateable": {"get": operation(
            "The ticket the window just finished, while its rating screen may rate it",
            ref("Rateable"), params=(P_HALL, P_N), errors=(404,))},
        WINDOW + "/rating": {"post": operation(
            "Rate the ticket the window just finished (its rating screen)", made,
            params=(P_HALL, P_N), body=ref("WindowRatingBody"), errors=(404, 409, 429),
            status=201)},
        HALL + "/ratings": {"get": operation(
            "The ratings of a range of days, newest first, for follow-up", ref("Ratings"),
            roles=MANAGERS, params=(P_HALL, Q_DATE, to, score, service, window, staff),
            errors=(400, 404))},
    }  # fmt: skip
