#!/usr/bin/env python3
"""Writes lifecycle.json: the subscription lifecycle as a table of cases.

This is the rule stated a second time, on purpose, apart from portal-core's
`lifecycle` module: core's tests, the server's HTTP tests and the browser tests
all check their side against the file it writes. Change a rule here and in
core/src/lifecycle.rs together, then run `python3 core/tests/vectors/lifecycle.py`.

Each case: a subscription (status, cancelAtPeriodEnd) of a merchant whose group
lists `actions` (null: the group lists none, as Duro's own API), one action
(cancel with atPeriodEnd true or false), and either the state it leads to with
the change a person is told about, or why it is refused. `offered` says whether
the portal's card shows the action for that subscription.
"""
import json
import os

STATUSES = ["incomplete", "trialing", "active", "past_due", "paused", "unpaid",
            "canceled", "expired", "on_hold"]  # on_hold: a status this version does not know
KNOWN = set(STATUSES) - {"on_hold"}
ENDED = {"canceled", "expired"}
ACTION_LISTS = [None, [], ["cancel"], ["pause"], ["resume"], ["cancel", "pause"],
                ["cancel", "resume"], ["pause", "resume"], ["cancel", "pause", "resume"]]
# (action, atPeriodEnd); "refund" is an action this version does not know.
ACTIONS = [("pause", None), ("resume", None), ("cancel", True), ("cancel", False), ("refund", None)]


def apply(status, cancelling, listed, action, at_period_end):
    """(status, cancelling) after the action, or the refusal."""
    def permits(a):
        return listed is None or a in listed

    if action not in ("pause", "resume", "cancel"):
        return "unknown"
    # Nothing changes a subscription that has ended, or one whose status we cannot read.
    if status not in KNOWN or status in ENDED:
        return "conflict"
    if action == "pause":
        # A subscription set to cancel is not paused on top: keep it first.
        if status in ("active", "trialing") and not cancelling:
            return ("paused", False) if permits("pause") else "not_offered"
        return "conflict"
    if action == "resume":
        if status == "paused" and permits("resume"):
            # Resuming a paused subscription that is set to cancel also keeps it:
            # the person who resumes wants it back, renewing as before.
            return ("active", False)
        if cancelling:
            # Keeping a subscription set to cancel: whoever may cancel may undo it.
            return (status, False) if permits("resume") or permits("cancel") else "not_offered"
        if status == "paused":
            return "not_offered"
        return "conflict"
    # cancel
    if not permits("cancel"):
        return "not_offered"
    return (status, True) if at_period_end else ("canceled", False)


def change(before, after):
    """What a person is told happened, from the state before and after."""
    if before == after:
        return "unchanged"
    (was, was_cancelling), (now, now_cancelling) = before, after
    if now == "canceled":
        return "canceled"
    if was != "paused" and now == "paused":
        return "paused"
    if was == "paused" and now != "paused":
        return "resumed_and_kept" if was_cancelling and not now_cancelling else "resumed"
    if was == now and was_cancelling and not now_cancelling:
        return "kept"
    if was == now and not was_cancelling and now_cancelling:
        return "set_to_cancel"
    return "other"


def cases():
    for status in STATUSES:
        for cancelling in (False, True):
            for listed in ACTION_LISTS:
                for action, at_period_end in ACTIONS:
                    result = apply(status, cancelling, listed, action,
                                   True if at_period_end is None else at_period_end)
                    case = {"status": status, "cancelAtPeriodEnd": cancelling,
                            "actions": listed, "action": action}
                    if at_period_end is not None:
                        case["atPeriodEnd"] = at_period_end
                    if isinstance(result, str):
                        case["refused"] = result
                        case["offered"] = False
                    else:
                        what = change((status, cancelling), result)
                        case["result"] = {"status": result[0], "cancelAtPeriodEnd": result[1]}
                        case["change"] = what
                        # The card offers what changes something; it always cancels at
                        # the period end, never at once.
                        case["offered"] = what != "unchanged" and at_period_end is not False
                    yield case


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "lifecycle.json"), "w", encoding="utf-8") as out:
        out.write("[\n")
        out.write(",\n".join(json.dumps(c, separators=(", ", ": ")) for c in cases()))
        out.write("\n]\n")
