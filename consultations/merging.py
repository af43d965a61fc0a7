"""The same person twice: folding a newer request into the older one, and undoing that.

A merge loses nothing. The newer request's contact log moves to the older (the log is ordered by
time, so the entries interleave), its booked call is kept (moved onto the older, or released when
the older has a call of its own), and it is closed as "merged into #N" with what the visitor sent
untouched. Everything needed to undo it is stored with the merge (`RequestMerge.before`), and the
practice owner may undo it for UNDO_DAYS.
"""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

import outbox
from staff.audit import record
from staff.models import AuditAction

from . import booking, calls
from .forms import when
from .models import (
    ConsultationRequest,
    ContactKind,
    ContactLogEntry,
    RequestMerge,
    RequestStatus,
)

UNDO_DAYS = 30

# What a merge may change on either request, as it was before, so an undo can put it back.
SNAPSHOT_FIELDS = {
    "status": str,
    "finished_at": datetime,
    "first_contacted_at": datetime,
    "became_client_on": date,
    "possible_duplicate_of_id": int,
    "call_at": datetime,
    "call_sequence": int,
    "assigned_to_id": int,
    "reminder_id": int,
}
CALL_FIELDS = ["call_at", "call_sequence", "assigned_to_id", "reminder_id"]
# Statuses an untouched (New) older request takes over from the newer one, with its log.
IN_PROGRESS = [RequestStatus.CONTACTED, RequestStatus.SCHEDULED]


class CannotMerge(Exception):
    pass


class CannotUndo(Exception):
    pass


def older_and_newer(first, second):
    """The two requests in merge order: the one submitted first is kept."""
    older, newer = sorted([first, second], key=lambda c: (c.submitted_at, c.pk))
    return older, newer


def problem_with(older, newer):
    """Why these two cannot be merged, in words for staff; None when they can."""
    if older.pk == newer.pk:
        return "A request cannot be merged into itself."
    for consultation in (older, newer):
        if consultation.merged_into_id:
            return (
                f"Request #{consultation.pk} has already been merged into "
                f"#{consultation.merged_into_id}."
            )
    return None


def plan(older, newer):
    """What merging `newer` into `older` will do, a sentence each, for the confirmation page."""
    entries = newer.log_entries.count()
    lines = [
        f"#{newer.pk}’s contact log ({entries_in_words(entries)}) moves to #{older.pk}, in time "
        "order with its own."
        if entries
        else f"#{newer.pk} has nothing in its contact log."
    ]
    if newer.call_at and older.call_at:
        lines.append(
            f"#{older.pk}’s call on {when(older.call_at)} is kept. #{newer.pk}’s call on "
            f"{when(newer.call_at)} is released and its reminder cancelled: a note on "
            f"#{older.pk} says so, so that you can tell the person."
        )
    elif newer.call_at:
        lines.append(
            f"#{newer.pk}’s call on {when(newer.call_at)} moves to #{older.pk}, with its "
            "reminder; the visitor’s link to change it keeps working."
        )
    if older.status == RequestStatus.NEW and newer.status in IN_PROGRESS:
        lines.append(f"#{older.pk} becomes “{newer.get_status_display()}”, as #{newer.pk} is.")
    lines += [
        f"#{newer.pk} is closed as merged into #{older.pk}; what the visitor sent stays as it was.",
        f"A note on both requests and the audit trail record the merge. The practice owner can "
        f"undo it within {UNDO_DAYS} days.",
    ]
    return lines


def entries_in_words(count):
    return f"{count} entr{'y' if count == 1 else 'ies'}"


