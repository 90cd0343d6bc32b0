"""Spaced repetition (FSRS, through the ``fsrs`` package): a score becomes a rating, a rating moves a card."""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timedelta, timezone

import fsrs

from .settings import Schedule


def rating_for(score: int, schedule: Schedule) -> fsrs.Rating:
    """The FSRS rating of an answer: Again below ``hard``, then Hard, Good, Easy by the score."""
    if score >= schedule.easy:
        return fsrs.Rating.Easy
    if score >= schedule.good:
        return fsrs.Rating.Good
    if score >= schedule.hard:
        return fsrs.Rating.Hard
    return fsrs.Rating.Again


def is_correct(score: int, schedule: Schedule) -> bool:
    return rating_for(score, schedule) != fsrs.Rating.Again


def _scheduler(schedule: Schedule) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        desired_retention=schedule.desired_retention,
        learning_steps=tuple(timedelta(minutes=m) for m in schedule.learning_steps),
        relearning_steps=tuple(timedelta(minutes=m) for m in schedule.relearning_steps),
        enable_fuzzing=False,  # the same answers give the same schedule
    )


def review(
    card_json: str | None, key: str, score: int, now: datetime, schedule: Schedule
) -> tuple[str, datetime]:
    """The card of item ``key`` after an answer scoring ``score`` at ``now`` (UTC): its JSON and due time.
    A missed item (Again) falls due after the first learning step; a known one later."""
    now = now.astimezone(timezone.utc)
    if card_json:
        card = fsrs.Card.from_dict(json.loads(card_json))
    else:
        card = fsrs.Card(card_id=zlib.crc32(key.encode()), due=now)
    card, _log = _scheduler(schedule).review_card(card, rating_for(score, schedule), review_datetime=now)
    return json.dumps(card.to_dict()), card.due