def merge(first, second, by, request=None):
    """Fold the newer of two requests into the older, in one transaction. Returns the
    RequestMerge; raises CannotMerge (changing nothing) when `problem_with` says why not."""
    with transaction.atomic():
        # Locked, so two people merging or booking at once see each other's work.
        locked = ConsultationRequest.objects.select_for_update().in_bulk([first.pk, second.pk])
        if len(locked) < 2 and first.pk != second.pk:
            raise CannotMerge("One of the requests no longer exists.")
        older, newer = older_and_newer(locked[first.pk], locked[second.pk])
        problem = problem_with(older, newer)
        if problem:
            raise CannotMerge(problem)
        before = {"kept": _snapshot(older), "merged": _snapshot(newer)}

        moved = newer.log_entries.all()
        before["moved_entries"] = list(moved.values_list("pk", flat=True))
        moved.update(request=older)
        # Later requests from the same person now point at the request that stays open.
        pointing = ConsultationRequest.objects.filter(possible_duplicate_of=newer).exclude(
            pk=older.pk
        )
        before["pointed_here"] = list(pointing.values_list("pk", flat=True))
        pointing.update(possible_duplicate_of=older)

        notes = [f"Merged request #{newer.pk} into this one."]
        before["booking"] = _keep_booking(older, newer, notes)
        if older.status == RequestStatus.NEW and newer.status in IN_PROGRESS:
            older.status = newer.status
        contacted = [t for t in (older.first_contacted_at, newer.first_contacted_at) if t]
        older.first_contacted_at = min(contacted, default=None)
        newer.status = RequestStatus.CLOSED
        newer.merged_into = older
        newer.save()
        # Closing stamps a first contact; a merged request had none of its own, and the weekly
        # report's time to first contact must not count the merge as one.
        ConsultationRequest.objects.filter(pk=newer.pk).update(
            first_contacted_at=_values(before["merged"])["first_contacted_at"]
        )
        older.save()
        before["kept_after"] = _snapshot(older)

        for text in notes:
            _note(older, by, text)
        _note(newer, by, f"Merged into request #{older.pk}.")
        merge = RequestMerge.objects.create(kept=older, merged=newer, merged_by=by, before=before)
        record(
            AuditAction.MERGE_REQUEST,
            request,
            user=by,
            request_ids=[older.pk, newer.pk],
            detail=f"#{newer.pk} merged into #{older.pk}",
        )
    return merge


def _keep_booking(older, newer, notes):
    """Keep the person's booked call: the older's if it has one (the newer's is released),
    else the newer's, moved. Returns what happened, for the undo."""
    if newer.call_at is None:
        return None
    call_at, taker = newer.call_at, newer.assigned_to
    if older.call_at is None:
        older.call_at, older.assigned_to = call_at, taker
        older.call_sequence, older.reminder_id = newer.call_sequence, newer.reminder_id
        # Cleared first: one person cannot have two calls at one time, even for a moment.
        newer.call_at, newer.reminder = None, None
        newer.save(update_fields=["call_at", "reminder"])
        return "moved"
    if newer.reminder_id:
        outbox.cancel(newer.reminder_id)
    newer.call_at, newer.reminder = None, None
    notes.append(
        f"Request #{newer.pk} had a call booked for {when(call_at)} with {_name(taker)}: that "
        f"time was released, and this request's call on {when(older.call_at)} is kept. Tell "
        "the person their other time is cancelled."
    )
    return "released"


# Undo ------------------------------------------------------------------------------------------


def undoable(now=None):
    """Merges the owner may still undo: not undone, and made within the last UNDO_DAYS."""
    return RequestMerge.objects.filter(undone_at=None, merged_at__gte=_undo_since(now))


def still_undoable(merge, now=None):
    return merge.undone_at is None and merge.merged_at >= _undo_since(now)


def _undo_since(now=None):
    return (now or timezone.now()) - timedelta(days=UNDO_DAYS)


def problem_with_undo(merge, user, now=None):
    """Why `user` cannot undo `merge`, in words; None when they can."""
    if not user.is_superuser:
        return "Only the practice owner can undo a merge."
    if merge.undone_at:
        return "This merge has been undone already."
    if merge.merged_at < _undo_since(now):
        return f"A merge can be undone for {UNDO_DAYS} days only, and this one is older."
    if merge.kept.merged_into_id:
        return (
            f"Request #{merge.kept_id} has since been merged into #{merge.kept.merged_into_id}: "
            "undo that merge first."
        )
    return None


def undo(merge, by, request=None, site_url="/"):
    """Put both requests back as they were before `merge`, as far as later work allows.
    Returns warnings for staff (a call time that could not be restored); raises CannotUndo."""
    with transaction.atomic():
        merge = RequestMerge.objects.select_for_update().get(pk=merge.pk)
        locked = ConsultationRequest.objects.select_for_update().in_bulk(
            [merge.kept_id, merge.merged_id]
        )
        kept, merged = locked[merge.kept_id], locked[merge.merged_id]
        problem = problem_with_undo(merge, by)
        if problem:
            raise CannotUndo(problem)
        before = merge.before
        ContactLogEntry.objects.filter(pk__in=before["moved_entries"], request=kept).update(
            request=merged
        )
        ConsultationRequest.objects.filter(
            pk__in=before["pointed_here"], possible_duplicate_of=kept
        ).update(possible_duplicate_of=merged)

        # The kept request gets back what the merge changed, unless staff have changed it since.
        kept_before, kept_after = _values(before["kept"]), _values(before["kept_after"])
        now_kept = _values(_snapshot(kept))
        for field in SNAPSHOT_FIELDS.keys() - set(CALL_FIELDS):
            if now_kept[field] == kept_after[field]:
                setattr(kept, field, kept_before[field])
        merged_before = _values(before["merged"])
        for field in SNAPSHOT_FIELDS.keys() - set(CALL_FIELDS):
            setattr(merged, field, merged_before[field])
        merged.merged_into = None
        warnings = []
        restored = _restore_booking(before["booking"], kept, merged, kept_before, merged_before)
        if restored is not True:
            warnings.append(restored)
        # save() keeps finished and first-contact times that are set, and sets them when empty:
        # update_fields lets the stored ones through unchanged.
        merged.save()
        kept.save()
        _put_back_times(kept, kept_before, kept_after, now_kept)
        _put_back_times(merged, merged_before, None, None)
        if restored is True and before["booking"] == "released" and merged.email:
            calls.queue_reminder(merged, site_url)

        _note(kept, by, f"Undid the merge of request #{merged.pk} into this one.")
        _note(merged, by, f"Undid the merge of this request into #{kept.pk}.")
        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_at"])
        record(
            AuditAction.UNMERGE_REQUEST,
            request,
            user=by,
            request_ids=[kept.pk, merged.pk],
            detail=f"#{merged.pk} no longer merged into #{kept.pk}",
        )
    return warnings


def _restore_booking(what, kept, merged, kept_before, merged_before):
    """Give the merged request its call back. True when done (or there was none), else why not."""
    if what is None:
        return True
    call_at, taker_id = merged_before["call_at"], merged_before["assigned_to_id"]
    if what == "moved":
        if (kept.call_at, kept.assigned_to_id) != (call_at, taker_id):
            return (
                f"The call that moved to #{kept.pk} has been changed since the merge, so it "
                f"stays with #{kept.pk}."
            )
        merged.call_sequence, merged.reminder_id = kept.call_sequence, kept.reminder_id
        kept.call_at, kept.reminder = None, None
        kept.assigned_to_id = kept_before["assigned_to_id"]
        kept.call_sequence = kept_before["call_sequence"]
        kept.save(update_fields=["call_at", "reminder", "assigned_to", "call_sequence"])
        merged.call_at, merged.assigned_to_id = call_at, taker_id
        return True
    if call_at <= timezone.now():
        return f"#{merged.pk}’s call on {when(call_at)} has passed, so it was not booked again."
    length = booking.call_length() + booking.gap()
    clash = ConsultationRequest.objects.filter(
        Q(assigned_to=taker_id),
        call_at__gt=call_at - length,
        call_at__lt=call_at + length,
    ).exclude(pk=merged.pk)
    if not clash.exists():
        merged.call_at, merged.assigned_to_id = call_at, taker_id
        merged.call_sequence = merged_before["call_sequence"]
        try:
            with transaction.atomic():
                merged.save(update_fields=["call_at", "assigned_to", "call_sequence"])
        except IntegrityError:
            merged.call_at = None
        else:
            return True
    return (
        f"#{merged.pk}’s call on {when(call_at)} could not be booked again: someone else has "
        "booked that time since. Offer the person another time."
    )


def _put_back_times(consultation, before, after, current):
    """Store the finished and first-contact times exactly as they were (save() would stamp an
    empty one with now, or keep a later one)."""
    fields = ["finished_at", "first_contacted_at", "became_client_on"]
    if after is not None:  # the kept request: only what the merge changed and nobody since
        fields = [f for f in fields if current[f] == after[f]]
    values = {field: before[field] for field in fields}
    ConsultationRequest.objects.filter(pk=consultation.pk).update(**values)
    for field, value in values.items():
        setattr(consultation, field, value)


# Helpers ---------------------------------------------------------------------------------------


def _snapshot(consultation):
    """The fields a merge may change, as JSON."""
    values = {}
    for field in SNAPSHOT_FIELDS:
        value = getattr(consultation, field)
        values[field] = value.isoformat() if isinstance(value, date) else value
    return values


def _values(snapshot):
    """A snapshot back as Python values."""
    values = {}
    for field, kind in SNAPSHOT_FIELDS.items():
        value = snapshot.get(field)
        if value is not None and kind is datetime:
            value = datetime.fromisoformat(value)
        elif value is not None and kind is date:
            value = date.fromisoformat(value)
        values[field] = value
    return values


def _note(consultation, by, text):
    ContactLogEntry.objects.create(
        request=consultation, author=by, kind=ContactKind.NOTE, text=text
    )


def _name(user):
    return user.get_full_name() or user.get_username()
